import { type ReplayPlan, planReplay } from '@fanout/core';
import { CloseCode, ContinuityReason, ErrorCode, publicationFrame } from '@fanout/protocol';
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
}

/** Where a catch-up read from, deepest last: the window, Kafka, or a range that was gone. */
export type CatchUpSource = 'window' | 'kafka' | 'continuity-lost';

/** What a subscription's catch-up used so far (reported once it switches to live). */
interface Tally {
  source: CatchUpSource | undefined;
  records: number;
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
const KAFKA_CHUNK_RECORDS = 2000;
const WAIT_SLICE_MS = 1000;
const MAX_SOURCE_FAILURES = 10;

class Abort extends Error {}

function filterForChannel(sub: Subscription, records: EdgeRecord[]): EdgeRecord[] {
  const key = sub.channel.key;
  return key === null ? records : records.filter((r) => r.keyName === sub.channel.name);
}

/** The replayed frame of a record for a channel, shared by every client replaying that channel. */
function replayFrame(r: EdgeRecord, channel: string): Uint8Array {
  const cached = r.replay;
  if (cached && cached.channel === channel) return cached.frame;
  const frame = publicationFrame(r.pub, channel);
  r.replay = { channel, frame };
  return frame;
}

/**
 * Sends replayed records for one subscription, corked in batches (one write
 * per batch instead of one per frame: this runs outside uWS callbacks, where
 * nothing corks for us), pausing while the socket is above the soft limit.
 */
async function sendReplayed(
  ctx: CatchUpContext,
  conn: Connection,
  sub: Subscription,
  records: EdgeRecord[],
): Promise<void> {
  let i = 0;
  while (i < records.length) {
    if (conn.closed || sub.cancelled) throw new Abort();
    let dropped = false;
    conn.ws.cork(() => {
      while (i < records.length) {
        const status = conn.sendBytes(replayFrame(records[i] as EdgeRecord, sub.channel.name));
        i++;
        if (status === 2) {
          dropped = true;
          return;
        }
        if (status === 0 && conn.bufferedAmount() > ctx.softBytes) return;
      }
    });
    if (dropped) {
      conn.close(CloseCode.SLOW_CONSUMER, 'send buffer full');
      throw new Abort();
    }
    while (!conn.closed && conn.bufferedAmount() > ctx.softBytes / 2) await conn.drained(ctx.softBytes / 2);
  }
}

function plan(
  sub: Subscription,
  topic: TopicState,
  partition: number,
  bounds?: { logStart: number; logEnd: number },
): ReplayPlan {
  const ps = topic.partitions.get(partition);
  if (!ps) throw new Error(`unknown partition ${partition}`);
  return planReplay({
    after: sub.positions.get(partition) ?? ps.live,
    live: ps.live,
    windowCovers: (from) => ps.window.covers(from),
    ...(bounds ? bounds : {}),
  });
}

/** Reads [from, to] of a partition through the topic's shared scans. */
function readKafka(topic: TopicState, partition: number, from: number, to: number): Promise<EdgeRecord[]> {
  return new Promise((resolve, reject) => {
    const records: EdgeRecord[] = [];
    topic.scans.request(partition, {
      from,
      to,
      onRecord: (r) => records.push(r),
      onDone: () => resolve(records),
      onError: reject,
    });
  });
}

/**
 * Brings a subscription from its positions to live delivery.
 *
 * The switch-over, which is what makes resume exact: the edge's ingest is the
 * only writer of a partition's `live` offset and of its window, and it runs
 * on this same JS thread. So once every partition of the channel is at most a
 * short window tail behind `live`, ONE synchronous step (no await) sends the
 * tails from the window as replayed frames (positions+1 .. live), sends
 * `Subscribed`, and subscribes the socket to the channel's uWS topic. Every
 * record <= live was sent by replay; every record > live will be published
 * after the subscribe. No gap, no overlap. Before that step, older ranges come
 * from the window in chunks or from Kafka through shared scans, and each
 * round re-plans because `live` and the window move while we await.
 */
export async function bringLive(
  ctx: CatchUpContext,
  conn: Connection,
  sub: Subscription,
  options: { hold?: boolean; tally?: Tally } = {},
): Promise<void> {
  const topic = ctx.topics.get(sub.channel.topic);
  if (!topic || sub.catchingUp) return;
  const tally = options.tally ?? { source: undefined, records: 0 };
  sub.catchingUp = true;
  let sourceFailures = 0;
  let bounds: Map<number, { logStart: number; logEnd: number }> | undefined;
  // Log bounds read after this catch-up began: a replay is never planned on
  // a log start or end from before (records deleted meanwhile must not be
  // served from the window, and a stale end must not look like a client
  // ahead of the log), so every edge answers the same for the same session.
  let checkedFresh = false;
  let generation = topic.generation;
  /** After an await: was the topic recreated meanwhile? Then its handler reset our positions: plan again. */
  const recreatedMeanwhile = () => {
    if (topic.generation === generation) return false;
    generation = topic.generation;
    bounds = undefined;
    checkedFresh = false;
    return true;
  };
  try {
    for (;;) {
      if (conn.closed || sub.cancelled) return;
      // Plan every partition synchronously.
      let work: { partition: number; plan: ReplayPlan } | undefined;
      let needBounds = false;
      for (const p of sub.partitions) {
        const pl = plan(sub, topic, p, bounds?.get(p));
        if (pl.kind !== 'none' && !checkedFresh) needBounds = true;
        if (!isReady(topic, sub, p, pl)) {
          if (!bounds && (pl.kind === 'kafka' || pl.kind === 'wait')) needBounds = true;
          work ??= { partition: p, plan: pl };
        }
      }
      if (needBounds) {
        try {
          const b = await topic.freshBounds();
          if (recreatedMeanwhile()) continue;
          bounds = new Map(b.map((x) => [x.partition, { logStart: x.logStart, logEnd: x.logEnd }]));
          checkedFresh = true;
        } catch (err) {
          if (++sourceFailures > MAX_SOURCE_FAILURES) throw err;
          await new Promise((r) => setTimeout(r, 200 * sourceFailures));
        }
        continue;
      }
      if (!work) {
        // A connection taken off live is put back as a whole by catchUpConnection.
        if (!options.hold && !conn.lagging) {
          const tail = switchToLive(ctx, conn, sub, topic);
          if (tail > 0) note(tally, 'window', tail);
          report(ctx, tally);
        }
        return;
      }
      const { partition, plan: pl } = work;
      switch (pl.kind) {
        case 'continuity-lost': {
          conn.send({
            kind: 'continuityLost',
            continuityLost: {
              channel: sub.channel.name,
              partition,
              requestedOffset: pl.requested,
              availableOffset: pl.available,
              reason: pl.reason === 'deleted' ? ContinuityReason.DELETED : ContinuityReason.AHEAD_OF_LOG,
            },
          });
          conn.log.warn(
            {
              channel: sub.channel.name,
              partition,
              requested: pl.requested,
              available: pl.available,
              reason: pl.reason,
            },
            'continuity lost',
          );
          note(tally, 'continuity-lost', 0);
          sub.positions.set(partition, pl.available - 1);
          bounds = undefined;
          break;
        }
        case 'window': {
          const ps = topic.partitions.get(partition);
          if (!ps) return;
          const records = ps.window.readFrom(pl.from, SYNC_TAIL_RECORDS * 4);
          const last = records[records.length - 1];
          if (!last) {
            // The window covers [from, live] and holds no record there: those
            // offsets are control markers or aborted records. Nothing to send.
            sub.positions.set(partition, ps.live);
            break;
          }
          await sendReplayed(ctx, conn, sub, filterForChannel(sub, records));
          if (recreatedMeanwhile()) break;
          sub.positions.set(partition, last.offset);
          note(tally, 'window', records.length);
          break;
        }
        case 'kafka': {
          const to = Math.min(pl.to, pl.from + KAFKA_CHUNK_RECORDS - 1);
          let records: EdgeRecord[];
          try {
            records = await readKafka(topic, partition, pl.from, to);
          } catch (err) {
            if (recreatedMeanwhile()) break;
            bounds = undefined;
            if (++sourceFailures > MAX_SOURCE_FAILURES) throw err;
            await new Promise((r) => setTimeout(r, 100 * sourceFailures));
            break;
          }
          if (recreatedMeanwhile()) break;
          await sendReplayed(ctx, conn, sub, filterForChannel(sub, records));
          if (recreatedMeanwhile()) break;
          sub.positions.set(partition, to);
          note(tally, 'kafka', records.length);
          bounds = undefined;
          break;
        }
        case 'wait': {
          // This edge is behind the client's position (another edge read
          // further). Wait for ingest to get there.
          await topic.partitions.get(partition)?.advanced(WAIT_SLICE_MS);
          recreatedMeanwhile();
          bounds = undefined;
          break;
        }
        case 'none':
          break;
      }
    }
  } catch (err) {
    if (err instanceof Abort || conn.closed) return;
    sub.catchingUp = false;
    conn.log.error({ err, channel: sub.channel.name }, 'catch-up failed');
    conn.error(ErrorCode.SOURCE_UNAVAILABLE, 'cannot read the replay source', {
      channel: sub.channel.name,
      retriable: true,
    });
    conn.close(CloseCode.SOURCE_UNAVAILABLE, 'replay source unavailable');
  } finally {
    sub.catchingUp = false;
  }
}

function isReady(topic: TopicState, sub: Subscription, partition: number, pl: ReplayPlan): boolean {
  const ps = topic.partitions.get(partition);
  const tail = ps ? ps.live - (sub.positions.get(partition) ?? ps.live) : 0;
  return pl.kind === 'none' || (pl.kind === 'window' && tail <= SYNC_TAIL_RECORDS);
}

function subscriptionReady(ctx: CatchUpContext, sub: Subscription): boolean {
  const topic = ctx.topics.get(sub.channel.topic);
  return !!topic && sub.partitions.every((p) => isReady(topic, sub, p, plan(sub, topic, p)));
}

/**
 * Puts a connection taken off live (a slow client that drained) back on
 * live. Its subscriptions were live, so the client routes live publications
 * to them: if one of them went live while another still replays, a live
 * record would reach the replaying one ahead of its replay and the client's
 * per-(channel, partition) watermark would then drop the replayed records.
 * So every subscription is brought near live first (held), and all switch
 * together in one synchronous step; until then the socket stays off its uWS
 * topics (`lagging`).
 */
export async function catchUpConnection(ctx: CatchUpContext, conn: Connection): Promise<void> {
  if (conn.catchUpRunning) return;
  conn.catchUpRunning = true;
  const tallies = new Map<Subscription, Tally>();
  const tallyOf = (sub: Subscription): Tally => {
    let t = tallies.get(sub);
    if (!t) tallies.set(sub, (t = { source: undefined, records: 0 }));
    return t;
  };
  try {
    for (;;) {
      if (conn.closed) return;
      const subs = [...conn.subs.values()].filter((s) => s.state === 'replaying' && !s.cancelled);
      let busy = false;
      for (const sub of subs) {
        if (sub.catchingUp) busy = true;
        else await bringLive(ctx, conn, sub, { hold: true, tally: tallyOf(sub) });
      }
      if (conn.closed) return;
      if (busy) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      // Synchronous from here to the end.
      if (!subs.every((s) => s.cancelled || subscriptionReady(ctx, s))) continue;
      conn.lagging = false;
      for (const sub of subs) {
        const topic = ctx.topics.get(sub.channel.topic);
        if (!topic || sub.cancelled) continue;
        const tally = tallyOf(sub);
        const tail = switchToLive(ctx, conn, sub, topic);
        if (tail > 0) note(tally, 'window', tail);
        report(ctx, tally);
      }
      ctx.updateLiveTopics(conn);
      return;
    }
  } finally {
    conn.catchUpRunning = false;
  }
}

/** Returns the number of tail records sent from the window. */
function switchToLive(ctx: CatchUpContext, conn: Connection, sub: Subscription, topic: TopicState): number {
  // Synchronous from here to the end (see bringLive).
  let sent = 0;
  const positions: Array<{ partition: number; offset: number }> = [];
  for (const p of sub.partitions) {
    const ps = topic.partitions.get(p);
    if (!ps) continue;
    const after = sub.positions.get(p) ?? ps.live;
    if (after < ps.live) {
      const tail = filterForChannel(sub, ps.window.readFrom(after + 1));
      if (tail.length > 0) {
        conn.ws.cork(() => {
          for (const r of tail) conn.sendBytes(replayFrame(r, sub.channel.name));
        });
      }
      sent += tail.length;
    }
    sub.positions.set(p, ps.live);
    positions.push({ partition: p, offset: ps.live });
  }
  sub.state = 'live';
  const announce = sub.announce;
  if (announce) {
    sub.announce = null;
    conn.send({
      kind: 'subscribed',
      subscribed: {
        requestId: announce.requestId,
        channel: sub.channel.name,
        positions,
        resumed: announce.resumed,
      },
    });
  }
  ctx.updateLiveTopics(conn);
  return sent;
}
