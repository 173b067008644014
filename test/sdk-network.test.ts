import { waitFor } from '@fanout/testing';
import { describe, expect, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { sdkClient } from './support/sdk-client.js';
import { TickProducer, describeTally, exact, sdkEdgeEnv, tally } from './support/sdk-fixtures.js';
import { TcpProxy } from './support/sdk-proxy.js';

const HEARTBEAT_MS = 500;
const GRACE_MS = 1000;
// Timers fire a little late on a loaded machine.
const SLACK_MS = 300;

describe('the SDK through a faulty network (TCP proxy)', () => {
  it('a stalled connection (nothing forwarded, nothing closed) is detected within interval + grace and resumed on the other edge, nothing lost', async () => {
    const ticks = await TickProducer.create(3);
    const env = sdkEdgeEnv(ticks.topic, { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) });
    const [a, b] = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
    const proxy = await TcpProxy.start(a.port);
    const c = sdkClient(ticks.topic, {
      endpoints: [proxy.url, b.url],
      heartbeatGraceMs: GRACE_MS,
      backoff: { minMs: 50, maxMs: 200 },
    });
    await waitFor(() => c.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 10_000,
      description: 'subscribed through the proxy',
    });
    expect(c.connections).toEqual([proxy.url]);
    await ticks.produce(50);
    await waitFor(() => c.seqs.length >= 50, { timeoutMs: 10_000, description: '50 records' });

    const stalledAt = Date.now();
    expect(proxy.stall()).toBe(1);
    await ticks.produce(50);
    const dead = await waitFor(() => c.states.find((s) => s.to === 'reconnecting'), {
      timeoutMs: 10_000,
      intervalMs: 10,
      description: 'the stall detected',
    });
    const detectedMs = Date.now() - stalledAt;
    expect(dead.message).toMatch(/heartbeat/);
    expect(detectedMs).toBeLessThanOrEqual(HEARTBEAT_MS + GRACE_MS + SLACK_MS);
    await waitFor(() => c.connections.length === 2 && c.client.state === 'connected', {
      timeoutMs: 10_000,
      description: 'resumed on the other edge',
    });
    expect(c.connections[1]).toBe(b.url);
    await ticks.produce(50);
    await waitFor(() => c.seqs.length >= 150, { timeoutMs: 10_000, description: '150 records' });
    const t = tally(
      c.seqs,
      ticks.produced.map((p) => p.seq),
    );
    process.stderr.write(
      `[network] stall: detected after ${detectedMs} ms (bound ${HEARTBEAT_MS} + ${GRACE_MS}), ${describeTally(t)}\n`,
    );
    expect(exact(t), describeTally(t)).toBe(true);
    expect(c.client.sessionId).toBeTruthy();
  });

  it('a cut connection (both sockets destroyed) is resumed, nothing lost', async () => {
    const ticks = await TickProducer.create(3);
    const env = sdkEdgeEnv(ticks.topic, { HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) });
    const edge = await startEdgeProcess(env);
    const proxy = await TcpProxy.start(edge.port);
    // The same edge directly as the second endpoint.
    const c = sdkClient(ticks.topic, {
      endpoints: [proxy.url, edge.url],
      heartbeatGraceMs: GRACE_MS,
      backoff: { minMs: 50, maxMs: 200 },
    });
    await waitFor(() => c.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 10_000,
      description: 'subscribed through the proxy',
    });
    await ticks.produce(50);
    await waitFor(() => c.seqs.length >= 50, { timeoutMs: 10_000, description: '50 records' });
    const cutAt = Date.now();
    expect(proxy.cut()).toBe(1);
    await ticks.produce(50);
    await waitFor(() => c.connections.length === 2 && c.client.state === 'connected', {
      timeoutMs: 10_000,
      description: 'resumed',
    });
    const resumedMs = Date.now() - cutAt;
    await ticks.produce(50);
    await waitFor(() => c.seqs.length >= 150, { timeoutMs: 10_000, description: '150 records' });
    const t = tally(
      c.seqs,
      ticks.produced.map((p) => p.seq),
    );
    process.stderr.write(
      `[network] cut: ${c.states.find((s) => s.to === 'reconnecting')?.reason}, resumed on ${c.connections[1]} after ${resumedMs} ms, ${describeTally(t)}\n`,
    );
    expect(exact(t), describeTally(t)).toBe(true);
  });
});
