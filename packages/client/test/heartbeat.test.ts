import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accept, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('heartbeats', () => {
  it('answers every Ping with Pong', async () => {
    const { net } = setup();
    const edge = await accept(net, { heartbeatIntervalMs: 10_000 });
    edge.serverSend({ ping: {} });
    edge.serverSend({ ping: {} });
    expect(edge.frames('pong')).toHaveLength(2);
  });

  it('a connection silent for interval + grace (default max(interval / 2, 2 s)) is dead: closed and replaced elsewhere', async () => {
    const { net, client } = setup({ random: () => 0 });
    const reasons: string[] = [];
    client.on('state', (c) => reasons.push(c.message));
    const edge = await accept(net, { heartbeatIntervalMs: 10_000 });
    await tick(14_999);
    expect(net.sockets).toHaveLength(1);
    expect(edge.closedWith).toBeUndefined();
    await tick(1);
    expect(edge.closedWith?.code).toBe(4001);
    expect(reasons).toContain('heartbeat timeout');
    await tick(1);
    expect(net.urls).toEqual(['ws://edge-a', 'ws://edge-b']);
  });

  it('any frame keeps the connection alive', async () => {
    const { net } = setup();
    const edge = await accept(net, { heartbeatIntervalMs: 10_000 });
    for (let i = 0; i < 10; i++) {
      await tick(10_000);
      edge.serverSend({ ping: {} });
    }
    expect(edge.closedWith).toBeUndefined();
    await tick(14_999);
    expect(edge.closedWith).toBeUndefined();
    await tick(1);
    expect(edge.closedWith?.code).toBe(4001);
  });

  it('uses a 2 s floor for short intervals, and heartbeatGraceMs when given', async () => {
    const short = setup();
    const a = await accept(short.net, { heartbeatIntervalMs: 1000 });
    await tick(2999);
    expect(a.closedWith).toBeUndefined();
    await tick(1);
    expect(a.closedWith?.code).toBe(4001);
    await short.client.close();

    const custom = setup({ heartbeatGraceMs: 500 });
    const b = await accept(custom.net, { heartbeatIntervalMs: 1000 });
    await tick(1499);
    expect(b.closedWith).toBeUndefined();
    await tick(1);
    expect(b.closedWith?.code).toBe(4001);
  });

  it('no watchdog when the edge announces no heartbeat', async () => {
    const { net } = setup();
    const edge = await accept(net, { heartbeatIntervalMs: 0 });
    await tick(3_600_000);
    expect(edge.closedWith).toBeUndefined();
  });
});
