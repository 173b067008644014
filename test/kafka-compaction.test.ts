import { Start } from '@fanout/protocol';
import { waitFor } from '@fanout/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, waitForStoredAcks } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { kcatConsume } from './support/kcat.js';
import { isError } from './support/raw-client.js';

afterAll(closeRedis);

const KEYS = Array.from({ length: 8 }, (_, i) => `key${i}`);
const ROUNDS = 25;

describe('compacted topics', () => {
  it('after compaction has run, START_EARLIEST and a resume from Kafka get exactly the surviving records, then live', async () => {
    const brokers = inject('kafkaBrokers');
    const kafka = TestKafka.create(brokers);
    const topic = await kafka.topic(1, {
      'cleanup.policy': 'compact',
      'segment.bytes': '2048',
      'segment.ms': '100',
      'min.cleanable.dirty.ratio': '0.01',
      'min.compaction.lag.ms': '0',
      'delete.retention.ms': '100',
      'max.compaction.lag.ms': '1000',
    });
    const producer = await kafka.producer();
    for (let round = 0; round < ROUNDS; round++) {
      await producer.send({
        topic,
        acks: -1,
        // The repeated keys leave only their last round; each round's own key survives: gaps.
        messages: [...KEYS, `only${round}`].map((key) => ({
          key,
          value: `${key}@${round}-${'p'.repeat(40)}`,
        })),
      });
      await new Promise((r) => setTimeout(r, 20));
    }
    const produced = (KEYS.length + 1) * ROUNDS;
    // Wait for the cleaner: records of older rounds disappear (the active segment stays whole).
    let survivors = await kcatConsume(brokers, topic);
    await waitFor(
      async () => {
        await producer.send({ topic, acks: -1, messages: [{ key: 'tick', value: 'tick' }] });
        survivors = (await kcatConsume(brokers, topic)).filter((r) => r.key !== 'tick');
        return survivors.length < produced / 2;
      },
      { timeoutMs: 90_000, intervalMs: 1000, description: 'the log cleaner to compact the topic' },
    );
    // Freeze the result (no more cleaning, nothing deleted) so the reference stays the truth.
    const admin = await kafka.admin();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            { name: 'cleanup.policy', value: 'delete' },
            { name: 'retention.ms', value: '-1' },
          ],
        },
      ],
    });
    const reference = await kcatConsume(brokers, topic);
    const gaps = reference.filter(
      (r, i) => i > 0 && r.offset !== (reference[i - 1]?.offset as number) + 1,
    ).length;
    expect(gaps, `offsets: ${reference.map((r) => r.offset).join(',')}`).toBeGreaterThan(0);
    const last = reference.at(-1)?.offset as number;

    // Edges started after compaction: one with the default preload, one reading only Kafka.
    const [edge, kafkaOnly] = await Promise.all([
      startEdgeProcess(edgeEnv(topic)),
      startEdgeProcess(edgeEnv(topic, { WINDOW_MAX_RECORDS: '1', WINDOW_PRELOAD_RECORDS: '0' })),
    ]);
    for (const [label, e] of [
      ['preloaded', edge],
      ['kafka-only', kafkaOnly],
    ] as const) {
      const now = await kcatConsume(brokers, topic);
      const client = await connect(e.url, { name: `${label}/earliest` });
      const { sessionId } = await client.hello();
      const s = await client.subscribe(topic, Start.EARLIEST);
      expect(isError(s), label).toBe(false);
      await client.waitFor(
        () => client.subs.get(topic)?.received.length === now.length,
        `${label}: survivors`,
      );
      expect(
        client.subs.get(topic)?.received.map((r) => r.offset),
        label,
      ).toEqual(now.map((r) => r.offset));
      // Live after the compacted history.
      await producer.send({ topic, acks: -1, messages: [{ key: 'live', value: `live-${label}` }] });
      await client.waitFor(
        () => client.subs.get(topic)?.received.at(-1)?.payload === `live-${label}`,
        `${label}: live`,
      );
      expect(client.violations).toEqual([]);

      // Resume from an ack in the compacted range: exactly the survivors after it.
      const ackAt = reference[Math.floor(reference.length / 3)]?.offset as number;
      client.ack(topic, [{ partition: 0, offset: ackAt }]);
      await waitForStoredAcks(sessionId, [{ channel: topic, positions: [{ partition: 0, offset: ackAt }] }]);
      const expected = (client.subs.get(topic)?.received ?? [])
        .filter((r) => r.offset > ackAt)
        .map((r) => r.offset);
      await client.end();
      const resumed = await connect(kafkaOnly.url, { name: `${label}/resumed` });
      await resumed.hello({ sessionId });
      await resumed.waitFor(
        () => resumed.subs.get(topic)?.live === true,
        `${label}: Subscribed after resume`,
      );
      await resumed.waitFor(
        () => (resumed.subs.get(topic)?.received.length ?? 0) >= expected.length,
        `${label}: replay`,
      );
      expect(resumed.subs.get(topic)?.received.map((r) => r.offset)).toEqual(expected);
      expect(resumed.continuityLost).toEqual([]);
      expect(resumed.violations).toEqual([]);
      await resumed.end();
    }
    console.log(
      `compaction: ${produced} produced, ${reference.length} survive up to offset ${last} with ${gaps} gaps; both edges served exactly them, then live`,
    );
  });
});
