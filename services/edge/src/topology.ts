import { ContinuityReason, type ContinuityReasonValue } from '@fanout/protocol';
import type { Connection, Subscription } from './connection.js';
import type { SessionStore } from './store/session-store.js';
import type { PartitionState, TopicState } from './topic-state.js';

/**
 * What the edge does for its connections when a served topic's shape
 * changes under them (called by the topic registry, synchronously, before
 * any record of the new shape is published).
 */

function* subscriptionsOf(conns: Iterable<Connection>, topic: string): Generator<[Connection, Subscription]> {
  for (const conn of conns) {
    if (conn.closed) continue;
    for (const sub of conn.subs.values())
      if (!sub.cancelled && sub.channel.topic === topic) yield [conn, sub];
  }
}

function lost(
  conn: Connection,
  sub: Subscription,
  partition: number,
  requested: number,
  available: number,
  reason: ContinuityReasonValue,
): void {
  conn.send({
    kind: 'continuityLost',
    continuityLost: {
      channel: sub.channel.name,
      partition,
      requestedOffset: requested,
      availableOffset: available,
      reason,
    },
  });
  conn.log.warn({ channel: sub.channel.name, partition, requested, available, reason }, 'continuity lost');
}

/**
 * Partitions added to a topic: every subscription of it now covers them from
 * their first offset (ingest publishes them from there, so live
 * subscriptions get every record; replaying ones plan them like the rest).
 */
export function onPartitionsAdded(
  conns: Iterable<Connection>,
  topic: TopicState,
  added: PartitionState[],
): void {
  for (const [, sub] of subscriptionsOf(conns, topic.name)) {
    for (const ps of added) {
      if (sub.partitions.includes(ps.partition)) continue;
      sub.partitions.push(ps.partition);
      sub.positions.set(ps.partition, ps.live);
    }
    sub.partitions.sort((a, b) => a - b);
  }
}

/**
 * Live records of one partition that will never be published (deleted
 * before ingest read them, or a truncated log): live subscribers are told.
 * Replaying ones meet the same bounds in their own plan.
 */
export function onLiveGap(
  conns: Iterable<Connection>,
  ps: PartitionState,
  requested: number,
  available: number,
  reason: 'deleted' | 'ahead-of-log',
): void {
  const code = reason === 'deleted' ? ContinuityReason.DELETED : ContinuityReason.AHEAD_OF_LOG;
  for (const [conn, sub] of subscriptionsOf(conns, ps.topic)) {
    if (sub.state !== 'live' || !sub.partitions.includes(ps.partition)) continue;
    lost(conn, sub, ps.partition, requested, available, code);
  }
}

/**
 * A topic deleted and recreated: every subscription, live or catching up,
 * gets `ContinuityLost TOPIC_RECREATED` for each of its partitions and starts
 * over at the new topic's first offsets; the session store forgets the old
 * topic's positions (a new epoch, the topic id).
 */
export function onTopicRecreated(
  ctx: {
    store: SessionStore;
    acks: { flush(timeoutMs: number): Promise<void> };
    limits: { maxSubscriptions: number };
  },
  conns: Iterable<Connection>,
  topic: TopicState,
  previous: Map<number, number>,
): void {
  const partitions = topic.partitionList();
  const rewrites: Array<[Connection, Subscription, Map<number, number>]> = [];
  for (const [conn, sub] of subscriptionsOf(conns, topic.name)) {
    for (const p of sub.partitions) {
      const sent = sub.state === 'live' ? (previous.get(p) ?? -1) : (sub.positions.get(p) ?? -1);
      const available = topic.partitions.get(p)?.logStart ?? 0;
      lost(conn, sub, p, sent + 1, available, ContinuityReason.TOPIC_RECREATED);
    }
    sub.partitions.length = 0;
    sub.partitions.push(...partitions);
    sub.positions.clear();
    sub.sent.clear();
    // Cleared, not only dropped: a catch-up still running on the old topic holds the map.
    sub.claims?.clear();
    sub.claims = undefined;
    for (const p of partitions) sub.positions.set(p, (topic.partitions.get(p)?.logStart ?? 0) - 1);
    if (conn.sessionId) rewrites.push([conn, sub, new Map(sub.positions)]);
  }
  // Acks of the old topic still pending are written first, so none lands
  // on top of the new positions.
  ctx.acks
    .flush(5000)
    .catch(() => undefined)
    .then(async () => {
      for (const [conn, sub, positions] of rewrites)
        await ctx.store
          .subscribe(
            conn.sessionId,
            conn.epoch,
            sub.channel.name,
            positions,
            ctx.limits.maxSubscriptions,
            topic.id,
          )
          .catch((err: unknown) =>
            conn.log.warn({ err, channel: sub.channel.name }, 'cannot store the recreated topic positions'),
          );
    });
}
