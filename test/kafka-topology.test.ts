import { ContinuityReason, Start } from '@fanout/protocol';
import { createTopic, waitFor } from '@fanout/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, waitForStoredAcks } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { isError } from './support/raw-client.js';

afterAll(closeRedis);

const offsetsOf = (received: Array<{ partition: number; offset: number }> | undefined, partition: number) =>
  (received ?? []).filter((r) => r.partition === partition).map((r) => r.offset);

describe('topology changes', () => {
  it('partitions added to a served topic: live subscribers get their records within the refresh interval, a session that subscribed before resumes them from their start', async () => {
    const brokers = inject('kafkaBrokers');
    const kafka = TestKafka.create(brokers);
    const topic = await kafka.topic(2);
    const edge = await startEdgeProcess(edgeEnv(topic, { EDGE_TOPIC_REFRESH_MS: '1000' }));
    const away = await connect(edge.url, { name: 'away' });
    const { sessionId } = await away.hello();
    expect(isError(await away.subscribe(topic, Start.LATEST))).toBe(false);
    await away.end();
    const live = await connect(edge.url, { name: 'live' });
    await live.hello();
    const subscribed = await live.subscribe(topic, Start.LATEST);
    expect(isError(subscribed) ? [] : subscribed.positions.map((p) => p.partition)).toEqual([0, 1]);
    expect(isError(await live.subscribe(`${topic}:k`, Start.LATEST))).toBe(false);

    const admin = await kafka.admin();
    await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
    const producer = await kafka.producer();
    const addedAt = Date.now();
    for (const partition of [0, 1, 2, 3])
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 10 }, (_, i) => ({
          partition,
          key: 'k',
          value: `p${partition}-${i}`,
        })),
      });
    await live.waitFor(
      () => live.subs.get(topic)?.received.length === 40,
      'records of the new partitions, live',
    );
    const within = Date.now() - addedAt;
    for (const p of [0, 1, 2, 3]) {
      expect(offsetsOf(live.subs.get(topic)?.received, p)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(offsetsOf(live.subs.get(`${topic}:k`)?.received, p)).toHaveLength(10);
    }
    // Acks on a new partition are accepted.
    live.ack(topic, [{ partition: 3, offset: 9 }]);
    expect(live.violations).toEqual([]);

    const resumed = await connect(edge.url, { name: 'resumed' });
    await resumed.hello({ sessionId });
    await resumed.waitFor(() => resumed.subs.get(topic)?.live === true, 'Subscribed after resume');
    await resumed.waitFor(() => resumed.subs.get(topic)?.received.length === 40, 'the records it missed');
    expect(resumed.subs.get(topic)?.subscribed?.positions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    for (const p of [0, 1, 2, 3]) expect(offsetsOf(resumed.subs.get(topic)?.received, p)).toHaveLength(10);
    const fresh = await connect(edge.url, { name: 'fresh' });
    await fresh.hello();
    const s = await fresh.subscribe(topic, Start.LATEST);
    expect(isError(s) ? [] : s.positions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(live.errors).toEqual([]);
    console.log(
      `partitions added: records on 2 new partitions delivered live ${within} ms after they were added (refresh 1 s)`,
    );
  });

  it('a topic deleted and recreated, shorter and longer than the acks: ContinuityLost TOPIC_RECREATED to live and resuming subscribers, then the new records', async () => {
    const brokers = inject('kafkaBrokers');
    const kafka = TestKafka.create(brokers);
    const topic = await kafka.topic(1);
    const edge = await startEdgeProcess(edgeEnv(topic, { EDGE_TOPIC_REFRESH_MS: '1000' }));
    const produced = await kafka.produce(topic, 100, [null]);
    expect(produced).toHaveLength(100);

    // Two sessions away with acks at 79 (the new topic will be shorter) and 9 (longer).
    const sessions: Array<{ id: string; ack: number }> = [];
    for (const ack of [79, 9]) {
      const c = await connect(edge.url, { name: `away-${ack}` });
      const { sessionId } = await c.hello();
      expect(isError(await c.subscribe(topic, Start.EARLIEST))).toBe(false);
      await c.waitFor(() => c.subs.get(topic)?.received.length === 100, 'the old records');
      c.ack(topic, [{ partition: 0, offset: ack }]);
      await waitForStoredAcks(sessionId, [{ channel: topic, positions: [{ partition: 0, offset: ack }] }]);
      await c.end();
      sessions.push({ id: sessionId, ack });
    }
    const live = await connect(edge.url, { name: 'live' });
    await live.hello();
    expect(isError(await live.subscribe(topic, Start.EARLIEST))).toBe(false);
    await live.waitFor(() => live.subs.get(topic)?.received.length === 100, 'the old records, live');

    const admin = await kafka.admin();
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(
      async () => {
        try {
          await createTopic(brokers, { name: topic, partitions: 1 });
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the topic to be created again' },
    );
    await kafka.produce(topic, 30, [null]);
    await live.waitFor(() => live.continuityLost.length === 1, 'ContinuityLost on the live subscription');
    expect(live.continuityLost[0]).toMatchObject({
      channel: topic,
      partition: 0,
      requestedOffset: 100,
      availableOffset: 0,
      reason: ContinuityReason.TOPIC_RECREATED,
    });
    await live.waitFor(() => live.subs.get(topic)?.received.length === 130, 'the new topic, live');
    // The client's per-partition order restarts after the signal (not a violation of the old order).
    expect(offsetsOf(live.subs.get(topic)?.received, 0).slice(100)).toEqual(
      Array.from({ length: 30 }, (_, i) => i),
    );

    for (const { id, ack } of sessions) {
      const resumed = await connect(edge.url, { name: `resumed-${ack}` });
      await resumed.hello({ sessionId: id });
      await resumed.waitFor(() => resumed.subs.get(topic)?.live === true, 'Subscribed after resume');
      await resumed.waitFor(
        () => resumed.subs.get(topic)?.received.length === 30,
        'the new topic from its start',
      );
      expect(resumed.continuityLost, `ack ${ack}`).toEqual([
        expect.objectContaining({
          channel: topic,
          partition: 0,
          requestedOffset: ack + 1,
          availableOffset: 0,
          reason: ContinuityReason.TOPIC_RECREATED,
        }),
      ]);
      expect(offsetsOf(resumed.subs.get(topic)?.received, 0)).toEqual(
        Array.from({ length: 30 }, (_, i) => i),
      );
      expect(resumed.violations).toEqual([]);
    }
    console.log(
      'topic recreated: live and resuming subscribers (acks 79 and 9, new topic 30 records) got TOPIC_RECREATED, then the new records',
    );
  });

  it('deleteRecords past an ack: the same ContinuityLost from an edge whose window held the records and from one that never had them', async () => {
    const brokers = inject('kafkaBrokers');
    const kafka = TestKafka.create(brokers);
    const topic = await kafka.topic(1);
    // The windowed edge's ingest long-polls for 10 s: it learns of the new log start only from a fresh read.
    const [windowed, kafkaOnly] = await Promise.all([
      startEdgeProcess(edgeEnv(topic, { KAFKA_FETCH_MAX_WAIT_MS: '10000' })),
      startEdgeProcess(edgeEnv(topic, { WINDOW_MAX_RECORDS: '1', WINDOW_PRELOAD_RECORDS: '0' })),
    ]);
    const sessions: string[] = [];
    for (const name of ['a', 'b']) {
      const c = await connect(windowed.url, { name });
      const { sessionId } = await c.hello();
      expect(isError(await c.subscribe(topic, Start.LATEST))).toBe(false);
      sessions.push(sessionId);
      await c.end();
    }
    const watcher = await connect(windowed.url, { name: 'watcher', keepPayload: false });
    await watcher.hello();
    expect(isError(await watcher.subscribe(topic, Start.LATEST))).toBe(false);
    await kafka.produce(topic, 100, [null]);
    await watcher.waitFor(
      () => watcher.subs.get(topic)?.received.length === 100,
      'the window to hold 100 records',
    );
    for (const id of sessions) {
      const c = await connect(windowed.url);
      await c.hello({ sessionId: id });
      await c.waitFor(() => c.subs.get(topic)?.received.length === 100, 'the records');
      c.ack(topic, [{ partition: 0, offset: 39 }]);
      await waitForStoredAcks(id, [{ channel: topic, positions: [{ partition: 0, offset: 39 }] }]);
      await c.end();
    }
    await kafka.deleteRecordsBefore(topic, 0, 60);
    const answers = [];
    for (const [edge, id] of [
      [windowed, sessions[0]],
      [kafkaOnly, sessions[1]],
    ] as const) {
      const c = await connect(edge.url);
      await c.hello({ sessionId: id as string });
      await c.waitFor(() => c.subs.get(topic)?.live === true, 'Subscribed');
      await c.waitFor(() => c.subs.get(topic)?.received.length === 40, 'the records that are left');
      expect(offsetsOf(c.subs.get(topic)?.received, 0)).toEqual(Array.from({ length: 40 }, (_, i) => 60 + i));
      answers.push(c.continuityLost);
    }
    const expected = [
      {
        channel: topic,
        partition: 0,
        requestedOffset: 40,
        availableOffset: 60,
        reason: ContinuityReason.DELETED,
      },
    ];
    expect(answers[0]).toEqual([expect.objectContaining(expected[0])]);
    expect(answers[1]).toEqual([expect.objectContaining(expected[0])]);
    console.log('deleteRecords: both edges answered ContinuityLost [40, 60) DELETED, then 60..99');
  });
});
