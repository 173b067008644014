// `from: { timestamp }` against the real broker: the edge resolves the time
// with Kafka's offsets for times (KafkaLog.offsetsForTimestamp), and the SDK
// gets exactly the records at or after it, then live ones.
import { createTopic, uniqueId, waitFor } from '@fanout/testing';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { sdkClient } from './support/sdk-client.js';
import { sdkEdgeEnv } from './support/sdk-fixtures.js';

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN'];

async function producerFor(topic: string) {
  const kafka = new Kafka({
    clientId: uniqueId('ts'),
    brokers: inject('kafkaBrokers'),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  let seq = 0;
  /** `count` ticks whose Kafka timestamp (CreateTime) is `at`, spread over the partitions by key. */
  return async (count: number, at: number): Promise<number[]> => {
    const seqs = Array.from({ length: count }, () => seq++);
    await producer.send({
      topic,
      acks: -1,
      messages: seqs.map((s) => ({
        key: SYMBOLS[s % SYMBOLS.length],
        value: JSON.stringify({ seq: s }),
        timestamp: String(at),
      })),
    });
    return seqs;
  };
}

describe('from: { timestamp }', () => {
  it('starts at the first record at or after the time in each partition, then goes live', async () => {
    const topic = await createTopic(inject('kafkaBrokers'), { partitions: 3 });
    const produce = await producerFor(topic);
    const now = Date.now();
    await produce(30, now - 60_000);
    const recent = await produce(30, now - 30_000);
    const edge = await startEdgeProcess(sdkEdgeEnv(topic));

    const c = sdkClient(topic, { endpoints: edge.url, from: { timestamp: new Date(now - 45_000) } });
    await c.subscription.ready({ timeoutMs: 30_000 });
    const live = await produce(10, Date.now());
    const expected = [...recent, ...live];
    await waitFor(() => (c.seqs.length >= expected.length ? true : undefined), {
      timeoutMs: 30_000,
      description: `${expected.length} records (got ${c.seqs.length})`,
    });
    expect([...c.seqs].sort((a, b) => a - b)).toEqual(expected);
  });

  it('a time after every record starts at the log end, like latest; a time before all of them, at the start', async () => {
    const topic = await createTopic(inject('kafkaBrokers'), { partitions: 2 });
    const produce = await producerFor(topic);
    const old = await produce(20, Date.now() - 10_000);
    const edge = await startEdgeProcess(sdkEdgeEnv(topic));

    const future = sdkClient(topic, { endpoints: edge.url, from: { timestamp: Date.now() + 3_600_000 } });
    const past = sdkClient(topic, { endpoints: edge.url, from: { timestamp: 0 } });
    await Promise.all([future, past].map((c) => c.subscription.ready({ timeoutMs: 30_000 })));
    const fresh = await produce(5, Date.now());
    await waitFor(() => (future.seqs.length >= 5 && past.seqs.length >= 25 ? true : undefined), {
      timeoutMs: 30_000,
      description: `future ${future.seqs.length}/5, past ${past.seqs.length}/25`,
    });
    expect([...future.seqs].sort((a, b) => a - b)).toEqual(fresh);
    expect([...past.seqs].sort((a, b) => a - b)).toEqual([...old, ...fresh]);
  });
});
