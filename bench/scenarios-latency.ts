import { performance } from 'node:perf_hooks';
import { Rpc, spawnTracked } from './lib/children.js';
import { histogramBuckets, pinTo, quantileBetween, schedOf, startEdge } from './lib/edge.js';
import { sleep } from './lib/pool.js';
import {
  type Baseline,
  type BenchContext,
  type LatencyResult,
  benchTopic,
  cpuOf as cpuSecondsOf,
  latencyOf,
  openOnTopic,
  openRaw,
  sampleLatency,
  settle,
} from './scenarios.js';

/** Percentiles of one latency distribution, ms. */
export type LatencyFigures = Pick<LatencyResult, 'samples' | 'p50' | 'p90' | 'p99' | 'max'>;

/** One row of the latency sweep: N connections × R records/s, the edge next to Kafka's floor. */
export interface LatencyRow {
  connections: number;
  ready: number;
  /** Records/s produced to the topic (4 partitions). */
  rate: number;
  /** Deliveries/s asked of the edge: rate × connections. */
  offeredDeliveriesPerSec: number;
  recordsSent: number;
  sampledConnections: number;
  /** Producer send → sampled client receipt, through the edge. */
  edge: LatencyResult;
  /** Producer send → a plain Kafka consumer (kcat, fetch.min.bytes=1), same records, same run. */
  floor: LatencyFigures;
  /** What the edge adds: edge − floor, percentile by percentile, ms. */
  added: { p50: number; p90: number; p99: number; max: number };
  /**
   * Per record (paired by send time): how much later than the floor the edge's
   * first sampled client got it (Kafka fetch + ingest + uWS queueing), and the
   * spread from its first to its last sampled client (uWS's send loop over the
   * sockets and the load clients' own processing), ms.
   */
  breakdown: { firstAfterFloor: LatencyFigures; spread: LatencyFigures; records: number };
  /**
   * The same rate through raw uWS (no Kafka, no edge; the baseline stamps
   * each record as it publishes it) to as many connections: the part of the
   * latency that is uWS's send loop and the load clients themselves.
   */
  uws?: {
    latency: LatencyFigures;
    spread: LatencyFigures;
    serverCpuS: number;
    deliveriesPerServerCpuS: number;
    clientCpuS: number;
  };
  /** Deliveries/s counted at the clients over the row (warm-up included). */
  deliveriesPerSec: number;
  /** The edge's CPU seconds over the row, and deliveries per edge CPU-second. */
  serverCpuS: number;
  deliveriesPerServerCpuS: number;
  /** The load-client processes' CPU seconds over the row (reported apart from the server's). */
  clientCpuS: number;
  /** The floor consumer's CPU seconds (kcat and its reader) over the row. */
  floorCpuS: number;
  /**
   * Where the edge's part goes, from its own histogram
   * (`fanout_record_latency_seconds`: Kafka record timestamp → frame handed
   * to uWS publish), p50/p99 over the row's records, ms: the edge's Kafka
   * fetch and ingest. The rest of the edge's latency is after publish (uWS's
   * send loop, the kernel, the load clients).
   */
  published?: { p50: number; p99: number };
  /**
   * CPU contention, from the scheduler (schedstat of each main thread): the
   * seconds per wall second the edge, and the load clients together, were
   * runnable but waiting for a core; and the share of the edge's runnable
   * time spent waiting. On this 2-core machine the edge shares the cores
   * with the load clients, Kafka and kcat.
   */
  cpuWait?: { edgeMsPerS: number; clientsMsPerS: number; edgeWaitShare: number };
  wallS: number;
}

export interface LatencySweep {
  topic: string;
  partitions: number;
  rows: LatencyRow[];
}

const HOST = '127.0.0.1';

/** The sweep's rows: every connection count × every low rate, plus the high rate (deliveries/s ÷ N) when above them. */
export function sweepRows(o: {
  latencyConnections: number[];
  latencyRates: number[];
  latencyHighDeliveries: number;
}): Array<{ connections: number; rate: number }> {
  const rows: Array<{ connections: number; rate: number }> = [];
  for (const n of o.latencyConnections) {
    const rates = [...o.latencyRates];
    const high = Math.round(o.latencyHighDeliveries / n);
    if (o.latencyHighDeliveries > 0 && high > Math.max(0, ...rates)) rates.push(high);
    for (const rate of rates) rows.push({ connections: n, rate });
  }
  return rows;
}

/** Pairs the edge's samples with the floor's by record (send time); see {@link LatencyRow.breakdown}. */
export function breakdown(
  samples: number[],
  samplesSent: number[],
  floorSamples: number[],
  floorSent: number[],
): LatencyRow['breakdown'] {
  const floorBy = new Map<number, number>();
  floorSent.forEach((t, i) => floorBy.set(t, floorSamples[i] as number));
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  samplesSent.forEach((t, i) => {
    const v = samples[i] as number;
    const f = first.get(t);
    if (f === undefined || v < f) first.set(t, v);
    const l = last.get(t);
    if (l === undefined || v > l) last.set(t, v);
  });
  const after: number[] = [];
  const spread: number[] = [];
  for (const [t, f] of first) {
    const fl = floorBy.get(t);
    if (fl !== undefined) after.push(f - fl);
    spread.push((last.get(t) as number) - f);
  }
  const pick = (x: number[]): LatencyFigures => {
    const l = latencyOf(x);
    return { samples: l.samples, p50: l.p50, p90: l.p90, p99: l.p99, max: l.max };
  };
  return { firstAfterFloor: pick(after), spread: pick(spread), records: first.size };
}

/** A process's CPU seconds, 0 if it is gone (the rows sum several processes). */
const cpuOf = (pid: number | undefined): number => cpuSecondsOf(pid, 0);

/**
 * Scenario 3: the latency sweep. One edge, one 4-partition topic, and Kafka's
 * floor (a kcat consumer in its own process) reading the same topic. For each
 * connection count, the connections are opened once and each rate runs in
 * turn; every row reports the edge's and the floor's p50/p90/p99/max from the
 * same records, the edge's added latency, and the CPU each side used.
 */
export async function latencySweep(ctx: BenchContext, baseline?: Baseline): Promise<LatencySweep> {
  const { opts } = ctx;
  const topic = await benchTopic(ctx, 'bench-lat');
  const edge = await startEdge({
    brokers: ctx.brokers,
    redisUrl: ctx.redisUrl,
    topics: [topic],
    nodeId: 'bench-lat',
    env: opts.edgeEnv,
    ...(opts.cpuProf ? { cpuProfDir: opts.cpuProf } : {}),
  });
  if (opts.pinEdge) {
    pinTo(edge.pid, '0');
    if (baseline) pinTo(baseline.pid, '0');
  }
  const floor = new Rpc(spawnTracked('bench/floor-consumer.ts', [], { ipc: true }));
  const rows: LatencyRow[] = [];
  try {
    await floor.call('start', { brokers: ctx.brokers, topic });
    // kcat starts at the log end once it knows every partition's end: probe until it reads.
    for (let i = 0; ; i++) {
      await ctx.producer.send(topic, opts.partitions, () => 'probe');
      await sleep(200);
      const s = await floor.call<{ seen: number; errors: string[] }>('stats');
      if (s.seen > 0) break;
      if (i > 100) throw new Error(`the floor consumer read nothing in 20 s: ${s.errors.join('; ')}`);
    }
    const floorPids = await floor.call<{ pid: number; kcatPid: number }>('info');
    const clientPids = ctx.pool.rpcs.map((r) => r.proc.child.pid);
    const clientsCpu = () => clientPids.reduce<number>((a, p) => a + cpuOf(p), 0);
    const floorCpu = () => cpuOf(floorPids.pid) + cpuOf(floorPids.kcatPid);
    const clientsWait = () => clientPids.reduce<number>((a, p) => a + schedOf(p).waitS, 0);
    const publishHistogram = async () => {
      try {
        const res = await fetch(`http://${HOST}:${edge.port}/metrics`);
        return histogramBuckets(await res.text(), 'fanout_record_latency_seconds');
      } catch {
        return undefined;
      }
    };
    const plan = sweepRows(opts);
    const byConns = new Map<number, number[]>();
    for (const r of plan) byConns.set(r.connections, [...(byConns.get(r.connections) ?? []), r.rate]);
    for (const [n, rates] of byConns) {
      ctx.log(`latency: ${n} connections on ${topic}`);
      const ready = await openOnTopic(ctx, edge.port, n, topic);
      await sleep(300);
      for (const rate of rates) {
        // Sampled connections: at least `latencySamples`; at low rates more
        // (up to every connection), about 20,000 samples/s in all.
        const want = Math.min(ready, Math.max(opts.latencySamples, Math.floor(20_000 / rate)));
        const latencyEvery = Math.max(1, Math.floor(ready / Math.max(1, want)));
        await ctx.pool.sample(latencyEvery);
        ctx.log(
          `latency: ${rate} records/s to ${ready} connections (${(rate * ready).toLocaleString('en-US')} deliveries/s)`,
        );
        await settle(ctx);
        const pubs0 = (await ctx.pool.stats()).pubs;
        const cpu0 = { edge: cpuOf(edge.pid), clients: clientsCpu(), floor: floorCpu() };
        const sched0 = { edge: schedOf(edge.pid), clients: clientsWait() };
        const hist0 = await publishHistogram();
        const t0 = performance.now();
        const { sent, samples, samplesSent, floorSamples, floorSent } = await sampleLatency(
          ctx,
          topic,
          rate,
          floor,
        );
        const wallS = (performance.now() - t0) / 1000;
        const sched1 = { edge: schedOf(edge.pid), clients: clientsWait() };
        const hist1 = await publishHistogram();
        const pubs = (await ctx.pool.stats()).pubs - pubs0;
        const edgeWait = sched1.edge.waitS - sched0.edge.waitS;
        const edgeRun = sched1.edge.runS - sched0.edge.runS;
        const serverCpuS = cpuOf(edge.pid) - cpu0.edge;
        const e = latencyOf(samples);
        const f = latencyOf(floorSamples);
        rows.push({
          connections: n,
          ready,
          rate,
          offeredDeliveriesPerSec: rate * ready,
          recordsSent: sent,
          sampledConnections: Math.ceil(ready / latencyEvery),
          edge: {
            connections: ready,
            sampledConnections: Math.ceil(ready / latencyEvery),
            rate,
            recordsSent: sent,
            ...e,
          },
          floor: { samples: f.samples, p50: f.p50, p90: f.p90, p99: f.p99, max: f.max },
          added: { p50: e.p50 - f.p50, p90: e.p90 - f.p90, p99: e.p99 - f.p99, max: e.max - f.max },
          breakdown: breakdown(samples, samplesSent, floorSamples, floorSent),
          deliveriesPerSec: pubs / wallS,
          serverCpuS,
          deliveriesPerServerCpuS: serverCpuS > 0 ? pubs / serverCpuS : Number.NaN,
          clientCpuS: clientsCpu() - cpu0.clients,
          floorCpuS: floorCpu() - cpu0.floor,
          ...(hist0 && hist1
            ? {
                published: {
                  p50: quantileBetween(hist0, hist1, 0.5) * 1000,
                  p99: quantileBetween(hist0, hist1, 0.99) * 1000,
                },
              }
            : {}),
          cpuWait: {
            edgeMsPerS: (edgeWait * 1000) / wallS,
            clientsMsPerS: ((sched1.clients - sched0.clients) * 1000) / wallS,
            edgeWaitShare: edgeWait + edgeRun > 0 ? edgeWait / (edgeWait + edgeRun) : 0,
          },
          wallS,
        });
      }
      const st = await ctx.pool.stats();
      if (st.counters.gaps + st.counters.dups + st.counters.decodeMismatches > 0)
        ctx.log(`latency position check: ${JSON.stringify(st.counters)}`);
      await ctx.pool.close();

      // The same rates through raw uWS to as many connections: what uWS's
      // send loop and the load clients add with no Kafka and no edge.
      if (!baseline) continue;
      await baseline.rpc.call('setup', { topics: [topic], topic, payloadBytes: opts.payloadBytes });
      const readyU = await openRaw(ctx, baseline.port, n, [topic]);
      await sleep(300);
      for (const rate of rates) {
        const row = rows.find((r) => r.connections === n && r.rate === rate);
        if (!row) continue;
        const want = Math.min(readyU, Math.max(opts.latencySamples, Math.floor(20_000 / rate)));
        await ctx.pool.sample(Math.max(1, Math.floor(readyU / Math.max(1, want))));
        ctx.log(`latency: ${rate} records/s to ${readyU} connections (raw uWS)`);
        await settle(ctx);
        const pubs0 = (await ctx.pool.stats()).pubs;
        const cpu0 = { server: cpuOf(baseline.pid), clients: clientsCpu() };
        const { samples, samplesSent } = await sampleLatency(ctx, topic, rate, undefined, (k) =>
          baseline.rpc.call('publishTimed', { count: k, payloadBytes: opts.payloadBytes }),
        );
        const pubs = (await ctx.pool.stats()).pubs - pubs0;
        const serverCpuS = cpuOf(baseline.pid) - cpu0.server;
        const u = latencyOf(samples);
        const b = breakdown(samples, samplesSent, [], []);
        row.uws = {
          latency: { samples: u.samples, p50: u.p50, p90: u.p90, p99: u.p99, max: u.max },
          spread: b.spread,
          serverCpuS,
          deliveriesPerServerCpuS: serverCpuS > 0 ? pubs / serverCpuS : Number.NaN,
          clientCpuS: clientsCpu() - cpu0.clients,
        };
      }
      await ctx.pool.close();
    }
  } finally {
    await floor.call('exit', {}, 2000).catch(() => undefined);
    await floor.proc.kill('SIGKILL');
    await edge.stop();
  }
  return { topic, partitions: opts.partitions, rows };
}
