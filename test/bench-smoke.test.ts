import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaConnectionFromEnv } from '@fanout/kafka-settings';
import { expect, inject, onTestFinished, test } from 'vitest';
import { runBench, table, writeResults } from '../bench/bench.js';
import { killAllChildren } from '../bench/lib/children.js';
import { parseArgs } from '../bench/lib/options.js';

// A tiny run of every benchmark scenario against the integration Kafka and
// Redis, so `npm run bench` cannot rot. It checks that the harness works and
// what it reports, never how fast anything was (the machine is noisy).
test('benchmark smoke: every scenario runs and reports every figure', async () => {
  onTestFinished(() => killAllChildren());
  const opts = parseArgs(['--smoke']);
  // The workers scenario starts three more edge processes (half a minute on
  // this machine): it is run by `npm run bench`, and what it relies on (the
  // connections spread over the workers, per-worker metrics) is shown by
  // test/edge-workers.test.ts.
  opts.scenarios.delete('workers');
  const logs: string[] = [];
  const results = await runBench(
    opts,
    {
      kafka: kafkaConnectionFromEnv(
        { KAFKA_BROKERS: inject('kafkaBrokers').join(',') },
        { clientId: 'bench-smoke' },
      ),
      redisUrl: inject('redisUrl'),
    },
    (m) => logs.push(m),
  );

  const finite = (n: number) => expect(Number.isFinite(n), String(n)).toBe(true);
  expect(results.machine.cores).toBeGreaterThan(0);
  expect(results.machine.node).toBe(process.version);

  const steps = results.throughput?.steps ?? [];
  expect(steps.map((s) => s.fanout.connections)).toEqual(opts.steps);
  for (const s of steps) {
    expect(s.fanout.ready).toBe(s.fanout.connections);
    expect(s.uws.ready).toBe(s.uws.connections);
    expect(s.fanout.deliveriesPerSec).toBeGreaterThan(0);
    expect(s.uws.deliveriesPerSec).toBeGreaterThan(0);
  }
  for (const s of steps) {
    finite(s.fanout.deliveriesPerServerCpuS);
    finite(s.uws.deliveriesPerServerCpuS);
    finite(s.fanout.clientCpuS);
  }
  const sweep = results.latency?.rows ?? [];
  expect(sweep.map((r) => [r.connections, r.rate])).toEqual([[30, 50]]);
  for (const r of sweep) {
    expect(r.ready).toBe(r.connections);
    expect(r.edge.samples).toBeGreaterThan(0);
    expect(r.floor.samples).toBeGreaterThan(0);
    for (const v of [r.edge.p50, r.edge.p99, r.edge.max, r.floor.p50, r.floor.p99, r.added.p99]) finite(v);
    expect(r.uws?.latency.samples).toBeGreaterThan(0);
    finite(r.breakdown.spread.p50);
    finite(r.published?.p50 ?? Number.NaN);
    finite(r.published?.p99 ?? Number.NaN);
    finite(r.cpuWait?.edgeWaitShare ?? Number.NaN);
  }

  expect(results.keys?.fanout.ready).toBe(opts.keyConnections);
  expect(results.keys?.fanout.deliveriesPerSec).toBeGreaterThan(0);

  const storm = results.storm;
  expect(storm?.reconnected).toBe(opts.stormConnections);
  expect(storm?.caughtUp).toBe(opts.stormConnections);
  expect(storm?.exactlyOnce).toBe(true);
  expect(storm?.scansStarted).toBeGreaterThan(0);
  expect(storm?.recordsNeeded).toBe(opts.stormRecords);

  expect(results.memory?.points.map((p) => p.connections)).toEqual(opts.memorySteps);
  for (const p of results.memory?.points ?? []) {
    finite(p.fanoutPerConnBytes);
    finite(p.uwsPerConnBytes);
    finite(p.fanoutPerConnAfterGcBytes);
    finite(p.uwsPerConnAfterGcBytes);
  }

  const parts = results.partitions;
  expect(parts?.partitions).toBe(opts.partitionsTotal);
  expect(parts?.connections).toBe(opts.partitionsConnections);
  expect(parts?.latency.samples).toBeGreaterThan(0);
  finite(parts?.idleCpu ?? Number.NaN);
  finite(parts?.latency.p99 ?? Number.NaN);
  const wire = results.wire;
  expect(wire?.rows.map((r) => [r.server, r.tls, r.compression])).toEqual([
    ['fanout', false, false],
    ['fanout', true, false],
    ['fanout', false, true],
    ['uws', false, false],
    ['uws', false, true],
  ]);
  for (const r of wire?.rows ?? []) {
    expect(r.ready).toBe(opts.wireConnections);
    expect(r.deliveriesPerSec).toBeGreaterThan(0);
    expect(r.bytesPerDelivery).toBeGreaterThan(0);
    finite(r.edgeCpuUsPerKDelivery);
  }
  const [plainWire, , deflated, , uwsDeflated] = wire?.rows ?? [];
  expect(uwsDeflated?.compressedShare).toBeGreaterThan(0.9);
  // Compression is a property of the bytes, not of the machine's speed.
  expect(deflated?.compressedShare).toBeGreaterThan(0.9);
  expect(deflated?.bytesPerDelivery).toBeLessThan(plainWire?.bytesPerDelivery ?? 0);
  expect(plainWire?.compressedShare).toBe(0);

  const dir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const out = await writeResults(results, dir);
  const json = JSON.parse(await readFile(out.json, 'utf8')) as { storm: { exactlyOnce: boolean } };
  expect(json.storm.exactlyOnce).toBe(true);
  expect(await readFile(out.svg, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
  expect(table(results)).toContain('raw uWS');
}, 150_000);
