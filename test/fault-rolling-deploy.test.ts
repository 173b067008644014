import { freePorts, waitFor } from '@fanout/testing';
import { describe, expect, inject, it } from 'vitest';
import { type EdgeProcess, startEdgeProcess, tail } from './support/edge-process.js';
import {
  type FaultClient,
  faultClient,
  faultReport,
  mixedChannels,
  printReport,
  waitDelivered,
  waitSubscribed,
} from './support/fault-clients.js';
import { faultEdgeEnv, readyz } from './support/fault-infra.js';
import { startNginx } from './support/fault-nginx.js';
import { TestKafka, steadyStream } from './support/kafka.js';

const CLIENTS = 200;
const KEYS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'];

/** Every client connected with its subscription live. */
const allLive = (clients: readonly FaultClient[]) =>
  clients.every(
    (c) => c.client.state === 'connected' && c.client.subscription(c.channel)?.state === 'subscribed',
  );

/** The clients not live, for failure messages. */
function stuck(clients: readonly FaultClient[]): string {
  const late = clients.filter(
    (c) => c.client.state !== 'connected' || c.client.subscription(c.channel)?.state !== 'subscribed',
  );
  return `${late.length} not live: ${late
    .slice(0, 5)
    .map(
      (c) =>
        `${c.name} ${c.channel} ${c.client.state}/${c.client.subscription(c.channel)?.state} states [${c.states
          .slice(-4)
          .map((s) => `${s.to}:${s.message}`)
          .join(', ')}] errors [${c.errors.map((e) => e.message).join('; ')}] attempts ${c.attempts.length}`,
    )
    .join('\n')}`;
}

describe('fault: rolling deploy behind nginx', () => {
  it('SIGTERM and restart each of 2 edges in turn under a steady stream: 200 SDK clients through nginx get every record exactly once, nothing worse than reconnects', async () => {
    const tk = TestKafka.create(inject('kafkaBrokers'));
    const topic = await tk.topic(3);
    const env = faultEdgeEnv(topic, { brokers: inject('kafkaBrokers'), redisUrl: inject('redisUrl') });
    // Stable ports: a restarted edge comes back where nginx expects it.
    const ports = await freePorts(2);
    const start = (i: number) =>
      startEdgeProcess({ ...env, EDGE_PORT: String(ports[i]), EDGE_NODE_ID: `edge-${i + 1}` });
    const edges: EdgeProcess[] = await Promise.all([start(0), start(1)]);
    const nginx = await startNginx(ports);

    const clients = mixedChannels(topic, KEYS, CLIENTS).map((channel, i) =>
      faultClient(`client-${i}`, channel, {
        endpoints: nginx.url,
        backoff: { minMs: 100, maxMs: 1000 },
        connectTimeoutMs: 5000,
      }),
    );
    await waitSubscribed(clients, 90_000);
    const initial = new Map<string, number>();
    for (const c of clients) {
      const node = c.connections[0]?.nodeId ?? '?';
      initial.set(node, (initial.get(node) ?? 0) + 1);
    }

    const stream = steadyStream(tk, topic, KEYS, 10, 100);
    const steps: string[] = [];
    try {
      const streamed = (n: number) =>
        waitFor(() => stream.count >= n, {
          timeoutMs: 60_000,
          intervalMs: 20,
          description: `${n} records streamed`,
        });
      await streamed(100);
      for (const i of [0, 1]) {
        const old = edges[i] as EdgeProcess;
        const t0 = Date.now();
        const code = await old.stop();
        expect(code, tail(old.logs())).toBe(0);
        const stoppedMs = Date.now() - t0;
        const fresh = await start(i);
        edges[i] = fresh;
        await waitFor(async () => (await readyz(fresh.port)).status === 200, {
          timeoutMs: 30_000,
          intervalMs: 50,
          description: `edge-${i + 1} ready again`,
        });
        const readyMs = Date.now() - t0;
        await waitFor(() => allLive(clients), {
          timeoutMs: 60_000,
          intervalMs: 50,
          description: `every client live again after edge-${i + 1}'s restart`,
        }).catch((err: Error) => {
          throw new Error(`${err.message}: ${stuck(clients)}\nnginx error log:\n${nginx.errorSummary()}`);
        });
        steps.push(
          `edge-${i + 1}: exited ${stoppedMs} ms after SIGTERM, ready again at ${readyMs} ms, every client live at ${Date.now() - t0} ms`,
        );
        await streamed(stream.count + 50);
      }
    } finally {
      await stream.stop();
    }
    await waitDelivered(clients, tk.produced, 120_000);

    const r = faultReport('rolling-deploy', clients, tk.produced);
    const perClient = clients.map((c) => c.connections.length - 1);
    const errors = clients.flatMap((c) => c.errors.map((e) => `${c.name}: ${e.code} ${e.message}`));
    printReport(
      r,
      `${steps.join('; ')}; clients first on ${[...initial].map(([n, k]) => `${n} ${k}`).join(', ')}; reconnects per client ${Math.min(...perClient)}..${Math.max(...perClient)}; errors ${errors.length}`,
    );
    expect(r.examples).toEqual([]);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.unexpected).toBe(0);
    expect(r.continuityLost).toBe(0);
    expect(r.closed).toBe(0);
    expect(errors).toEqual([]);
    // Both edges served clients before the deploy, and everyone was moved at least once.
    expect(initial.size).toBe(2);
    expect(Math.min(...perClient)).toBeGreaterThanOrEqual(1);
    expect(
      clients.flatMap((c) => c.states.filter((s) => s.to === 'closed').map((s) => `${c.name}: ${s.message}`)),
    ).toEqual([]);
  });
});
