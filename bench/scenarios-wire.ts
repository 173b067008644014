import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopic, quotePayload, uniqueId } from '@fanout/testing';
import { cpuSeconds, startEdge } from './lib/edge.js';
import { sleep } from './lib/pool.js';
import {
  type BenchContext,
  baselineClosedLoop,
  closedLoop,
  openOnTopic,
  openRaw,
  settle,
  startBaseline,
} from './scenarios.js';

/** One row of the wire scenario: the same fan-out over another transport setting. */
export interface WireRow {
  name: string;
  /** The server: the fanout edge, or the raw uWS baseline (same payload, no Kafka). */
  server: 'fanout' | 'uws';
  tls: boolean;
  compression: boolean;
  connections: number;
  ready: number;
  deliveriesPerSec: number;
  recordsPerSec: number;
  /** WebSocket bytes the clients received per delivered record (frame headers included; TLS: decrypted). */
  bytesPerDelivery: number;
  /** Share of publications that arrived compressed. */
  compressedShare: number;
  /** The server's CPU time over the measurement and the drain after it, per wall second (1 = one core). */
  edgeCpu: number;
  /** Server CPU microseconds per 1,000 deliveries (measurement and the drain after it). */
  edgeCpuUsPerKDelivery: number;
  /** Slow-client events the edge counted (taken off live, closed): flow control, not the transport, if non-zero. */
  slowClientEvents: number;
}

/** Scenario 6: TLS cost and permessage-deflate (bytes, rate) for a ~300-byte JSON record. */
export interface WireResult {
  payloadBytes: number;
  rows: WireRow[];
}

const HOST = '127.0.0.1';

/** Sum of a metric's samples in the edge's /metrics (0 when absent). */
async function metricSum(port: number, tls: boolean, name: string): Promise<number> {
  const text = await fetch(`http://${HOST}:${port}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  if (tls) return Number.NaN;
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  return sum;
}

/**
 * Runs one row's closed loop and returns it with the row's figures: bytes
 * and compressed share per delivered record, and the server's CPU (share of a
 * core, and per 1,000 deliveries) over the loop and the drain after it.
 */
async function measured<T>(ctx: BenchContext, serverPid: number, loop: () => Promise<T>) {
  const before = await ctx.pool.stats();
  const cpu0 = cpuSeconds(serverPid);
  const t0 = performance.now();
  const f = await loop();
  await settle(ctx);
  const cpu = cpuSeconds(serverPid) - cpu0;
  const wall = (performance.now() - t0) / 1000;
  const after = await ctx.pool.stats();
  const pubs = Math.max(1, after.pubs - before.pubs);
  const figures = {
    bytesPerDelivery: (after.counters.bytes - before.counters.bytes) / pubs,
    compressedShare: (after.counters.compressedFrames - before.counters.compressedFrames) / pubs,
    edgeCpu: cpu / wall,
    edgeCpuUsPerKDelivery: (cpu * 1e9) / pubs,
  };
  return { f, after, figures };
}

/** A self-signed certificate for 127.0.0.1, made with openssl in a temporary directory. */
function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/**
 * The fan-out throughput of one `<topic>` channel to N connections, with a
 * ~300-byte JSON payload, in three settings: plain ws://, wss:// (TLS at the
 * edge) and ws:// with permessage-deflate negotiated by every client. Each
 * row runs on a fresh edge.
 */
export async function wire(ctx: BenchContext): Promise<WireResult> {
  const { opts } = ctx;
  const n = opts.wireConnections;
  const dir = mkdtempSync(join(tmpdir(), 'bench-tls-'));
  const payloadBytes = quotePayload(0).length;
  const rows: WireRow[] = [];
  try {
    const { cert, key } = selfSigned(dir);
    const settings = [
      { name: 'ws://', tls: false, compression: false },
      { name: 'wss:// (TLS)', tls: true, compression: false },
      { name: 'ws:// + permessage-deflate', tls: false, compression: true },
    ];
    for (const s of settings) {
      const topic = await createTopic(ctx.brokers, {
        partitions: opts.partitions,
        name: uniqueId('bench-wire'),
      });
      const edge = await startEdge({
        brokers: ctx.brokers,
        redisUrl: ctx.redisUrl,
        topics: [topic],
        nodeId: 'bench-wire',
        env: {
          ...(s.tls ? { TLS_CERT_FILE: cert, TLS_KEY_FILE: key } : {}),
          ...(s.compression ? { WS_COMPRESSION: 'shared' } : {}),
        },
      });
      try {
        ctx.log(`wire: ${n} connections, ${s.name}, ${payloadBytes}-byte JSON`);
        const ready = await openOnTopic(ctx, edge.port, n, topic, { tls: s.tls, deflate: s.compression });
        await sleep(200);
        const { f, after, figures } = await measured(ctx, edge.pid, () =>
          closedLoop(ctx, {
            conns: ready,
            perRecord: ready,
            durationMs: opts.durationMs,
            publish: (k) => ctx.producer.send(topic, k, (i) => quotePayload(i)),
          }),
        );
        if (after.counters.gaps + after.counters.dups + after.counters.decodeMismatches > 0)
          ctx.log(`wire position check (${s.name}): ${JSON.stringify(after.counters)}`);
        const slowClientEvents = await metricSum(edge.port, s.tls, 'fanout_slow_client_events_total');
        if (slowClientEvents > 0) ctx.log(`wire (${s.name}): ${slowClientEvents} slow-client events`);
        rows.push({
          ...s,
          server: 'fanout',
          slowClientEvents,
          connections: n,
          ready,
          ...f,
          ...figures,
        });
        await ctx.pool.close();
      } finally {
        await edge.stop();
      }
    }
    // Raw uWS, same JSON payload wrapped in the same Publication frame, with
    // and without its shared compressor: what deflate costs uWS itself.
    for (const compression of [false, true]) {
      const name = compression ? 'raw uWS ws:// + permessage-deflate' : 'raw uWS ws://';
      const topic = uniqueId('bench-wire-uws');
      const baseline = await startBaseline(compression ? { env: { BASELINE_COMPRESSION: 'shared' } } : {});
      try {
        await baseline.rpc.call('setup', { topics: [topic], topic, payload: quotePayload(0) });
        ctx.log(`wire: ${n} connections, ${name}`);
        const ready = await openRaw(ctx, baseline.port, n, [topic], { deflate: compression });
        const { f, figures } = await measured(ctx, baseline.pid, () =>
          baselineClosedLoop(ctx, baseline, ready),
        );
        rows.push({
          name,
          server: 'uws',
          tls: false,
          compression,
          connections: n,
          ready,
          ...f,
          ...figures,
          slowClientEvents: 0,
        });
        await ctx.pool.close();
      } finally {
        await baseline.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { payloadBytes, rows };
}
