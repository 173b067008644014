import { waitFor } from '@fanout/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import {
  type FaultClient,
  faultClient,
  faultReport,
  mixedChannels,
  printReport,
  waitDelivered,
  waitSubscribed,
} from './support/fault-clients.js';
import { faultEdgeEnv } from './support/fault-infra.js';
import { closeRedis } from './support/fixtures.js';
import { TestKafka, steadyStream } from './support/kafka.js';
import { TcpProxy } from './support/sdk-proxy.js';

afterAll(closeRedis);

const CLIENTS = 50;
const KEYS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'];
const HEARTBEAT_MS = 500;
const GRACE_MS = 1000;

/**
 * 50 SDK clients reach 2 edges only through TCP proxies (one per edge) while
 * a steady stream runs; `fault` hits every proxied connection at once; the
 * clients must come back (through the proxies, which forward new
 * connections normally) with every record exactly once.
 */
async function networkFault(fault: 'cut' | 'stall'): Promise<void> {
  const tk = TestKafka.create(inject('kafkaBrokers'));
  const topic = await tk.topic(3);
  const env = faultEdgeEnv(
    topic,
    { brokers: inject('kafkaBrokers'), redisUrl: inject('redisUrl') },
    { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) },
  );
  const edges = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
  const proxies = await Promise.all(edges.map((e) => TcpProxy.start(e.port)));
  const [pa, pb] = proxies as [TcpProxy, TcpProxy];
  const clients: FaultClient[] = mixedChannels(topic, KEYS, CLIENTS).map((channel, i) =>
    faultClient(`client-${i}`, channel, {
      endpoints: i % 2 === 0 ? [pa.url, pb.url] : [pb.url, pa.url],
      heartbeatGraceMs: GRACE_MS,
      backoff: { minMs: 50, maxMs: 500 },
    }),
  );
  await waitSubscribed(clients);

  const stream = steadyStream(tk, topic, KEYS, 10, 50);
  let hit = 0;
  let recoveredMs = 0;
  try {
    const streamed = (n: number) =>
      waitFor(() => stream.count >= n, {
        timeoutMs: 60_000,
        intervalMs: 20,
        description: `${n} records streamed`,
      });
    await streamed(100);
    const at = Date.now();
    hit = proxies.reduce((n, p) => n + (fault === 'cut' ? p.cut() : p.stall()), 0);
    await waitFor(
      () =>
        clients.every(
          (c) =>
            c.connections.length >= 2 &&
            c.client.state === 'connected' &&
            c.client.subscription(c.channel)?.state === 'subscribed',
        ),
      { timeoutMs: 30_000, intervalMs: 20, description: `every client resumed after the ${fault}` },
    );
    recoveredMs = Date.now() - at;
    await streamed(stream.count + 100);
  } finally {
    await stream.stop();
  }
  await waitDelivered(clients, tk.produced);

  const r = faultReport(`network ${fault}`, clients, tk.produced);
  const reasons = new Map<string, number>();
  for (const c of clients) {
    const reason = c.states.find((s) => s.to === 'reconnecting')?.message ?? 'none';
    const kind = reason.replace(/\d{4}.*/, (m) => m.slice(0, 4));
    reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
  }
  printReport(
    r,
    `${hit} connections ${fault === 'cut' ? 'cut' : 'stalled'}, every client resumed within ${recoveredMs} ms; first reconnect reasons: ${[...reasons].map(([k, n]) => `${k} ×${n}`).join(', ')}`,
  );
  expect(hit).toBe(CLIENTS);
  expect(r.examples).toEqual([]);
  expect(r.lost).toBe(0);
  expect(r.duplicated).toBe(0);
  expect(r.unexpected).toBe(0);
  expect(r.continuityLost).toBe(0);
  expect(r.closed).toBe(0);
  expect(clients.flatMap((c) => c.errors.map((e) => `${c.name}: ${e.code} ${e.message}`))).toEqual([]);
  if (fault === 'stall')
    // Nothing closes a stalled connection: only the SDK's heartbeat watchdog finds it.
    expect([...reasons.keys()]).toEqual(['heartbeat timeout']);
}

describe('fault: the network between clients and edges (TCP proxies)', () => {
  it('cut (both sockets destroyed) under a steady stream: 50 SDK clients resume, every record exactly once', async () => {
    await networkFault('cut');
  });

  it('stall (nothing forwarded, nothing closed) under a steady stream: 50 SDK clients detect it by heartbeat and resume, every record exactly once', async () => {
    await networkFault('stall');
  });
});
