import { Start } from '@fanout/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FanoutClientError, createClient, json, text } from '../src/index.js';
import { accept, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('decode', () => {
  it('json and text helpers give a typed value; payload stays the bytes', async () => {
    const { net, client } = setup();
    const prices: Array<{ symbol: string; price: number }> = [];
    const lines: string[] = [];
    const raw: Uint8Array[] = [];
    client.subscribe('prices', { decode: json<{ symbol: string; price: number }> }, (r) => {
      prices.push(r.value);
      raw.push(r.payload);
    });
    client.subscribe('prices', { decode: text }, (r) => void lines.push(r.value));
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.publish({
      topic: 'prices',
      partition: 0,
      offset: 1,
      payload: utf8('{"symbol":"AAPL","price":1.5}'),
    });
    await tick();
    expect(prices).toEqual([{ symbol: 'AAPL', price: 1.5 }]);
    expect(lines).toEqual(['{"symbol":"AAPL","price":1.5}']);
    expect(new TextDecoder().decode(raw[0])).toBe('{"symbol":"AAPL","price":1.5}');
  });

  it('a payload that does not decode pauses with decode_failed; skip() moves on and acks it', async () => {
    const { net, client } = setup({ ack: { maxDelayMs: 10, maxBatch: 100 } });
    const values: unknown[] = [];
    const sub = client.subscribe('prices', { decode: json }, (r) => void values.push(r.value));
    const errors: FanoutClientError[] = [];
    sub.on('error', (e) => errors.push(e.error));
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1, payload: utf8('not json') });
    edge.publish({ topic: 'prices', partition: 0, offset: 2, payload: utf8('2') });
    await tick(100);
    expect(errors.map((e) => e.code)).toEqual(['decode_failed']);
    expect(errors[0]?.cause).toBeInstanceOf(SyntaxError);
    expect(sub.paused).toBe(true);
    expect(edge.frames('ack')).toEqual([]);
    sub.skip();
    await tick(100);
    expect(values).toEqual([2]);
    expect(edge.frames('ack').at(-1)?.positions).toEqual([{ partition: 0, offset: 2 }]);
  });

  it('text rejects invalid UTF-8 instead of inventing U+FFFD', () => {
    expect(() => text(Uint8Array.of(0xff))).toThrow();
  });
});

describe('autoConnect: false and connect()', () => {
  it('stays idle with no socket until connect(); subscriptions made meanwhile are sent then', async () => {
    const { net, client } = setup({ autoConnect: false });
    const states: string[] = [];
    client.on('state', (c) => states.push(`${c.to}:${c.reason.type}`));
    client.subscribe('prices', () => {});
    await tick(5000);
    expect(client.state).toBe('idle');
    expect(net.sockets).toEqual([]);
    client.connect();
    client.connect();
    const edge = await accept(net);
    expect(net.sockets).toHaveLength(1);
    expect(edge.frames('subscribe')).toEqual([expect.objectContaining({ channel: 'prices' })]);
    expect(states).toEqual(['connecting:connect', 'connected:welcome']);
  });

  it('without any WebSocket, creating the client works and connecting fails with no_websocket', async () => {
    const client = createClient({
      endpoints: 'ws://edge',
      autoConnect: false,
      storage: null,
      globalEvents: null,
    });
    expect(client.state).toBe('idle');
    const errors: FanoutClientError[] = [];
    client.on('error', (e) => errors.push(e));
    const closed = new Promise<{ type: string; code?: string }>((resolve) =>
      client.on('state', (c) => {
        if (c.to === 'closed') resolve({ type: c.reason.type, ...(c.error ? { code: c.error.code } : {}) });
      }),
    );
    client.connect();
    await tick();
    expect(await closed).toEqual({ type: 'no-websocket', code: 'no_websocket' });
    expect(errors[0]?.message).toMatch(/WebSocket/);
  });
});

describe('typed state reasons', () => {
  it('a close by the network carries its code; heartbeat, go away and close() their own types', async () => {
    const { net, client } = setup();
    const reasons: unknown[] = [];
    client.on('state', (c) => reasons.push(c.reason));
    let edge = await accept(net);
    edge.serverClose(1006, 'gone');
    await tick(1000);
    edge = await accept(net, { heartbeatIntervalMs: 1000 });
    await tick(4000);
    edge = await accept(net);
    edge.serverSend({ goAway: { reason: 1, reconnectAfterMs: 0, message: 'deploy' } });
    await tick(1000);
    await accept(net);
    await client.close();
    expect(reasons).toEqual([
      { type: 'welcome', resumed: false },
      { type: 'closed', code: 1006, reason: 'gone' },
      { type: 'welcome', resumed: false },
      { type: 'heartbeat-timeout' },
      { type: 'welcome', resumed: false },
      { type: 'go-away', message: 'deploy' },
      { type: 'welcome', resumed: false },
      { type: 'manual', action: 'close' },
    ]);
  });
});

describe('from: { timestamp }', () => {
  it('sends Start.TIMESTAMP with the time (a number or a Date); after live it resumes from positions', async () => {
    const { net, client } = setup();
    client.subscribe('prices', { from: { timestamp: 1_764_547_200_000 } }, () => {});
    client.subscribe('orders', { from: { timestamp: new Date(1_000) } }, () => {});
    let edge = await accept(net);
    expect(edge.frames('subscribe')).toEqual([
      expect.objectContaining({ channel: 'prices', start: Start.TIMESTAMP, timestampMs: 1_764_547_200_000 }),
      expect.objectContaining({ channel: 'orders', start: Start.TIMESTAMP, timestampMs: 1000 }),
    ]);
    edge.confirm('prices', [{ partition: 0, offset: 41 }]);
    edge.serverClose(1006);
    await tick(1000);
    edge = await accept(net);
    expect(edge.frames('subscribe')).toEqual([
      expect.objectContaining({
        channel: 'prices',
        start: Start.AFTER,
        after: [{ partition: 0, offset: 41 }],
      }),
      expect.objectContaining({ channel: 'orders', start: Start.TIMESTAMP, timestampMs: 1000 }),
    ]);
  });
});
