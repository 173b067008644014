import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GlobalEvents } from '../src/index.js';
import { accept, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('reconnect and endpoint failover', () => {
  it('skips an endpoint that just failed and goes round robin', async () => {
    const { net } = setup({ random: () => 0.999 });
    await tick();
    net.last.serverClose(1006); // edge-a refused
    await tick(500);
    expect(net.urls).toEqual(['ws://edge-a', 'ws://edge-b']);
    const b = await accept(net);
    b.serverClose(1006); // edge-b dies after a good connection
    await tick(500);
    // edge-c is next; edge-a's failure is older than the window, edge-b's is fresh.
    expect(net.urls.at(-1)).toBe('ws://edge-c');
    net.last.serverClose(1006);
    await tick(1000);
    expect(net.urls.at(-1)).toBe('ws://edge-a');
  });

  it('waits a capped exponential backoff with full jitter between failed attempts, reset by a Welcome', async () => {
    const { net } = setup({ random: () => 0.999, backoff: { minMs: 100, maxMs: 1000 } });
    await tick();
    const opened: number[] = [];
    for (let i = 0; i < 7; i++) {
      const count = net.sockets.length;
      net.last.serverClose(1006);
      let waited = 0;
      while (net.sockets.length === count) {
        await tick(1);
        waited++;
      }
      opened.push(waited);
    }
    // floor(0.999 * min(1000, 100 * 2^n)), observed on a 1 ms grid.
    expect(opened).toEqual([99, 199, 399, 799, 999, 999, 999]);
    await accept(net);
    const count = net.sockets.length;
    net.last.serverClose(1006);
    await tick(98);
    expect(net.sockets.length).toBe(count);
    await tick(1);
    expect(net.sockets.length).toBe(count + 1);
  });

  it('reconnects immediately with random 0', async () => {
    const { net } = setup({ random: () => 0 });
    await accept(net);
    net.last.serverClose(1006);
    await tick(1);
    expect(net.sockets).toHaveLength(2);
  });

  it('abandons an attempt with no Welcome after connectTimeoutMs', async () => {
    const { net } = setup({ connectTimeoutMs: 3000, random: () => 0 });
    await tick();
    net.last.serverOpen(); // TCP and WebSocket up, but no Welcome ever comes
    await tick(2999);
    expect(net.sockets).toHaveLength(1);
    await tick(1);
    expect(net.sockets[0]?.closedWith?.code).toBe(4000);
    await tick(1); // Node (and fake timers) run a 0 ms timer after 1 ms
    expect(net.urls).toEqual(['ws://edge-a', 'ws://edge-b']);
  });

  it('GoAway: leaves now, reconnects to the next endpoint after reconnectAfterMs plus jitter', async () => {
    const { net, client } = setup({ random: () => 0.5 });
    const edge = await accept(net);
    edge.serverSend({ goAway: { reason: 1, reconnectAfterMs: 2000, message: 'deploy' } });
    expect(edge.closedWith?.code).toBe(4000);
    expect(client.state).toBe('reconnecting');
    await tick(2249);
    expect(net.sockets).toHaveLength(1);
    await tick(1);
    expect(net.urls).toEqual(['ws://edge-a', 'ws://edge-b']);
  });

  it('GoAway with a long message still closes the socket (close reasons are capped at 123 bytes)', async () => {
    const { net } = setup();
    const edge = await accept(net);
    edge.close = function (this: typeof edge, code?: number, reason?: string) {
      if (reason && new TextEncoder().encode(reason).length > 123) throw new SyntaxError('reason too long');
      this.closedWith = { code, reason };
    };
    edge.serverSend({ goAway: { reason: 1, reconnectAfterMs: 0, message: '€'.repeat(200) } });
    expect(edge.closedWith?.code).toBe(4000);
  });

  it('offline drops the connection and waits; online reconnects at once', async () => {
    const listeners = new Map<string, () => void>();
    const globalEvents: GlobalEvents = {
      addEventListener: (type, fn) => void listeners.set(type, fn),
      removeEventListener: (type) => void listeners.delete(type),
    };
    const { net, client } = setup({ globalEvents, random: () => 0.999 });
    const edge = await accept(net);
    listeners.get('offline')?.();
    expect(edge.closedWith?.code).toBe(4000);
    expect(client.state).toBe('reconnecting');
    await tick(60_000);
    expect(net.sockets).toHaveLength(1);
    listeners.get('online')?.();
    await tick();
    expect(net.sockets).toHaveLength(2);
    await client.close();
    expect([...listeners.keys()]).toEqual([]);
  });
});
