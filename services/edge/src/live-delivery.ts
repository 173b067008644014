import { coveringDiff, coveringTopics } from '@fanout/core';
import { CloseCode, ErrorCode, GoAwayReason } from '@fanout/protocol';
import { type CatchUpContext, catchUpConnection } from './catch-up.js';
import { type Connection, NO_TOPICS } from './connection.js';
import type { EdgeMetrics } from './metrics.js';
import type { TopicState } from './topic-state.js';

/** Sweep live connections for slow clients after this many bytes were published. */
export const SWEEP_EVERY_BYTES = 256 * 1024;

/** Limits of flow control (see the SLOW_CLIENT_* settings). */
export interface FlowLimits {
  softBytes: number;
  hardBytes: number;
  stuckMs: number;
}

/** Options of {@link LiveDelivery}. */
export interface LiveDeliveryOptions {
  /** The served topics (the topic registry's map, read only). */
  topics: Map<string, TopicState>;
  /** SLOW_CLIENT_BUFFER_BYTES, SLOW_CLIENT_HARD_BYTES, SLOW_CLIENT_STUCK_MS. */
  slowClient: { bufferBytes: number; hardBytes: number; stuckMs: number };
  /** How long a client ahead of this edge waits for ingest (REPLAY_INGEST_WAIT_MS; default 10 s). */
  ingestWaitMs?: number;
  /** Slow-client events and catch-up outcomes are counted here. */
  metrics?: Pick<EdgeMetrics, 'slowClient' | 'resume'>;
  /** Runs a deferred sweep; `setImmediate` by default (tests run it by hand). */
  defer?(fn: () => void): void;
}

/**
 * Live delivery: which uWS topics each connection is on, which connections
 * are live and which lag, and what becomes of a send that uWS did not take.
 *
 * State and its one writer (this module unless said otherwise):
 * - `liveConns`: connections on at least one uWS topic.
 * - `Connection.liveTopics`: the socket's uWS topics, the minimal covering
 *   set of its live subscriptions (`update`).
 * - `Connection.lagging`: set here when the sweep takes a slow client off
 *   live; cleared by the catch-up's switch-over (catch-up.ts), which puts it
 *   back as a whole.
 * - the bytes published since the last sweep.
 *
 * Slow clients. Live publications are fire-and-forget through uWS, so the
 * edge checks buffered bytes of live connections in a sweep (after every
 * ~256 KiB published, deferred out of the Kafka callback, and on the
 * connection registry's timer), never per record. Past the soft limit a
 * connection is taken off live delivery: its live subscriptions remember the
 * partitions' live offsets (everything up to there is in its buffer) and it
 * leaves its uWS topics. When it drains, each subscription is caught up from
 * the window or Kafka exactly like a resume, then put back on live. The hard
 * limit (uWS maxBackpressure) is never reached by a connection the sweep
 * sees in time; one that is reached may have lost a publication and is
 * closed with a resume code instead. Control frames follow the send policy
 * of `Connection.sendControl`.
 */
export class LiveDelivery {
  /** Connections on live delivery (checked by the slow-client sweep). */
  readonly liveConns = new Set<Connection>();
  /** What catch-ups started here need (also the session handlers' catch-up context). */
  readonly catchUp: CatchUpContext;
  readonly #o: LiveDeliveryOptions;
  readonly #limits: FlowLimits;
  readonly #defer: (fn: () => void) => void;
  /**
   * One shared live-topic set per whole topic (`{ "<topic>" }`), the set of
   * most connections: a Set is 152 bytes of heap per connection. Bounded by
   * the topics served; sets of keyed channels are per connection.
   */
  readonly #topicSets = new Map<string, ReadonlySet<string>>();
  #publishedSinceSweep = 0;
  #sweepPending = false;

  constructor(options: LiveDeliveryOptions) {
    this.#o = options;
    const { slowClient, metrics } = options;
    this.#limits = {
      softBytes: slowClient.bufferBytes,
      hardBytes: slowClient.hardBytes,
      stuckMs: slowClient.stuckMs,
    };
    this.#defer = options.defer ?? ((fn) => setImmediate(fn));
    this.catchUp = {
      topics: options.topics,
      softBytes: this.#limits.softBytes,
      updateLiveTopics: (conn) => this.update(conn),
      onOutcome: (kind, records) =>
        metrics?.resume(kind === 'continuity-lost' ? 'continuity_lost' : kind, records),
      ...(options.ingestWaitMs !== undefined ? { ingestWaitMs: options.ingestWaitMs } : {}),
    };
  }

  /**
   * Puts the socket on the minimal covering set of its live subscriptions'
   * channels, so a record reaches it at most once and in partition order.
   * uWS drops publications still queued for a socket when it unsubscribes in
   * the same tick, so the socket's queue is drained (a ping goes through the
   * same path) before any unsubscribe. A dropped ping means the queue did
   * not fit either: publications were lost, the slow-client rule closes it.
   */
  update(conn: Connection): void {
    if (conn.closed) return;
    const desired = conn.lagging
      ? NO_TOPICS
      : this.#shared(
          coveringTopics(
            [...conn.subs.values()].filter((s) => s.state === 'live').map((s) => s.channel.name),
          ),
        );
    const diff = coveringDiff(conn.liveTopics, desired);
    if (diff.remove.length > 0 && conn.ws.ping() === 2) {
      this.#onSlow('closed');
      conn.close(CloseCode.SLOW_CONSUMER, 'send buffer overflow');
      return;
    }
    for (const t of diff.add)
      if (!conn.ws.subscribe(t))
        conn.log.warn({ uws_topic: t }, 'socket was already on a uWS topic it joined');
    for (const t of diff.remove) conn.ws.unsubscribe(t);
    conn.liveTopics = desired;
    if (desired.size > 0) this.liveConns.add(conn);
    else this.liveConns.delete(conn);
  }

  /** The shared set equal to `topics` where there is one (none, or one whole topic), else `topics`. */
  #shared(topics: Set<string>): ReadonlySet<string> {
    if (topics.size === 0) return NO_TOPICS;
    if (topics.size > 1) return topics;
    const [name] = topics as Iterable<string>;
    if (name === undefined || name.includes(':')) return topics;
    let shared = this.#topicSets.get(name);
    if (!shared) {
      shared = topics;
      this.#topicSets.set(name, shared);
    }
    return shared;
  }

  /** From ingest, per batch handed to uWS publish: a sweep once enough was published, after the callback. */
  published(bytes: number): void {
    this.#publishedSinceSweep += bytes;
    if (this.#publishedSinceSweep < SWEEP_EVERY_BYTES || this.#sweepPending) return;
    this.#sweepPending = true;
    this.#defer(() => this.sweep());
  }

  /** Takes live connections past the soft limit off live; closes those past the hard one. */
  sweep(): void {
    this.#sweepPending = false;
    this.#publishedSinceSweep = 0;
    const limits = this.#limits;
    for (const conn of this.liveConns)
      if (conn.bufferedAmount() > limits.softBytes) this.#offLiveOrClose(conn);
  }

  #offLiveOrClose(conn: Connection): void {
    // Publications still queued in uWS's topic tree count too: a ping flushes them.
    if (conn.ws.ping() === 2 || conn.bufferedAmount() >= this.#limits.hardBytes) {
      this.#onSlow('closed');
      conn.close(CloseCode.SLOW_CONSUMER, 'send buffer overflow');
      return;
    }
    this.#takeOffLive(conn);
    this.#onSlow('lagging');
  }

  #takeOffLive(conn: Connection): void {
    for (const sub of conn.subs.values()) {
      if (sub.state !== 'live') continue;
      for (const p of sub.partitions) {
        const live = this.#o.topics.get(sub.channel.topic)?.partitions.get(p)?.live;
        if (live !== undefined) {
          sub.positions.set(p, live);
          sub.sent.set(p, live);
        }
      }
      sub.state = 'replaying';
    }
    conn.lagging = true;
    this.update(conn);
    conn.log.info({ buffered: conn.bufferedAmount() }, 'slow client taken off live delivery');
  }

  /** From uWS's drain handler: the client read; a lagging connection that drained is caught up. */
  drained(conn: Connection): void {
    conn.onDrain();
    this.#catchUpIfDrained(conn, conn.bufferedAmount());
  }

  #catchUpIfDrained(conn: Connection, buffered: number): void {
    if (conn.closed || !conn.lagging || conn.catchUpRunning || buffered > this.#limits.softBytes / 2) return;
    conn.log.info('slow client drained; catching up');
    void catchUpConnection(this.catchUp, conn);
  }

  /**
   * The periodic part (the connection registry's timer), one pass reading
   * each socket's buffer once: the sweep; connections behind (lagging, or
   * above the soft limit while catching up) that made no progress for
   * `stuckMs` closed; lagging ones that drained caught up (uWS's drain
   * event may not come once the buffer is empty). Progress is the buffer
   * shrinking between two passes, a uWS drain event, or replayed frames
   * handed to the socket; the clock starts when a connection falls behind.
   */
  maintain(conns: Iterable<Connection>, now: number): void {
    this.#sweepPending = false;
    this.#publishedSinceSweep = 0;
    const limits = this.#limits;
    for (const conn of conns) {
      if (conn.closed) continue;
      const buffered = conn.bufferedAmount();
      if (buffered > limits.softBytes && this.liveConns.has(conn)) {
        this.#offLiveOrClose(conn);
        if (conn.closed) continue;
      }
      if (!conn.lagging && buffered <= limits.softBytes) {
        conn.behind(undefined, now);
        continue;
      }
      if (now - conn.behind(buffered, now) > limits.stuckMs) {
        this.#closeStuck(conn, buffered);
        continue;
      }
      conn.wakeDrainWaiters();
      this.#catchUpIfDrained(conn, buffered);
    }
  }

  #closeStuck(conn: Connection, buffered: number): void {
    conn.send({
      kind: 'goAway',
      goAway: { reason: GoAwayReason.SLOW_CONSUMER, reconnectAfterMs: 0, message: 'too slow' },
    });
    const what = buffered > 0 ? 'connection drained nothing for too long' : 'catch-up stalled';
    conn.log.warn({ buffered, lagging: conn.lagging }, what);
    conn.error(ErrorCode.SLOW_CONSUMER, what, { retriable: true });
    conn.close(CloseCode.SLOW_CONSUMER, 'slow consumer');
    this.#onSlow('closed');
  }

  #onSlow(event: 'lagging' | 'closed'): void {
    this.#o.metrics?.slowClient(event);
  }

  /** The connection closed (uWS close handler). */
  closed(conn: Connection): void {
    this.liveConns.delete(conn);
  }
}
