import { Start } from '@fanout/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, waitForStoredAcks } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { type KcatRecord, kcatConsume, kcatProduce } from './support/kcat.js';
import { type RawClient, type Received, isError } from './support/raw-client.js';

afterAll(closeRedis);

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const KEYS = ['alpha', 'beta', 'gamma', 'delta'];
const HEADERS = ['a=1', 'b=2', 'a=3', '__proto__=x', 'constructor=y'];
const utf8 = new TextDecoder();

/** `n` lines for kcat: mostly keyed, every fifth unkeyed; payload names the codec and the line. */
function lines(codec: string, from: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const seq = from + i;
    const value = `${codec}-${seq}-${'x'.repeat(seq % 50)}`;
    return seq % 5 === 4 ? value : `${KEYS[seq % KEYS.length]}:${value}`;
  });
}

/** What a subscription got, as kcat prints records, keyed by partition/offset. */
function asKcat(received: Received[]): KcatRecord[] {
  return received.map((r) => {
    const pub = r.pub;
    if (!pub) throw new Error('keepPublications is off');
    return {
      partition: pub.partition,
      offset: pub.offset,
      timestampMs: pub.timestampMs,
      key: pub.key === null ? null : utf8.decode(pub.key),
      value: utf8.decode(pub.payload),
      headers: pub.headers.map((h) => `${h.key}=${h.value === null ? '' : utf8.decode(h.value)}`).join(','),
    };
  });
}

const order = (a: KcatRecord, b: KcatRecord) => a.partition - b.partition || a.offset - b.offset;

/** Every record of `reference` that `channel` should get, exactly once, byte for byte (as text here). */
function check(client: RawClient, channel: string, reference: KcatRecord[]): void {
  const key = channel.includes(':') ? channel.slice(channel.indexOf(':') + 1) : undefined;
  const want = reference.filter((r) => key === undefined || r.key === key).sort(order);
  const got = asKcat(client.subs.get(channel)?.received ?? []).sort(order);
  expect(got, channel).toEqual(want);
}

describe('records from producers other than kafkajs', () => {
  it('kcat (librdkafka, CRC32 partitioner), every codec: exactly once to topic and key channels, byte-identical, live and resumed from Kafka, then live again', async () => {
    const brokers = inject('kafkaBrokers');
    const kafka = TestKafka.create(brokers);
    const topic = await kafka.topic(3);
    const channels = [topic, ...KEYS.map((k) => `${topic}:${k}`)];
    // No window: the resume below must read Kafka.
    const edge = await startEdgeProcess(
      edgeEnv(topic, { WINDOW_MAX_RECORDS: '1', WINDOW_PRELOAD_RECORDS: '0' }),
    );

    const first = await connect(edge.url, { name: 'first', keepPublications: true });
    const { sessionId } = await first.hello();
    for (const c of channels) expect(isError(await first.subscribe(c, Start.LATEST))).toBe(false);
    let seq = 0;
    for (const codec of CODECS) {
      await kcatProduce(brokers, topic, lines(codec, seq, 40), { codec, headers: HEADERS });
      seq += 40;
    }
    const liveReference = await kcatConsume(brokers, topic);
    expect(liveReference).toHaveLength(200);
    // The CRC32 partitioner put keys elsewhere than murmur2 would: they must still arrive.
    expect(new Set(liveReference.map((r) => r.partition)).size).toBe(3);
    const countFor = (c: string, ref: KcatRecord[]) =>
      c === topic ? ref.length : ref.filter((r) => r.key === c.slice(topic.length + 1)).length;
    await first.waitFor(
      () => channels.every((c) => first.subs.get(c)?.received.length === countFor(c, liveReference)),
      'every live record',
    );
    for (const c of channels) check(first, c, liveReference);
    expect(first.violations).toEqual([]);

    // Ack the first codec's records only, leave, and let kcat write more meanwhile.
    const acks = channels.map((channel) => {
      const last = new Map<number, number>();
      for (const r of first.subs.get(channel)?.received ?? [])
        if (r.pub && utf8.decode(r.pub.payload).startsWith('none-')) last.set(r.partition, r.offset);
      return { channel, positions: [...last].map(([partition, offset]) => ({ partition, offset })) };
    });
    for (const a of acks) first.ack(a.channel, a.positions);
    await waitForStoredAcks(sessionId, acks);
    await first.end();
    for (const codec of CODECS) {
      await kcatProduce(brokers, topic, lines(codec, seq, 20), { codec, headers: HEADERS });
      seq += 20;
    }

    const resumed = await connect(edge.url, { name: 'resumed', keepPublications: true });
    await resumed.hello({ sessionId });
    await resumed.waitFor(() => channels.every((c) => resumed.subs.get(c)?.live), 'Subscribed after resume');
    for (const codec of CODECS) {
      await kcatProduce(brokers, topic, lines(codec, seq, 10), { codec, headers: HEADERS });
      seq += 10;
    }
    const all = await kcatConsume(brokers, topic);
    expect(all).toHaveLength(350);
    const acked = new Map(
      acks.map((a) => [a.channel, new Map(a.positions.map((p) => [p.partition, p.offset]))]),
    );
    const unacked = (c: string) => all.filter((r) => r.offset > (acked.get(c)?.get(r.partition) ?? -1));
    await resumed.waitFor(
      () => channels.every((c) => resumed.subs.get(c)?.received.length === countFor(c, unacked(c))),
      'everything after the acks, then the live records',
    );
    for (const c of channels) check(resumed, c, unacked(c));
    expect(resumed.violations).toEqual([]);
    expect(resumed.continuityLost).toEqual([]);
    expect(resumed.errors).toEqual([]);
    const replayed = (resumed.subs.get(topic)?.received ?? []).filter((r) => r.replayed).length;
    expect(replayed).toBeGreaterThan(0);
    console.log(
      `kcat: ${all.length} records over ${CODECS.length} codecs; resumed from Kafka with ${replayed} replayed on ${topic}, then live`,
    );
  });
});
