import { Start } from '@fanout/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

afterAll(closeRedis);

/** The value of one Prometheus sample line, 0 when absent. */
function sample(metrics: string, line: string): number {
  const found = metrics.split('\n').find((l) => l.startsWith(line));
  return found ? Number(found.slice(line.length).trim()) : 0;
}

describe('window preload', () => {
  it('serves a resume on a freshly started edge from memory, with no Kafka scan', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const keys = ['a', 'b', 'c', null];
    const produced = await kafka.produce(topic, 300, keys);
    // The edge starts after the records exist: its window is filled from Kafka at startup.
    const edge = await startEdgeProcess(edgeEnv(topic, { WINDOW_PRELOAD_RECORDS: '500' }));
    const bounds = await kafka.bounds(topic);
    // Resume as a client that processed the first half of each partition.
    const after = [...bounds].map(([partition, b]) => ({
      partition,
      offset: Math.floor((b.low + b.high) / 2),
    }));
    const client = await connect(edge.url, { name: 'resumer' });
    await client.hello();
    const answer = await client.subscribe(topic, Start.AFTER, after);
    expect(isError(answer)).toBe(false);
    // Exactly the records after the given positions: per partition, offsets above `after`.
    await client.waitFor(
      () =>
        (client.subs.get(topic)?.received.length ?? 0) >=
        after.reduce((n, a) => n + ((bounds.get(a.partition)?.high ?? 0) - 1 - a.offset), 0),
      'the replay',
    );
    const received = client.subs.get(topic)?.received ?? [];
    for (const r of received) {
      const a = after.find((x) => x.partition === r.partition);
      expect(r.offset).toBeGreaterThan(a?.offset ?? -1);
    }
    const seqs = received.map((r) => Number.parseInt(r.payload, 10));
    expect(new Set(seqs).size).toBe(received.length);
    expect(seqs.every((seq) => produced.some((p) => p.seq === seq))).toBe(true);
    expect(compare(received, seqs).outOfOrder).toEqual([]);

    // Then live, exactly.
    const more = await kafka.produce(topic, 60, keys);
    await client.waitFor(
      () => (client.subs.get(topic)?.received.filter((r) => !r.replayed).length ?? 0) >= more.length,
      'the live records',
    );
    const live = (client.subs.get(topic)?.received ?? []).filter((r) => !r.replayed);
    expect(problems(compare(live, expectedFor(topic, more)))).toBe('');

    const metrics = await (await fetch(`http://127.0.0.1:${edge.port}/metrics`)).text();
    expect(sample(metrics, 'fanout_resume_outcomes_total{outcome="window"}')).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'fanout_resume_outcomes_total{outcome="kafka"}')).toBe(0);
    expect(sample(metrics, `fanout_replay_scans_total{topic="${topic}"}`)).toBe(0);
  });
});
