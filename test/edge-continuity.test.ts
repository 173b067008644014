import { ContinuityReason, Start } from '@fanout/protocol';
import { describe, expect, inject, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { connect, edgeEnv, waitForStoredAcks } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

const KEYS = Array.from({ length: 12 }, (_, i) => `key-${i}`);
const DELETED_PAST_ACK = 20;

describe('continuity lost', () => {
  it('tells a resuming client which range deleteRecords took beyond its ack, then continues', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const keyChannel = `${topic}:key-1`;
    const channels = [topic, keyChannel];
    const env = edgeEnv(topic);
    const first = await startEdgeProcess(env);

    const client = await connect(first.url, { name: 'first' });
    const { sessionId } = await client.hello();
    for (const channel of channels)
      expect(isError(await client.subscribe(channel, Start.LATEST))).toBe(false);
    const produced = await kafka.produce(topic, 300, KEYS);
    await client.waitFor(
      () => channels.every((c) => client.subs.get(c)?.received.length === expectedFor(c, produced).length),
      'the first records',
    );
    // Where every record landed, as the edge delivered them.
    const where = new Map(
      (client.subs.get(topic)?.received ?? []).map((r) => [Number.parseInt(r.payload, 10), r] as const),
    );
    const ackOf = (channel: string) => {
      const last = new Map<number, number>();
      for (const r of client.subs.get(channel)?.received ?? [])
        if (Number.parseInt(r.payload, 10) < 100) last.set(r.partition, r.offset);
      return last;
    };
    const acks = channels.map((channel) => ({
      channel,
      positions: [...ackOf(channel)].map(([partition, offset]) => ({ partition, offset })),
    }));
    for (const a of acks) client.ack(a.channel, a.positions);
    await waitForStoredAcks(sessionId, acks);
    await client.end();

    // Truncate every partition 20 records past the whole-topic ack.
    const topicAck = ackOf(topic);
    const logStart = new Map<number, number>();
    for (const [partition, offset] of topicAck) {
      logStart.set(partition, offset + 1 + DELETED_PAST_ACK);
      await kafka.deleteRecordsBefore(topic, partition, offset + 1 + DELETED_PAST_ACK);
    }
    const bounds = await kafka.bounds(topic);
    for (const [p, start] of logStart) expect(bounds.get(p)?.low).toBe(start);

    // A fresh edge (nothing in its window): the gap must come from Kafka, where it is gone.
    const second = await startEdgeProcess(env);
    const resumed = await connect(second.url, { name: 'resumed' });
    await resumed.hello({ sessionId });
    await resumed.waitFor(() => channels.every((c) => resumed.subs.get(c)?.live), 'Subscribed after resume');
    const live = await kafka.produce(topic, 60, KEYS);

    // Every channel's position spans every partition, `<topic>:<key>` too (which
    // partition holds a key is the producer's business): a key channel whose
    // key has no record on a partition still lost that partition's deleted range.
    const expectedLost = acks.flatMap(({ channel, positions }) =>
      [...logStart.keys()].map((partition) => ({
        channel,
        partition,
        requestedOffset: (positions.find((p) => p.partition === partition)?.offset ?? -1) + 1,
        availableOffset: logStart.get(partition),
        reason: ContinuityReason.DELETED,
      })),
    );
    const byKey = (a: { channel: string; partition: number }, b: { channel: string; partition: number }) =>
      a.channel.localeCompare(b.channel) || a.partition - b.partition;
    expect([...resumed.continuityLost].sort(byKey)).toEqual(expectedLost.sort(byKey));

    // Then everything from the new log start, replayed, and the live records.
    const survivors = produced.filter((r) => {
      const at = where.get(r.seq);
      return at !== undefined && at.offset >= (logStart.get(at.partition) ?? 0);
    });
    const wanted = [...survivors, ...live];
    await resumed.waitFor(
      () => channels.every((c) => resumed.subs.get(c)?.received.length === expectedFor(c, wanted).length),
      'the surviving records and the live ones',
    );
    for (const channel of channels) {
      const c = compare(resumed.subs.get(channel)?.received ?? [], expectedFor(channel, wanted));
      expect(problems(c), channel).toBe('');
    }
    expect(resumed.violations).toEqual([]);
    expect(resumed.errors).toEqual([]);
    console.log(
      `continuity lost: ${resumed.continuityLost
        .map((l) => `${l.channel} p${l.partition} [${l.requestedOffset}, ${l.availableOffset})`)
        .join(', ')}; then ${wanted.length} records`,
    );
  });
});
