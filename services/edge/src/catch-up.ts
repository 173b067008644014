import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { type CatchUpEffect, type CatchUpError, CatchUpMachine, type CatchUpView } from '@fanout/core';
import {
  CloseCode,
  ContinuityReason,
  ErrorCode,
  type ServerFrameInput,
  publicationFrame,
} from '@fanout/protocol';
import type { Connection, Subscription } from './connection.js';
import type { EdgeRecord, TopicState } from './topic-state.js';

/** What catch-up needs from the edge. */
export interface CatchUpContext {
  topics: Map<string, TopicState>;
  /** Unsent bytes above which sending pauses until the socket drains. */
  softBytes: number;
  /** Recomputes the connection's live uWS topics from its live subscriptions. */
  updateLiveTopics(conn: Connection): void;
  /**
   * Told once per catch-up of a subscription that replayed anything or lost
   * continuity (a resume, a subscribe from a position, a slow client's
   * catch-up): the deepest source it used and the records it read.
   */
  onOutcome?(kind: CatchUpSource, records: number): void;
  /** How long a client ahead of this edge waits for ingest to reach it (default 10 s). */
  ingestWaitMs?: number;
}

/** Where a catch-up read from, deepest last: the window, Kafka, or a range that was gone. */
export type CatchUpSource = 'window' | 'kafka' | 'continuity-lost';

/** What a subscription's catch-up used so far (reported once it switches to live). */
interface Tally {
  source: CatchUpSource | undefined;
  records: number;
}

/** One subscription's machine, with the topic generation it was made for. */
interface Run {
  machine: CatchUpMachine<EdgeRecord>;
  generation: number;
  tally: Tally;
}

const DEPTH: Record<CatchUpSource, number> = { window: 0, kafka: 1, 'continuity-lost': 2 };

function note(tally: Tally, source: CatchUpSource, records: number): void {
  if (!tally.source || DEPTH[source] > DEPTH[tally.source]) tally.source = source;
  tally.records += records;
}

function report(ctx: CatchUpContext, tally: Tally): void {
  if (tally.source) ctx.onOutcome?.(tally.source, tally.records);
  tally.source = undefined;
  tally.records = 0;
}

/** A short window tail is sent inside the synchronous switch-over; longer ones in chunks first. */
const SYNC_TAIL_RECORDS = 512;
const WINDOW_CHUNK_RECORDS = 2048;
const KAFKA_CHUNK_RECORDS = 2000;
const MAX_SOURCE_FAILURES = 10;

/** The replayed frame of a record for a channel, shared by every client replaying that channel. */
function replayFrame(r: EdgeRecord, channel: string): Uint8Array {
  const cached = r.replay;
  if (cached && cached.channel === channel) return cached.frame;
  const frame = publicationFrame(r.pub, channel);
  r.replay = { channel, frame };
  return frame;
}

function newRun(ctx: CatchUpContext, sub: Subscription, topic: TopicState, tally?: Tally): Run {
  const name = sub.channel.name;
  const machine = new CatchUpMachine<EdgeRecord>(sub, {
    ...(sub.channel.key === null ? {} : { include: (r: EdgeRecord) => r.keyName === name }),
    ...(sub.claims ? { claims: sub.claims } : {}),
    syncTailRecords: SYNC_TAIL_RECORDS,
    windowChunkRecords: WINDOW_CHUNK_RECORDS,
    kafkaChunkOffsets: KAFKA_CHUNK_RECORDS,
    maxSourceFailures: MAX_SOURCE_FAILURES,
    ingestWaitMs: ctx.ingestWaitMs ?? 10_000,
  });
  return { machine, generation: topic.generation, tally: tally ?? { source: undefined, records: 0 } };
}

function viewOf(ctx: CatchUpContext, conn: Connection, topic: TopicState): CatchUpView<EdgeRecord> {
  return {
    partition(p) {
      const ps = topic.partitions.get(p);
      if (!ps) return undefined;
      return {
        live: ps.live,
        windowCovers: (from) => ps.window.covers(from),
        readWindow: (from, limit) => ps.window.readFrom(from, limit),
      };
    },
    get socketBlocked() {
      return conn.bufferedAmount() > ctx.softBytes;
    },
  };
}

/**
 * Sends a control frame (ContinuityLost, Subscribed) under the edge's send
 * policy (`Connection.sendControl`): one uWS dropped closes the connection
 * with CONTROL_FRAME_DROPPED, so the client resumes instead of waiting
 * forever. Returns whether the frame went out.
 */
function sendControl(conn: Connection, frame: ServerFrameInput): boolean {
  return conn.send(frame) !== 2;
}

/** Reads [from, to] of a partition through the topic's shared scans (the prefix read so far on failure). */
function readKafka(
  topic: TopicState,
  partition: number,
  from: number,
  to: number,
): Promise<{ records: EdgeRecord[]; err?: unknown }> {
  return new Promise((resolve) => {
    const records: EdgeRecord[] = [];
    topic.scans.request(partition, {
      from,
      to,
      onRecord: (r) => records.push(r),
      onDone: () => resolve({ records }),
      onError: (err) => resolve({ records, err: err ?? new Error('scan failed') }),
    });
  });
}

/** Waits until the partition's `live` reaches `until` (true) or `timeoutMs` passed (false). */
async function waitForIngest(
  topic: TopicState,
  partition: number,
  until: number,
  timeoutMs: number,
  stop: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ps = topic.partitions.get(partition);
    if (!ps) return false;
    if (ps.live >= until) return true;
    const left = deadline - Date.now();
    if (left <= 0 || stop()) return false;
    await ps.advanced(Math.min(left, 1000));
  }
}

function failed(conn: Connection, sub: Subscription, error: CatchUpError): void {
  conn.log.error({ err: error, code: error.code, channel: sub.channel.name }, 'catch-up failed');
  const internal = error.code === 'NO_PROGRESS' || error.code === 'INVALID_INPUT';
  conn.error(
    internal ? ErrorCode.INTERNAL : ErrorCode.SOURCE_UNAVAILABLE,
    error.code === 'INGEST_BEHIND'
      ? 'this edge has not read up to your position yet; retry'
      : internal
        ? `catch-up stopped (${error.code})`
        : 'cannot read the replay source',
    { channel: sub.channel.name, retriable: true },
  );
  conn.close(
    internal ? CloseCode.INTERNAL : CloseCode.SOURCE_UNAVAILABLE,
    internal ? 'catch-up stopped' : 'replay source unavailable',
  );
}

/**
 * In one synchronous step: the tails, `Subscribed`, live delivery (see the
 * replay planner, the switch-over). Returns false when the connection closed.
 */
function join(
  ctx: CatchUpContext,
  conn: Connection,
  sub: Subscription,
  effect: Extract<CatchUpEffect<EdgeRecord>, { kind: 'join' }>,
  tally: Tally,
  updateTopics: boolean,
): boolean {
  let dropped = false;
  let sent = 0;
  for (const tail of effect.tails) {
    conn.ws.cork(() => {
      for (const r of tail.records) {
        if (conn.sendBytes(replayFrame(r, sub.channel.name)) === 2) {
          dropped = true;
          return;
        }
        sent++;
      }
    });
    if (dropped) {
      conn.close(CloseCode.SLOW_CONSUMER, 'send buffer full');
      return false;
    }
  }
  if (sent > 0) note(tally, 'window', sent);
  sub.state = 'live';
  const announce = sub.announce;
  if (announce) {
    sub.announce = null;
    const ok = sendControl(conn, {
      kind: 'subscribed',
      subscribed: {
        requestId: announce.requestId,
        channel: sub.channel.name,
        positions: effect.positions,
        resumed: announce.resumed,
      },
    });
    if (!ok) return false;
  }
  if (updateTopics) ctx.updateLiveTopics(conn);
  report(ctx, tally);
  return true;
}

/**
 * Brings a subscription from its positions to live delivery by executing
 * the effects of its {@link CatchUpMachine} (packages/core): window reads,
 * shared Kafka scans, fresh bounds, corked sends with drain waits, bounded
 * ingest waits, and the join (tails, `Subscribed`, live topics) in one
 * synchronous step. With `hold` (or while the connection is lagging) it
 * stops once joining is possible: `catchUpConnection` joins as a whole.
 */
export async function bringLive(
  ctx: CatchUpContext,
  conn: Connection,
  sub: Subscription,
  options: { hold?: boolean; run?: Run } = {},
): Promise<void> {
  const topic = ctx.topics.get(sub.channel.topic);
  if (!topic || sub.catchingUp || sub.state !== 'replaying') return;
  sub.catchingUp = true;
  const run = options.run ?? newRun(ctx, sub, topic);
  const stop = () => conn.closed || sub.cancelled;
  /** After an await: the topic was recreated meanwhile? Its handler reset our positions: a new machine. */
  const recreatedMeanwhile = () => {
    if (topic.generation === run.generation) return false;
    const fresh = newRun(ctx, sub, topic, run.tally);
    run.machine = fresh.machine;
    run.generation = fresh.generation;
    return true;
  };
  const view = viewOf(ctx, conn, topic);
  try {
    for (;;) {
      if (stop()) return;
      recreatedMeanwhile();
      const m = run.machine;
      const e = m.next(view, options.hold === true || conn.lagging);
      switch (e.kind) {
        case 'fetch-bounds': {
          let bounds: Awaited<ReturnType<TopicState['freshBounds']>> | undefined;
          let error: unknown;
          try {
            bounds = await topic.freshBounds();
          } catch (err) {
            error = err;
          }
          if (recreatedMeanwhile()) break;
          if (bounds) m.bounds(bounds);
          else m.boundsFailed(error);
          break;
        }
        case 'scan': {
          const { records, err } = await readKafka(topic, e.partition, e.from, e.to);
          if (recreatedMeanwhile()) break;
          if (err === undefined) m.scanned(e.partition, records, e.to);
          else {
            conn.log.warn({ err, partition: e.partition, from: e.from }, 'replay scan failed');
            m.scanFailed(e.partition, err, records);
          }
          break;
        }
        case 'await-ingest': {
          conn.log.info(
            { channel: sub.channel.name, partition: e.partition, until: e.until },
            'client ahead of this edge; waiting for ingest',
          );
          const reached = await waitForIngest(topic, e.partition, e.until, e.timeoutMs, stop);
          if (recreatedMeanwhile()) break;
          if (reached) m.ingestReached();
          else m.ingestTimedOut();
          break;
        }
        case 'backoff':
          await sleep(e.ms);
          if (!recreatedMeanwhile()) m.backedOff();
          break;
        case 'await-drain':
          await conn.drained(ctx.softBytes / 2);
          break;
        case 'yield':
          await nextTurn();
          break;
        case 'send': {
          // Corked: one write per batch (this runs outside uWS callbacks, where nothing corks for us).
          let dropped = false;
          let n = 0;
          conn.ws.cork(() => {
            for (const r of e.records) {
              const status = conn.sendBytes(replayFrame(r, sub.channel.name));
              if (status === 2) {
                dropped = true;
                return;
              }
              m.handed(e.partition, r.offset);
              n++;
              if (status === 0 && conn.bufferedAmount() > ctx.softBytes) return;
            }
          });
          if (dropped) {
            conn.close(CloseCode.SLOW_CONSUMER, 'send buffer full');
            return;
          }
          if (n > 0) conn.progressed(Date.now());
          note(run.tally, e.source, n);
          break;
        }
        case 'continuity-lost': {
          conn.log.warn(
            {
              channel: sub.channel.name,
              partition: e.partition,
              requested: e.requested,
              available: e.available,
              reason: e.reason,
            },
            'continuity lost',
          );
          note(run.tally, 'continuity-lost', 0);
          const ok = sendControl(conn, {
            kind: 'continuityLost',
            continuityLost: {
              channel: sub.channel.name,
              partition: e.partition,
              requestedOffset: e.requested,
              availableOffset: e.available,
              reason: e.reason === 'deleted' ? ContinuityReason.DELETED : ContinuityReason.AHEAD_OF_LOG,
            },
          });
          if (!ok) return;
          break;
        }
        case 'join':
          join(ctx, conn, sub, e, run.tally, true);
          return;
        case 'ready':
          return;
        case 'failed':
          failed(conn, sub, e.error);
          return;
      }
    }
  } catch (err) {
    if (conn.closed) return;
    conn.log.error({ err, channel: sub.channel.name }, 'catch-up failed');
    conn.error(ErrorCode.INTERNAL, 'catch-up failed', { channel: sub.channel.name, retriable: true });
    conn.close(CloseCode.INTERNAL, 'catch-up failed');
  } finally {
    sub.catchingUp = false;
  }
}

/**
 * Puts a connection taken off live (a slow client that drained) back on
 * live. Its subscriptions were live, so the client routes live publications
 * to them: if one of them went live while another still replays, a live
 * record would reach the replaying one ahead of its replay and the client's
 * per-(channel, partition) watermark would then drop the replayed records.
 * So every subscription is brought near live first (held), and all switch
 * together in one synchronous step; until then the socket stays off its uWS
 * topics (`lagging`). That step looks at every replaying subscription of the
 * connection at that moment, including one subscribed during the catch-up,
 * so none is left replaying.
 */
export async function catchUpConnection(ctx: CatchUpContext, conn: Connection): Promise<void> {
  if (conn.catchUpRunning) return;
  conn.catchUpRunning = true;
  const runs = new Map<Subscription, Run>();
  const runOf = (sub: Subscription, topic: TopicState): Run => {
    let r = runs.get(sub);
    if (!r || r.machine.finished || r.generation !== topic.generation) {
      r = newRun(ctx, sub, topic, r?.tally);
      runs.set(sub, r);
    }
    return r;
  };
  const replaying = () => [...conn.subs.values()].filter((s) => s.state === 'replaying' && !s.cancelled);
  try {
    for (;;) {
      if (conn.closed) return;
      let busy = false;
      for (const sub of replaying()) {
        const topic = ctx.topics.get(sub.channel.topic);
        if (!topic) continue;
        if (sub.catchingUp) busy = true;
        else await bringLive(ctx, conn, sub, { hold: true, run: runOf(sub, topic) });
        if (conn.closed) return;
      }
      if (busy) {
        // Another catch-up of one of them runs (a Subscribe meanwhile); it holds too while lagging.
        await sleep(20);
        continue;
      }
      // Synchronous from here to the end: every replaying subscription now.
      const subs = replaying();
      const ready = subs.every((s) => {
        const topic = ctx.topics.get(s.channel.topic);
        const r = runs.get(s);
        return (
          !topic ||
          (!s.catchingUp &&
            !!r &&
            r.generation === topic.generation &&
            r.machine.ready(viewOf(ctx, conn, topic)))
        );
      });
      if (!ready) {
        await nextTurn();
        continue;
      }
      conn.lagging = false;
      for (const sub of subs) {
        const topic = ctx.topics.get(sub.channel.topic);
        const r = runs.get(sub);
        if (!topic || !r) continue;
        const e = r.machine.next(viewOf(ctx, conn, topic));
        if (e.kind !== 'join') throw new Error(`a ready catch-up answered ${e.kind}`);
        if (!join(ctx, conn, sub, e, r.tally, false)) return;
      }
      ctx.updateLiveTopics(conn);
      return;
    }
  } catch (err) {
    if (conn.closed) return;
    conn.log.error({ err }, 'connection catch-up failed');
    conn.error(ErrorCode.INTERNAL, 'catch-up failed', { retriable: true });
    conn.close(CloseCode.INTERNAL, 'catch-up failed');
  } finally {
    conn.catchUpRunning = false;
  }
}
