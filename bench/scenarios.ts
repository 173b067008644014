import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { type KafkaConnection, toKafkajsConfig } from '@fanout/kafka-settings';
import { createTopic, uniqueId } from '@fanout/testing';
import { Rpc, spawnTracked } from './lib/children.js';
import { type EdgeProc, cpuSeconds, rssOf, startEdge } from './lib/edge.js';
import { KeyProducer } from './lib/key-producer.js';
import type { BenchOptions } from './lib/options.js';
import { type ClientPool, sleep } from './lib/pool.js';
import { type BenchProducer, steadyRate } from './lib/producer.js';

/** What every scenario gets. */
export interface BenchContext {
  opts: BenchOptions;
  /** The cluster (TLS/SASL from the same variables as the edge's). */
  kafka: KafkaConnection;
  brokers: string[];
  redisUrl: string;
  pool: ClientPool;
  producer: BenchProducer;
  log(msg: string): void;
}

/** A throughput measurement. */
export interface Throughput {
  connections: number;
  /** Connections that were subscribed when the measurement started. */
  ready: number;
  deliveriesPerSec: number;
  recordsPerSec: number;
  durationS: number;
  /** The server's CPU seconds (user + system, from /proc) over the measurement. */
  serverCpuS: number;
  /** Deliveries per server CPU-second: comparable on a shared machine where deliveries/s is not. */
  deliveriesPerServerCpuS: number;
  /** The load-client processes' CPU seconds over the same time (reported apart from the server's). */
  clientCpuS: number;
}

export interface Baseline {
  rpc: Rpc;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startBaseline(
  opts: { exposeGc?: boolean; env?: Record<string, string> } = {},
): Promise<Baseline> {
  const rpc = new Rpc(
    spawnTracked('bench/baseline-server.ts', [], {
      ipc: true,
      ...(opts.exposeGc ? { nodeArgs: ['--expose-gc'] } : {}),
      ...(opts.env ? { env: opts.env } : {}),
    }),
  );
  const info = await rpc.call<{ port: number; pid: number }>('info', {}, 60_000);
  return {
    rpc,
    port: info.port,
    pid: info.pid,
    async stop() {
      await rpc.proc.kill('SIGKILL');
    },
  };
}

/** A fresh topic of the benchmark's partition count, named `<prefix>-<random>`. */
export function benchTopic(ctx: BenchContext, prefix: string): Promise<string> {
  return createTopic(toKafkajsConfig(ctx.kafka), { partitions: ctx.opts.partitions, name: uniqueId(prefix) });
}

const HOST = '127.0.0.1';

/**
 * Publishes as fast as the clients take it: never more than `window`
 * records ahead of what the average connection received (so neither side
 * buffers without bound), for `durationMs`; measures after a warm-up.
 */
export async function closedLoop(
  ctx: BenchContext,
  o: {
    conns: number;
    perRecord: number;
    durationMs: number;
    /** Publishes `n` records (or resolves with how many it published instead). */
    publish(n: number): Promise<unknown>;
    /** Records ahead of the average connection (default: 3 MB / connections, 100 to 2,000). */
    window?: number;
    /** Records per publish call (default 200). */
    batch?: number;
    /** The server under test, whose CPU the measurement reports. */
    serverPid?: number;
  },
): Promise<Omit<Throughput, 'connections' | 'ready'>> {
  const clientPids = ctx.pool.rpcs.map((r) => r.proc.child.pid);
  const cpu = () => ({
    server: o.serverPid ? cpuOf(o.serverPid) : Number.NaN,
    clients: clientPids.reduce<number>((a, p) => a + cpuOf(p), 0),
  });
  const window = o.window ?? Math.min(2000, Math.max(100, Math.floor(3_000_000 / o.conns)));
  const batch = o.batch ?? 200;
  let published = 0;
  let pubs = (await ctx.pool.stats()).pubs;
  const pubs0 = pubs;
  let running = true;
  const poller = (async () => {
    while (running) {
      pubs = (await ctx.pool.stats()).pubs;
      await sleep(40);
    }
  })();
  const start = performance.now();
  const warmup = Math.min(1000, o.durationMs / 4);
  let mark: { t: number; pubs: number; published: number; cpu: ReturnType<typeof cpu> } | undefined;
  const cpuStart = cpu();
  while (performance.now() - start < o.durationMs) {
    if (!mark && performance.now() - start >= warmup)
      mark = { t: performance.now(), pubs, published, cpu: cpu() };
    const ahead = published - (pubs - pubs0) / o.perRecord;
    if (ahead < window) {
      const n = Math.min(batch, Math.ceil(window - ahead));
      const done = await o.publish(n);
      published += typeof done === 'number' ? done : n;
    } else await sleep(2);
  }
  running = false;
  await poller;
  const end = { t: performance.now(), pubs: (await ctx.pool.stats()).pubs, published, cpu: cpu() };
  const m = mark ?? { t: start, pubs: pubs0, published: 0, cpu: cpuStart };
  const secs = (end.t - m.t) / 1000;
  const serverCpuS = end.cpu.server - m.cpu.server;
  return {
    deliveriesPerSec: (end.pubs - m.pubs) / secs,
    recordsPerSec: (end.published - m.published) / secs,
    durationS: secs,
    serverCpuS,
    deliveriesPerServerCpuS: serverCpuS > 0 ? (end.pubs - m.pubs) / serverCpuS : Number.NaN,
    clientCpuS: end.cpu.clients - m.cpu.clients,
  };
}

export async function openAndWait(ctx: BenchContext, o: Parameters<ClientPool['open']>[0]): Promise<number> {
  const before = (await ctx.pool.stats()).ready;
  await ctx.pool.open(o);
  const s = await ctx.pool.waitFor((st) => st.ready >= before + o.count, 60_000);
  if (s.ready < before + o.count)
    ctx.log(`only ${s.ready - before} of ${o.count} connections ready (${s.errors.slice(0, 3).join('; ')})`);
  return s.ready - before;
}

/**
 * Opens `count` edge connections on the whole-topic channel `<topic>`, tracked
 * (every `trackEvery`-th checks dense positions), and waits for them.
 */
export function openOnTopic(
  ctx: BenchContext,
  port: number,
  count: number,
  topic: string,
  extra: Partial<Parameters<ClientPool['open']>[0]> = {},
): Promise<number> {
  return openAndWait(ctx, {
    host: HOST,
    port,
    count,
    mode: 'fanout',
    channels: [topic],
    trackEvery: ctx.opts.trackEvery,
    dense: true,
    ...extra,
  });
}

/** Opens `count` raw-uWS baseline connections over `channels` (round robin) and waits for them. */
export function openRaw(
  ctx: BenchContext,
  port: number,
  count: number,
  channels: string[],
  extra: Partial<Parameters<ClientPool['open']>[0]> = {},
): Promise<number> {
  return openAndWait(ctx, { host: HOST, port, count, mode: 'raw', channels, ...extra });
}

/** Waits until the clients' publication count stops moving (everything buffered was delivered). */
export async function settle(ctx: BenchContext): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const s = await ctx.pool.stats();
    if (s.pubs === last) return;
    last = s.pubs;
    await sleep(300);
  }
}

/** A process's CPU seconds so far; `gone` (NaN by default) when it is not there. */
export function cpuOf(pid: number | undefined, gone = Number.NaN): number {
  if (!pid) return gone;
  try {
    return cpuSeconds(pid);
  } catch {
    return gone;
  }
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

export interface LatencyResult {
  connections: number;
  sampledConnections: number;
  rate: number;
  recordsSent: number;
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Histogram: upper bound (ms) → count. */
  histogram: Array<[number, number]>;
}

export function latencyOf(
  samples: number[],
): Omit<LatencyResult, 'connections' | 'sampledConnections' | 'rate' | 'recordsSent'> {
  const s = samples.slice().sort((a, b) => a - b);
  const bounds = [
    0.5,
    1,
    2,
    3,
    5,
    7.5,
    10,
    15,
    20,
    25,
    35,
    50,
    75,
    100,
    150,
    250,
    500,
    1000,
    Number.POSITIVE_INFINITY,
  ];
  const histogram: Array<[number, number]> = bounds.map((b) => [b, 0]);
  let j = 0;
  for (const v of s) {
    while (v > (histogram[j]?.[0] as number)) j++;
    const h = histogram[j];
    if (h) h[1]++;
  }
  return {
    samples: s.length,
    p50: percentile(s, 0.5),
    p90: percentile(s, 0.9),
    p99: percentile(s, 0.99),
    max: s.length ? (s[s.length - 1] as number) : Number.NaN,
    histogram,
  };
}

/** The closed loop of 1 on the raw uWS baseline: it publishes the same frame, numbered from 0. */
export function baselineClosedLoop(
  ctx: BenchContext,
  baseline: Baseline,
  conns: number,
): Promise<Omit<Throughput, 'connections' | 'ready'>> {
  let from = 0;
  return closedLoop(ctx, {
    conns,
    perRecord: conns,
    durationMs: ctx.opts.durationMs,
    serverPid: baseline.pid,
    publish: async (k) => {
      await baseline.rpc.call('publish', { count: k, from });
      from += k;
    },
  });
}

/**
 * Produces `rate` timed records/s to `topic` for a warm-up plus the
 * measurement's duration and returns the load clients' latency samples (those
 * of the warm-up, the first second or quarter, dropped), and the same for
 * Kafka's floor consumer when one is given.
 */
export async function sampleLatency(
  ctx: BenchContext,
  topic: string,
  rate: number,
  floor?: Rpc,
  /** Sends `n` timed records another way than producing them to `topic` (the raw uWS rows). */
  send?: (n: number) => Promise<void>,
): Promise<{
  sent: number;
  samples: number[];
  /** The send time of each of `samples`. */
  samplesSent: number[];
  floorSamples: number[];
  floorSent: number[];
}> {
  const { opts } = ctx;
  await ctx.pool.stats(); // drop samples taken so far
  const floorStats = () =>
    floor
      ? floor.call<{ latencies: number[]; sent: number[] }>('stats')
      : Promise.resolve({ latencies: [] as number[], sent: [] as number[] });
  await floorStats();
  const warmupMs = Math.min(1000, opts.durationMs / 4);
  const t0 = performance.now();
  let producing = true;
  const out = {
    samples: [] as number[],
    samplesSent: [] as number[],
    floorSamples: [] as number[],
    floorSent: [] as number[],
  };
  const take = (
    s: { latencies: number[]; latencySent: number[] },
    f: { latencies: number[]; sent: number[] },
  ) => {
    for (const v of s.latencies) out.samples.push(v);
    for (const v of s.latencySent) out.samplesSent.push(v);
    for (const v of f.latencies) out.floorSamples.push(v);
    for (const v of f.sent) out.floorSent.push(v);
  };
  const collector = (async () => {
    let warm = false;
    while (producing) {
      await sleep(100);
      const [s, f] = await Promise.all([ctx.pool.stats(), floorStats()]);
      if (warm) take(s, f);
      if (performance.now() - t0 > warmupMs) warm = true;
    }
    await settle(ctx);
    take(await ctx.pool.stats(), await floorStats());
  })();
  const sent = await steadyRate(
    ctx.producer,
    topic,
    rate,
    warmupMs + opts.durationMs,
    opts.payloadBytes,
    send,
  );
  producing = false;
  await collector;
  return { sent, ...out };
}

/** Scenario 1: fan-out throughput per connection count, fanout and raw uWS, with deliveries per server CPU-second. */
export async function throughput(
  ctx: BenchContext,
  baseline: Baseline,
): Promise<{ steps: Array<{ fanout: Throughput; uws: Throughput }>; frameBytes: number }> {
  const { opts } = ctx;
  const topic = await benchTopic(ctx, 'bench-fan');
  const edge = await startEdge({
    brokers: ctx.brokers,
    redisUrl: ctx.redisUrl,
    topics: [topic],
    nodeId: 'bench-fan',
    env: opts.edgeEnv,
    ...(opts.cpuProf ? { cpuProfDir: opts.cpuProf } : {}),
  });
  const payload = 'x'.repeat(opts.payloadBytes);
  const steps: Array<{ fanout: Throughput; uws: Throughput }> = [];
  const frameBytes = await baseline.rpc.call<number>('setup', {
    topics: [topic],
    topic,
    payloadBytes: opts.payloadBytes,
  });
  try {
    for (const n of opts.steps) {
      ctx.log(`throughput: ${n} connections on ${topic} (fanout edge)`);
      const ready = await openOnTopic(ctx, edge.port, n, topic);
      const f = await closedLoop(ctx, {
        conns: ready,
        perRecord: ready,
        durationMs: opts.durationMs,
        serverPid: edge.pid,
        publish: (k) => ctx.producer.send(topic, k, () => payload),
      });
      const fanout = { connections: n, ready, ...f };
      await settle(ctx);
      const st = await ctx.pool.stats();
      if (st.counters.gaps + st.counters.dups + st.counters.decodeMismatches > 0)
        ctx.log(`position check: ${JSON.stringify(st.counters)}`);
      await ctx.pool.close();

      ctx.log(`throughput: ${n} connections (raw uWS)`);
      const readyU = await openRaw(ctx, baseline.port, n, [topic]);
      const u = await baselineClosedLoop(ctx, baseline, readyU);
      await settle(ctx);
      await ctx.pool.close();
      steps.push({ fanout, uws: { connections: n, ready: readyU, ...u } });
    }
  } finally {
    await edge.stop();
  }
  return { steps, frameBytes };
}

/** A key fan-out row: deliveries/s and the servers' CPU per 1,000 deliveries (from /proc, over the loop). */
export interface KeyResult {
  keys: number;
  fanout: Throughput & { cpuMsPer1000: number };
  uws: Throughput & { cpuMsPer1000: number };
  /**
   * Kafka alone, with the edge stopped: the same pre-encoded keyed batches
   * produced as fast as the broker acknowledges them, read by kcat. With one
   * connection per key every delivery is one record, so no gateway on this
   * machine can deliver more per second than `readPerSec`.
   */
  kafka?: { producedPerSec: number; readPerSec: number };
}

/**
 * Kafka's ceiling for a topic: pre-encoded batches produced for `durationMs`
 * as fast as acknowledged, and kcat (its own process) reading them; records
 * per second each way, the reading one until kcat has read them all.
 */
async function kafkaCeiling(
  ctx: BenchContext,
  topic: string,
  producer: KeyProducer,
): Promise<{ producedPerSec: number; readPerSec: number }> {
  const floor = new Rpc(spawnTracked('bench/floor-consumer.ts', [], { ipc: true }));
  try {
    await floor.call('start', { brokers: ctx.brokers, topic });
    for (let i = 0; ; i++) {
      await producer.send(1);
      await sleep(200);
      if ((await floor.call<{ seen: number }>('stats')).seen > 0) break;
      if (i > 100) throw new Error('kcat read nothing in 20 s');
    }
    await sleep(500);
    const seen0 = (await floor.call<{ seen: number }>('stats')).seen;
    const t0 = performance.now();
    let produced = 0;
    const lane = async () => {
      while (performance.now() - t0 < ctx.opts.durationMs) produced += await producer.send(KEY_BATCH);
    };
    await Promise.all([lane(), lane()]);
    const producedS = (performance.now() - t0) / 1000;
    let read = 0;
    for (const deadline = performance.now() + 30_000; performance.now() < deadline; ) {
      read = (await floor.call<{ seen: number }>('stats')).seen - seen0;
      if (read >= produced) break;
      await sleep(50);
    }
    const readS = (performance.now() - t0) / 1000;
    return { producedPerSec: produced / producedS, readPerSec: read / readS };
  } finally {
    await floor.call('exit', {}, 2000).catch(() => undefined);
    await floor.proc.kill('SIGKILL');
  }
}

/** Records per closed-loop publish call of the key scenario. */
const KEY_BATCH = 8000;

/** Scenario 2: key fan-out, each client on one `<topic>:<key>`. */
export async function keyFanout(
  ctx: BenchContext,
  baseline: Baseline,
  shape: { keys: number; connections: number } = {
    keys: ctx.opts.keys,
    connections: ctx.opts.keyConnections,
  },
): Promise<KeyResult> {
  const { opts } = ctx;
  const n = shape.connections;
  const topic = await benchTopic(ctx, 'bench-key');
  const edge = await startEdge({
    brokers: ctx.brokers,
    redisUrl: ctx.redisUrl,
    topics: [topic],
    nodeId: 'bench-key',
    ...(opts.cpuProf ? { cpuProfDir: opts.cpuProf } : {}),
  });
  const keys = Array.from({ length: shape.keys }, (_, i) => `k${i}`);
  const channels = keys.map((k) => `${topic}:${k}`);
  const payload = 'x'.repeat(opts.payloadBytes);
  const perRecord = Math.min(n, keys.length) === 0 ? 1 : n / keys.length;
  // The window counts records, and a keyed record reaches only its key's connections: the
  // throughput scenario's window (3 MB / connections) would leave each connection 0.3-2 records
  // in flight and measure the loop's round trip, not delivery. Here each connection gets as many
  // records in flight as there: 2,000 spread over the keys (up to 100,000 records ahead).
  const window = Math.min(100_000, Math.max(2000, Math.floor(3_000_000 / Math.max(1, perRecord))));
  // Pre-encoded batches where the connection allows (see KeyProducer): kafkajs tops out at
  // 14-30k records/s here, which one connection per key turns into the deliveries/s.
  const fast = KeyProducer.available(ctx.kafka)
    ? await KeyProducer.open(ctx.kafka, topic, keys, new TextEncoder().encode(payload))
    : undefined;
  let stopped = false;
  try {
    ctx.log(`key fan-out: ${n} connections over ${keys.length} keys (fanout edge)`);
    const ready = await openAndWait(ctx, {
      host: HOST,
      port: edge.port,
      count: n,
      mode: 'fanout',
      channels,
      trackEvery: opts.trackEvery,
    });
    const cpuF = cpuSeconds(edge.pid);
    const f = await closedLoop(ctx, {
      conns: ready,
      perRecord,
      durationMs: opts.durationMs,
      serverPid: edge.pid,
      window,
      batch: KEY_BATCH,
      publish: async (k) => {
        if (fast) return fast.send(k);
        await ctx.producer.send(
          topic,
          k,
          () => payload,
          (i) => keys[i % keys.length] as string,
        );
      },
    });
    const fanoutCpu = perThousand(cpuSeconds(edge.pid) - cpuF, f, opts.durationMs);
    ctx.log(
      `key fan-out (fanout edge): ${Math.round(f.recordsPerSec)} records/s produced, ${Math.round(f.deliveriesPerSec)} deliveries/s`,
    );
    await settle(ctx);
    const st = await ctx.pool.stats();
    if (st.counters.dups + st.counters.decodeMismatches > 0)
      ctx.log(`position check: ${JSON.stringify(st.counters)}`);
    await ctx.pool.close();
    ctx.log(`key fan-out: ${n} connections over ${keys.length} keys (raw uWS)`);
    await baseline.rpc.call('setup', { topics: channels, topic, payloadBytes: opts.payloadBytes });
    const readyU = await openRaw(ctx, baseline.port, n, channels);
    let from = 0;
    const cpuU = cpuSeconds(baseline.pid);
    const u = await closedLoop(ctx, {
      conns: readyU,
      perRecord,
      durationMs: opts.durationMs,
      serverPid: baseline.pid,
      window,
      batch: KEY_BATCH,
      publish: async (k) => {
        await baseline.rpc.call('publish', { count: k, from });
        from += k;
      },
    });
    const uwsCpu = perThousand(cpuSeconds(baseline.pid) - cpuU, u, opts.durationMs);
    await settle(ctx);
    await ctx.pool.close();
    let kafka: KeyResult['kafka'];
    if (fast && perRecord <= 1) {
      // One delivery per record: what Kafka itself sustains here bounds the edge's row.
      await edge.stop();
      stopped = true;
      ctx.log(`key fan-out: Kafka alone on ${topic} (pre-encoded batches → broker → kcat)`);
      kafka = await kafkaCeiling(ctx, topic, fast);
    }
    return {
      keys: keys.length,
      fanout: { connections: n, ready, ...f, cpuMsPer1000: fanoutCpu },
      uws: { connections: n, ready: readyU, ...u, cpuMsPer1000: uwsCpu },
      ...(kafka ? { kafka } : {}),
    };
  } finally {
    fast?.close();
    if (!stopped) await edge.stop();
  }
}

/**
 * Server CPU ms per 1,000 deliveries over a closed loop: the CPU of the whole
 * loop (warm-up included) over its duration × the measured deliveries/s.
 */
function perThousand(cpuS: number, t: { deliveriesPerSec: number }, loopMs: number): number {
  const deliveries = (t.deliveriesPerSec * loopMs) / 1000;
  return deliveries > 0 ? (cpuS * 1e6) / deliveries : Number.POSITIVE_INFINITY;
}

export interface StormResult {
  connections: number;
  partitions: number;
  recordsBefore: number;
  recordsDuringOutage: number;
  reconnected: number;
  caughtUp: number;
  caughtUpMs: number;
  /** When the last client had its resumed Welcome: the part of `caughtUpMs` spent reconnecting. */
  lastWelcomeMs: number;
  exactlyOnce: boolean;
  gaps: number;
  duplicates: number;
  recordsNeeded: number;
  recordsRead: number;
  scansStarted: number;
  scansPerPartition: number;
  readAmplification: number;
  bytesNeeded: number;
  bytesRead: number;
  errors: string[];
}

/** Scenario 4: kill the edge under N acking clients, produce meanwhile, all resume at once on a fresh edge. */
export async function reconnectStorm(ctx: BenchContext, frameBytes: number): Promise<StormResult> {
  const { opts } = ctx;
  const n = opts.stormConnections;
  const topic = await benchTopic(ctx, 'bench-storm');
  const payload = 'x'.repeat(opts.payloadBytes);
  let a: EdgeProc | undefined = await startEdge({
    brokers: ctx.brokers,
    redisUrl: ctx.redisUrl,
    topics: [topic],
    nodeId: 'bench-storm-a',
  });
  let b: EdgeProc | undefined;
  try {
    ctx.log(`storm: ${n} clients with sessions on edge A`);
    const ready = await openAndWait(ctx, {
      host: HOST,
      port: a.port,
      count: n,
      mode: 'fanout',
      channels: [topic],
      trackEvery: 1,
      dense: true,
    });
    await ctx.pool.acks(opts.ackEveryMs);
    const before = opts.stormBefore;
    for (let i = 0; i < before; i += 50) {
      await ctx.producer.send(topic, Math.min(50, before - i), () => payload);
      await sleep(20);
    }
    await ctx.pool.waitFor((s) => s.minPubs >= before, 60_000);
    await sleep(opts.ackEveryMs + 500); // the last acks reach Redis (write-behind, 100 ms)
    ctx.log('storm: SIGKILL edge A; producing meanwhile');
    await a.kill();
    a = undefined;
    await ctx.pool.waitFor((s) => s.open === 0, 30_000);
    for (let i = 0; i < opts.stormRecords; i += 100)
      await ctx.producer.send(topic, Math.min(100, opts.stormRecords - i), () => payload);
    const ends = await ctx.producer.logEnds(topic);
    const targets = ends.map((e) => e - 1);
    const positions = await ctx.pool.positions();
    let needed = 0;
    for (let p = 0; p < targets.length; p++) {
      const min = Math.min(...positions.map((pos) => pos[p] ?? -1));
      needed += (targets[p] as number) - min;
    }
    b = await startEdge({
      brokers: ctx.brokers,
      redisUrl: ctx.redisUrl,
      topics: [topic],
      nodeId: 'bench-storm-b',
      // The scenario measures the Kafka replay path: B must not preload the
      // missed records into its window at startup (by default it would).
      env: { WINDOW_PRELOAD_RECORDS: '0' },
      ...(opts.cpuProf ? { cpuProfDir: opts.cpuProf } : {}),
    });
    ctx.log(`storm: ${ready} clients reconnect at once to edge B`);
    const reconnected = await ctx.pool.resume(HOST, b.port, targets);
    const s = await ctx.pool.waitFor((st) => st.caughtUp >= ready, opts.stormTimeoutMs, 50);
    await sleep(1600); // B logs its scan counters at most once a second
    const final = await ctx.pool.stats();
    const scans = b.scans(topic) ?? { scansStarted: 0, recordsRead: 0, recordsDelivered: 0 };
    await ctx.pool.acks(0);
    await ctx.pool.close();
    const gaps = final.counters.gaps;
    const dups = final.counters.dups;
    return {
      connections: n,
      partitions: opts.partitions,
      recordsBefore: before,
      recordsDuringOutage: opts.stormRecords,
      reconnected,
      caughtUp: s.caughtUp,
      caughtUpMs: s.maxCaughtUpMs,
      lastWelcomeMs: final.maxWelcomedMs,
      exactlyOnce: gaps === 0 && dups === 0 && s.caughtUp === ready && final.counters.decodeMismatches === 0,
      gaps,
      duplicates: dups,
      recordsNeeded: needed,
      recordsRead: scans.recordsRead,
      scansStarted: scans.scansStarted,
      scansPerPartition: scans.scansStarted / opts.partitions,
      readAmplification: needed > 0 ? scans.recordsRead / needed : Number.NaN,
      bytesNeeded: needed * frameBytes,
      bytesRead: scans.recordsRead * frameBytes,
      errors: final.errors.slice(0, 5),
    };
  } finally {
    await a?.kill();
    await b?.stop();
  }
}

export interface MemoryPoint {
  connections: number;
  fanoutReady: number;
  fanoutRssBytes: number;
  fanoutPerConnBytes: number;
  uwsReady: number;
  uwsRssBytes: number;
  uwsPerConnBytes: number;
  /** The same after a full GC in the server (SIGUSR2 with --expose-gc): what connections retain. */
  fanoutPerConnAfterGcBytes: number;
  uwsPerConnAfterGcBytes: number;
  /** Retained JS heap per connection after two full GCs (heapUsed growth over idle / connections). */
  fanoutHeapPerConnBytes: number;
  uwsHeapPerConnBytes: number;
  /** Redis `used_memory` growth per session of the edge's connections (the session store, apart from the edge). */
  redisBytesPerSession: number;
}

/** Redis's `used_memory` (INFO memory, via redis-cli; NaN when it cannot be read). */
function redisUsedMemory(url: string): number {
  try {
    const info = execFileSync('redis-cli', ['-u', url, 'INFO', 'memory'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    const m = /^used_memory:(\d+)/m.exec(info);
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export interface MemoryResult {
  fanoutIdleRss: number;
  uwsIdleRss: number;
  points: MemoryPoint[];
  /** The edge's process.memoryUsage() after a full GC: idle, then at each step (where RSS goes besides the heap used). */
  edgeAfterGc: Array<{
    /** The same just before the GC (heap committed and used, the young generation's size). */
    beforeGc?: { rss?: number; heapTotal?: number; heapUsed?: number; newSpace?: number };
    heapUsed?: number;
    heapTotal?: number;
    external?: number;
    arrayBuffers?: number;
    rss?: number;
  }>;
}

/** Scenario 5: RSS per idle subscribed connection, fanout edge and raw uWS, at growing connection counts. */
export async function memory(ctx: BenchContext): Promise<MemoryResult> {
  const { opts } = ctx;
  const topic = await benchTopic(ctx, 'bench-mem');
  // The heap after GC: the edge logs it on SIGUSR2, the baseline answers an RPC.
  let heapOf: () => Promise<number> = async () => Number.NaN;
  /** The edge's memoryUsage() after each GC (idle, then each step), for the breakdown of RSS. */
  const gcLines: string[] = [];
  const measure = async (pid: number) => {
    await sleep(opts.memorySettleMs);
    const rss = await rssOf(pid);
    const heap = heapOf();
    process.kill(pid, 'SIGUSR2');
    await sleep(500);
    return { rss, afterGc: await rssOf(pid), heap: await heap };
  };
  const run = async (kind: 'fanout' | 'raw', port: number, pid: number) => {
    const idle = await measure(pid);
    const redis0 = redisUsedMemory(ctx.redisUrl);
    const out: Array<{
      n: number;
      ready: number;
      rss: number;
      afterGc: number;
      heap: number;
      redisPerSession: number;
    }> = [];
    let have = 0;
    for (const n of opts.memorySteps) {
      ctx.log(`memory: ${n} idle connections (${kind === 'raw' ? 'raw uWS' : 'fanout edge'})`);
      const want = n - have;
      const ready = await openAndWait(ctx, { host: HOST, port, count: want, mode: kind, channels: [topic] });
      have = n;
      const total = (await ctx.pool.stats()).ready;
      const m = await measure(pid);
      out.push({ n, ready: total, ...m, redisPerSession: (redisUsedMemory(ctx.redisUrl) - redis0) / total });
      if (ready < want) break;
    }
    await ctx.pool.close();
    return { idle, out };
  };
  const edge = await startEdge({
    brokers: ctx.brokers,
    redisUrl: ctx.redisUrl,
    topics: [topic],
    nodeId: 'bench-mem',
    exposeGc: true,
    env: ctx.opts.edgeEnv,
  });
  let heapSeen: ((bytes: number) => void) | undefined;
  edge.proc.onLine((line) => {
    const m = /"heap_used_bytes":(\d+)/.exec(line);
    if (!m) return;
    gcLines.push(line);
    heapSeen?.(Number(m[1]));
  });
  heapOf = () =>
    new Promise<number>((resolve) => {
      const t = setTimeout(() => resolve(Number.NaN), 10_000);
      heapSeen = (bytes) => {
        clearTimeout(t);
        heapSeen = undefined;
        resolve(bytes);
      };
    });
  let f: Awaited<ReturnType<typeof run>>;
  try {
    f = await run('fanout', edge.port, edge.pid);
  } finally {
    await edge.stop();
  }
  const base = await startBaseline({ exposeGc: true });
  let u: Awaited<ReturnType<typeof run>>;
  try {
    await base.rpc.call('setup', { topics: [topic], topic, payloadBytes: opts.payloadBytes });
    heapOf = () => base.rpc.call<number>('heap', {}, 10_000);
    u = await run('raw', base.port, base.pid);
  } finally {
    await base.stop();
  }
  const points: MemoryPoint[] = f.out.map((p, i) => {
    const q = u.out[i] ?? {
      n: p.n,
      ready: 0,
      rss: Number.NaN,
      afterGc: Number.NaN,
      heap: Number.NaN,
      redisPerSession: Number.NaN,
    };
    return {
      connections: p.n,
      fanoutReady: p.ready,
      fanoutRssBytes: p.rss,
      fanoutPerConnBytes: (p.rss - f.idle.rss) / p.ready,
      uwsReady: q.ready,
      uwsRssBytes: q.rss,
      uwsPerConnBytes: (q.rss - u.idle.rss) / q.ready,
      fanoutPerConnAfterGcBytes: (p.afterGc - f.idle.afterGc) / p.ready,
      uwsPerConnAfterGcBytes: (q.afterGc - u.idle.afterGc) / q.ready,
      fanoutHeapPerConnBytes: (p.heap - f.idle.heap) / p.ready,
      redisBytesPerSession: p.redisPerSession,
      uwsHeapPerConnBytes: (q.heap - u.idle.heap) / q.ready,
    };
  });
  const edgeAfterGc = gcLines.map((l) => {
    const j = JSON.parse(l) as Record<string, number>;
    return {
      beforeGc: {
        rss: j.before_gc_rss_bytes,
        heapTotal: j.before_gc_heap_total_bytes,
        heapUsed: j.before_gc_heap_used_bytes,
        newSpace: j.before_gc_new_space_bytes,
      },
      heapUsed: j.heap_used_bytes,
      heapTotal: j.heap_total_bytes,
      external: j.external_bytes,
      arrayBuffers: j.array_buffers_bytes,
      rss: j.rss_bytes,
    };
  });
  return { fanoutIdleRss: f.idle.rss, uwsIdleRss: u.idle.rss, points, edgeAfterGc };
}
