import { get as httpGet } from 'node:http';
import { cpuSeconds, rssOf, startEdge } from './lib/edge.js';
import {
  type Baseline,
  type BenchContext,
  type Throughput,
  baselineClosedLoop,
  benchTopic,
  closedLoop,
  openOnTopic,
  openRaw,
  settle,
} from './scenarios.js';

const HOST = '127.0.0.1';

/** One row of the workers scenario. */
export interface WorkersRow extends Throughput {
  /** Edge worker processes (EDGE_WORKERS); 0 for raw uWS. */
  workers: number;
  /** Connections each worker held during the measurement (from the supervisor's /metrics). */
  perWorker: number[];
  /** CPU seconds of the server's processes (every worker and the supervisor) during the closed loop. */
  serverCpuS: number;
  /** Deliveries per server CPU-second. */
  deliveriesPerCpuS: number;
  /** RSS of the server's processes (supervisor and workers) before the connections opened, bytes. */
  idleRssBytes: number;
}

/** `--only workers`: the throughput scenario's closed loop with 1 edge worker, 2 workers and raw uWS. */
export interface WorkersResult {
  connections: number;
  rows: WorkersRow[];
  /** Deliveries/s of 2 workers over 1. */
  ratio: number;
}

function getText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: HOST, port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** Connections per worker from the supervisor's merged /metrics (`fanout_connections{worker="<n>"}`). */
function connectionsPerWorker(metrics: string, workers: number): number[] {
  return Array.from({ length: workers }, (_, i) => {
    const m = new RegExp(`^fanout_connections\\{worker="${i}"\\} (\\d+)$`, 'm').exec(metrics);
    return m ? Number(m[1]) : 0;
  });
}

/**
 * N connections on one `<topic>` channel (the throughput scenario's setup),
 * closed-loop, on an edge with EDGE_WORKERS=1, then EDGE_WORKERS=2 (one port,
 * SO_REUSEPORT: the load clients' connections spread over both workers, which
 * each read every partition), then on raw uWS with the same clients.
 */
export async function workersScenario(ctx: BenchContext, baseline: Baseline): Promise<WorkersResult> {
  const { opts } = ctx;
  const n = opts.workersConnections;
  const topic = await benchTopic(ctx, 'bench-workers');
  const payload = 'x'.repeat(opts.payloadBytes);
  const rows: WorkersRow[] = [];
  for (const workers of [1, 2]) {
    const edge = await startEdge({
      brokers: ctx.brokers,
      redisUrl: ctx.redisUrl,
      topics: [topic],
      nodeId: `bench-workers-${workers}`,
      ...(workers > 1
        ? {
            env: { EDGE_WORKERS: String(workers), EDGE_ADMIN_PORT: '0' },
            listeningMessage: 'edge workers listening',
          }
        : {}),
    });
    try {
      const line = edge.proc.lines
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return undefined;
          }
        })
        .find((j) => j?.msg === 'edge workers listening');
      const pids = [
        edge.pid,
        ...((line?.workers as Array<{ pid: number }> | undefined) ?? []).map((w) => w.pid),
      ];
      const idleRssBytes = (await Promise.all(pids.map(rssOf))).reduce((a, b) => a + b, 0);
      ctx.log(`workers: ${n} connections on ${topic}, EDGE_WORKERS=${workers}`);
      const ready = await openOnTopic(ctx, edge.port, n, topic);
      const perWorker =
        workers > 1
          ? connectionsPerWorker(await getText(line?.admin_port as number, '/metrics'), workers)
          : [ready];
      const cpu0 = pids.reduce((s, pid) => s + cpuSeconds(pid), 0);
      const f = await closedLoop(ctx, {
        conns: ready,
        perRecord: ready,
        durationMs: opts.durationMs,
        publish: (k) => ctx.producer.send(topic, k, () => payload),
      });
      const serverCpuS = pids.reduce((s, pid) => s + cpuSeconds(pid), 0) - cpu0;
      await settle(ctx);
      const st = await ctx.pool.stats();
      if (st.counters.gaps + st.counters.dups + st.counters.decodeMismatches > 0)
        ctx.log(`position check: ${JSON.stringify(st.counters)}`);
      await ctx.pool.close();
      rows.push({
        workers,
        connections: n,
        ready,
        ...f,
        perWorker,
        serverCpuS,
        deliveriesPerCpuS: (f.deliveriesPerSec * opts.durationMs) / 1000 / serverCpuS,
        idleRssBytes,
      });
    } finally {
      await edge.stop();
    }
  }
  await baseline.rpc.call('setup', { topics: [topic], topic, payloadBytes: opts.payloadBytes });
  ctx.log(`workers: ${n} connections (raw uWS)`);
  const idleRssU = await rssOf(baseline.pid);
  const readyU = await openRaw(ctx, baseline.port, n, [topic]);
  const cpu0 = cpuSeconds(baseline.pid);
  const u = await baselineClosedLoop(ctx, baseline, readyU);
  const serverCpuS = cpuSeconds(baseline.pid) - cpu0;
  await settle(ctx);
  await ctx.pool.close();
  rows.push({
    workers: 0,
    connections: n,
    ready: readyU,
    ...u,
    perWorker: [readyU],
    serverCpuS,
    deliveriesPerCpuS: (u.deliveriesPerSec * opts.durationMs) / 1000 / serverCpuS,
    idleRssBytes: idleRssU,
  });
  const [one, two] = rows;
  return { connections: n, rows, ratio: (two?.deliveriesPerSec ?? 0) / (one?.deliveriesPerSec ?? 1) };
}
