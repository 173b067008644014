import { createTopic, uniqueId, waitFor } from '@fanout/testing';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

interface Received {
  partition: number;
  offset: bigint;
  key: string;
  value: string;
}

describe('the harness broker', () => {
  it('takes records on a new 3-partition topic and gives every one back in partition order', async () => {
    const brokers = inject('kafkaBrokers');
    const topic = await createTopic(brokers, { partitions: 3 });
    const kafka = new Kafka({ clientId: uniqueId('smoke'), brokers, logLevel: logLevel.ERROR });
    onTestFinished(async () => {
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] });
      await admin.disconnect();
    });

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    const sent = Array.from({ length: 300 }, (_, seq) => ({
      key: keys[seq % keys.length] as string,
      value: `v${seq}`,
    }));
    await producer.send({ topic, acks: -1, messages: sent });

    const received: Received[] = [];
    // A short fetch wait: disconnect() waits for the fetch in flight.
    const consumer = kafka.consumer({ groupId: uniqueId('g'), maxWaitTimeInMs: 200 });
    await consumer.connect();
    onTestFinished(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push({
          partition,
          offset: BigInt(message.offset),
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
        });
      },
    });
    await waitFor(() => received.length >= sent.length, { timeoutMs: 60_000, description: 'all records' });

    // Every record once, with its content.
    expect(received).toHaveLength(sent.length);
    expect(received.map(({ key, value }) => ({ key, value })).sort(byValue)).toEqual([...sent].sort(byValue));
    // Spread over the three partitions, each read in offset order from 0 with no gap.
    const partitions = new Map<number, Received[]>();
    for (const record of received)
      partitions.set(record.partition, [...(partitions.get(record.partition) ?? []), record]);
    expect([...partitions.keys()].sort()).toEqual([0, 1, 2]);
    for (const records of partitions.values()) {
      expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => BigInt(i)));
    }
    // One key lives in one partition, and its records keep the order they were sent in.
    for (const key of keys) {
      const ofKey = received.filter((r) => r.key === key);
      expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1);
      const sentOrder = sent.filter((s) => s.key === key).map((s) => s.value);
      expect(ofKey.map((r) => r.value)).toEqual(sentOrder);
    }
  });
});

function byValue(a: { value: string }, b: { value: string }): number {
  return a.value.localeCompare(b.value);
}
