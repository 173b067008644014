import { CloseCode, ErrorCode, GoAwayReason } from '@fanout/protocol';
import { type CatchUpContext, catchUpConnection } from './catch-up.js';
import type { Connection } from './connection.js';
import { updateLiveTopics } from './session-handler.js';

/** Limits of flow control (see the SLOW_CLIENT_* settings). */
export interface FlowLimits {
  softBytes: number;
  hardBytes: number;
  stuckMs: number;
}

/**
 * Slow clients. Live publications are fire-and-forget through uWS, so the
 * edge checks buffered bytes of live connections in a sweep (after every
 * ~256 KiB published and on a timer), never per record. Past the soft limit a
 * connection is taken off live delivery: its live subscriptions remember the
 * partitions' live offsets (everything up to there is in its buffer) and it
 * leaves its uWS topics. When it drains, each subscription is caught up from
 * the window or Kafka exactly like a resume, then put back on live. The hard
 * limit (uWS maxBackpressure) is never reached by a connection the sweep
 * sees in time; one that is reached may have lost a publication and is
 * closed with a resume code instead.
 */
export function sweepSlowClients(
  ctx: CatchUpContext & { liveConns: Set<Connection> },
  limits: FlowLimits,
  onSlow?: (kind: 'lagging' | 'closed') => void,
): void {
  for (const conn of ctx.liveConns) {
    const buffered = conn.bufferedAmount();
    if (buffered <= limits.softBytes) continue;
    // Publications still queued in uWS's topic tree count too: a ping flushes them.
    if (conn.ws.ping() === 2 || conn.bufferedAmount() >= limits.hardBytes) {
      onSlow?.('closed');
      conn.close(CloseCode.SLOW_CONSUMER, 'send buffer overflow');
      continue;
    }
    takeOffLive(ctx, conn);
    onSlow?.('lagging');
  }
}

function takeOffLive(ctx: CatchUpContext & { liveConns: Set<Connection> }, conn: Connection): void {
  for (const sub of conn.subs.values()) {
    if (sub.state !== 'live') continue;
    for (const p of sub.partitions) {
      const live = ctx.topics.get(sub.channel.topic)?.partitions.get(p)?.live;
      if (live !== undefined) {
        sub.positions.set(p, live);
        sub.sent.set(p, live);
      }
    }
    sub.state = 'replaying';
  }
  conn.lagging = true;
  conn.lastProgressAt = Date.now();
  updateLiveTopics(ctx, conn);
  conn.log.info({ buffered: conn.bufferedAmount() }, 'slow client taken off live delivery');
}

/**
 * From uWS's drain handler (and the maintenance timer): a lagging connection
 * that drained is caught up and put back on live.
 */
export function onDrained(ctx: CatchUpContext, conn: Connection, limits: FlowLimits): void {
  conn.onDrain();
  if (conn.closed || !conn.lagging || conn.catchUpRunning || conn.bufferedAmount() > limits.softBytes / 2)
    return;
  conn.log.info('slow client drained; catching up');
  void catchUpConnection(ctx, conn);
}

/** Closes connections that stayed behind without draining for `stuckMs`. */
export function closeStuck(
  conns: Iterable<Connection>,
  limits: FlowLimits,
  now: number,
  onSlow?: (kind: 'lagging' | 'closed') => void,
): void {
  for (const conn of conns) {
    if (conn.closed) continue;
    const behind = conn.lagging || conn.bufferedAmount() > limits.softBytes;
    if (behind && now - conn.lastProgressAt > limits.stuckMs) {
      conn.send({
        kind: 'goAway',
        goAway: { reason: GoAwayReason.SLOW_CONSUMER, reconnectAfterMs: 0, message: 'too slow' },
      });
      conn.error(ErrorCode.SLOW_CONSUMER, 'connection drained nothing for too long', { retriable: true });
      conn.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
      onSlow?.('closed');
    }
  }
}
