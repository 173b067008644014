import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { KafkaConnection } from '@fanout/kafka-settings';
import type { BenchOptions } from './lib/options.js';
import { ClientPool } from './lib/pool.js';
import { BenchProducer } from './lib/producer.js';
import { chart, table } from './lib/report.js';
import { type PartitionsResult, manyPartitions } from './partitions.js';
import { type LatencySweep, latencySweep } from './scenarios-latency.js';
import { type WireResult, wire } from './scenarios-wire.js';
import { type WorkersResult, workersScenario } from './scenarios-workers.js';
import {
  type Baseline,
  type BenchContext,
  type KeyResult,
  type MemoryResult,
  type StormResult,
  type Throughput,
  keyFanout,
  memory,
  reconnectStorm,
  startBaseline,
  throughput,
} from './scenarios.js';

/** Everything a run measured, as written to the JSON file. */
export interface BenchResults {
  date: string;
  machine: { cpu: string; cores: number; node: string; platform: string; memoryBytes: number };
  parameters: Record<string, unknown>;
  notes: string[];
  wallTimeS: number;
  throughput?: {
    steps: Array<{ fanout: Throughput; uws: Throughput }>;
    frameBytes: number;
  };
  latency?: LatencySweep;
  keys?: KeyResult;
  /** The key scenario's many-keys row (one connection per key), when the profile has one. */
  keysLarge?: KeyResult;
  storm?: StormResult;
  memory?: MemoryResult;
  partitions?: PartitionsResult;
  wire?: WireResult;
  workers?: WorkersResult;
}

async function machine(): Promise<BenchResults['machine']> {
  const info = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const { totalmem } = await import('node:os');
  return {
    cpu: model.trim(),
    cores: cpus().length,
    node: process.version,
    platform: process.platform,
    memoryBytes: totalmem(),
  };
}

/** Runs the selected scenarios against a running Kafka and Redis; starts and stops everything else. */
export async function runBench(
  opts: BenchOptions,
  infra: { kafka: KafkaConnection; redisUrl: string },
  log: (msg: string) => void,
): Promise<BenchResults> {
  const started = Date.now();
  const pool = ClientPool.start(opts.clientProcesses);
  const producer = new BenchProducer(infra.kafka);
  let baseline: Baseline | undefined;
  const { scenarios, ...params } = opts;
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: await machine(),
    parameters: { ...params, scenarios: [...scenarios] },
    notes: [],
    wallTimeS: 0,
  };
  try {
    await producer.connect();
    baseline = await startBaseline();
    const ctx: BenchContext = {
      opts,
      kafka: infra.kafka,
      brokers: infra.kafka.brokers,
      redisUrl: infra.redisUrl,
      pool,
      producer,
      log,
    };
    if (scenarios.has('throughput')) results.throughput = await throughput(ctx, baseline);
    if (scenarios.has('keys')) results.keys = await keyFanout(ctx, baseline);
    if (scenarios.has('keys') && opts.keysLarge)
      results.keysLarge = await keyFanout(ctx, baseline, opts.keysLarge);
    if (scenarios.has('latency')) results.latency = await latencySweep(ctx, baseline);
    if (scenarios.has('workers')) results.workers = await workersScenario(ctx, baseline);
    await baseline.stop();
    baseline = undefined;
    const frameBytes = results.throughput?.frameBytes ?? opts.payloadBytes + 40;
    if (scenarios.has('storm')) results.storm = await reconnectStorm(ctx, frameBytes);
    if (scenarios.has('memory')) results.memory = await memory(ctx);
    if (scenarios.has('partitions')) results.partitions = await manyPartitions(ctx);
    if (scenarios.has('wire')) results.wire = await wire(ctx);
  } finally {
    await baseline?.stop();
    await pool.stop();
    await producer.close();
  }
  for (const s of results.throughput?.steps ?? [])
    if (s.fanout.ready < s.fanout.connections || s.uws.ready < s.uws.connections)
      results.notes.push(
        `throughput at ${s.fanout.connections}: only ${s.fanout.ready} (fanout) / ${s.uws.ready} (uWS) connections were ready`,
      );
  for (const p of results.memory?.points ?? [])
    if (p.fanoutReady < p.connections || p.uwsReady < p.connections)
      results.notes.push(
        `memory at ${p.connections}: only ${p.fanoutReady} (fanout) / ${p.uwsReady} (uWS) connections were ready`,
      );
  for (const r of results.latency?.rows ?? [])
    if (r.ready < r.connections)
      results.notes.push(`latency at ${r.connections}: only ${r.ready} connections were ready`);
  if (opts.pinEdge)
    results.notes.push(
      '--pin-edge: the latency edge and raw uWS ran alone on CPU 0; Kafka, Redis, kcat, the load clients and the producer on CPU 1.',
    );
  results.notes.push(
    'Everything (Kafka JVM, Redis, edges, raw uWS server, load clients, producer) shares one machine: the load clients compete with the server for the same cores, so absolute figures are lower bounds; ratios compare like with like.',
  );
  results.wallTimeS = (Date.now() - started) / 1000;
  return results;
}

/** Writes `<dir>/<timestamp>.json` and `.svg`; returns their paths. */
export async function writeResults(
  results: BenchResults,
  dir: string,
): Promise<{ json: string; svg: string }> {
  await mkdir(dir, { recursive: true });
  const stamp = results.date.replace(/[:.]/g, '-');
  const json = join(dir, `${stamp}.json`);
  const svg = join(dir, `${stamp}.svg`);
  await writeFile(
    json,
    `${JSON.stringify(results, (_k, v) => (v === Number.POSITIVE_INFINITY ? 'Infinity' : v), 2)}\n`,
  );
  await writeFile(svg, chart(results));
  return { json, svg };
}

export { table };
