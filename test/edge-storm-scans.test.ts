import { Start } from '@fanout/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { type RawClient, isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

afterAll(closeRedis);

/** The value of one Prometheus sample line, 0 when absent. */
function sample(metrics: string, line: string): number {
  const found = metrics.split('\n').find((l) => l.startsWith(line));
  return found ? Number(found.slice(line.length).trim()) : 0;
}

const WAVES = 3;
const PER_WAVE = 4;
const PARTITIONS = 2;

describe('replay read amplification', () => {
  it('resumes arriving in waves, each after the previous one was served, read each partition from Kafka once', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(PARTITIONS);
    const keys = ['a', 'b', null];
    const produced = await kafka.produce(topic, 600, keys);
    // Kafka only: the window holds none of these records, every replay reads through the shared scans.
    const edge = await startEdgeProcess(
      edgeEnv(topic, { WINDOW_MAX_RECORDS: '1', WINDOW_PRELOAD_RECORDS: '0' }),
    );
    const want = expectedFor(topic, produced);
    const clients: RawClient[] = [];
    // Each wave arrives once the previous one has every record: its scans are over. Without
    // keeping what they read, every wave started a new scan of the same range.
    for (let w = 0; w < WAVES; w++) {
      const wave = await Promise.all(
        Array.from({ length: PER_WAVE }, async (_, i) => {
          const c = await connect(edge.url, { name: `wave${w}-${i}` });
          await c.hello();
          expect(isError(await c.subscribe(topic, Start.EARLIEST))).toBe(false);
          return c;
        }),
      );
      for (const c of wave)
        await c.waitFor(
          () => (c.subs.get(topic)?.received.length ?? 0) >= want.length,
          `wave ${w}: every record`,
        );
      clients.push(...wave);
    }
    for (const c of clients) expect(problems(compare(c.subs.get(topic)?.received ?? [], want))).toBe('');
    const metrics = await (await fetch(`http://127.0.0.1:${edge.port}/metrics`)).text();
    expect(sample(metrics, `fanout_replay_scans_total{topic="${topic}"}`)).toBe(PARTITIONS);
    // Each record read once, for all 12 clients.
    expect(sample(metrics, `fanout_replay_scan_records_total{topic="${topic}"}`)).toBe(produced.length);
    for (const c of clients) await c.end();
  });
});
