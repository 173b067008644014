import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accept, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('resume', () => {
  it('Hello carries the session id and, per channel, the highest offset per partition delivered', async () => {
    const { net, client } = setup();
    const { handler } = recorder();
    client.subscribe('prices', handler);
    client.subscribe('prices:AAPL', handler);
    let edge = await accept(net, { sessionId: 'sess-1' });
    edge.confirm('prices', [
      { partition: 0, offset: 9 },
      { partition: 1, offset: 20 },
    ]);
    edge.confirm('prices:AAPL', [{ partition: 1, offset: 20 }]);
    edge.publish({ topic: 'prices', partition: 1, offset: 21, key: 'AAPL' });
    edge.publish({ topic: 'prices', partition: 0, offset: 10, key: 'MSFT' });
    await tick();
    edge.serverClose(1001);
    await tick(1000);
    edge = await accept(net, { sessionId: 'sess-1', resumed: true });
    expect(edge.hello.sessionId).toBe('sess-1');
    expect(edge.hello.delivered).toEqual([
      {
        channel: 'prices',
        positions: [
          { partition: 0, offset: 10 },
          { partition: 1, offset: 21 },
        ],
      },
      { channel: 'prices:AAPL', positions: [{ partition: 1, offset: 21 }] },
    ]);
  });

  it('restored subscriptions resume without a Subscribe; others are subscribed after their positions; unwanted ones are left', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    const prices = client.subscribe('prices', handler);
    let edge = await accept(net, { sessionId: 'sess-1' });
    edge.confirm('prices', [{ partition: 0, offset: 4 }]);
    edge.serverClose(1006);
    await tick(1000);
    // Subscribed while disconnected: the edge does not know it yet.
    const trades = client.subscribe('trades', handler);
    edge = await accept(net, {
      sessionId: 'sess-1',
      resumed: true,
      subscriptions: [
        { channel: 'prices', positions: [{ partition: 0, offset: 4 }] },
        { channel: 'old', positions: [] },
      ],
    });
    expect(prices.state).toBe('resuming');
    expect(trades.state).toBe('subscribing');
    expect(edge.frames('subscribe')).toEqual([expect.objectContaining({ channel: 'trades', start: 0 })]);
    expect(edge.frames('unsubscribe')).toEqual([expect.objectContaining({ channel: 'old' })]);
    // A live record before the restored subscription's Subscribed is not for it.
    edge.publish({ topic: 'prices', partition: 0, offset: 6 });
    edge.publish({ topic: 'prices', partition: 0, offset: 5 }, 'prices');
    edge.publish({ topic: 'prices', partition: 0, offset: 6 }, 'prices');
    edge.subscribed({ requestId: 0, channel: 'prices', positions: [{ partition: 0, offset: 6 }] });
    edge.publish({ topic: 'prices', partition: 0, offset: 7 });
    await tick();
    expect(prices.state).toBe('subscribed');
    expect(seen).toEqual(['prices 0@5', 'prices 0@6', 'prices 0@7']);
  });

  it('a new session re-subscribes every channel: after its positions once live, else from its requested start', async () => {
    const { net, client } = setup();
    const { handler } = recorder();
    client.subscribe('prices', handler);
    client.subscribe('trades', { from: 'earliest' }, handler);
    client.subscribe('news', { from: { after: [{ partition: 2, offset: 7 }] } }, handler);
    let edge = await accept(net, { sessionId: 'sess-1' });
    edge.confirm('prices', [{ partition: 0, offset: 4 }]);
    edge.publish({ topic: 'trades', partition: 0, offset: 3 }, 'trades'); // replay, not live yet
    edge.publish({ topic: 'news', partition: 2, offset: 9 }, 'news');
    await tick();
    edge.serverClose(1006);
    await tick(1000);
    edge = await accept(net, { sessionId: 'sess-2', resumed: false });
    const subscribes = edge.frames('subscribe');
    expect(subscribes.find((s) => s.channel === 'prices')).toMatchObject({
      start: 2,
      after: [{ partition: 0, offset: 4 }],
    });
    // Not live before: restart from `earliest`; the dedup drops what was delivered.
    expect(subscribes.find((s) => s.channel === 'trades')).toMatchObject({ start: 1, after: [] });
    expect(subscribes.find((s) => s.channel === 'news')).toMatchObject({
      start: 2,
      after: [{ partition: 2, offset: 9 }],
    });
    expect(new Set(subscribes.map((s) => s.requestId)).size).toBe(3);
    expect(subscribes.every((s) => s.requestId > 0)).toBe(true);
    expect(client.subscription('prices')?.state).toBe('resuming');
    expect(client.subscription('trades')?.state).toBe('subscribing');
  });

  it('reconnect() cuts the connection and resumes at once on the next endpoint, with acks flushed first', async () => {
    const { net, client } = setup({ ack: { maxDelayMs: 60_000 } });
    const { seen, handler } = recorder();
    client.subscribe('prices', handler);
    const edge = await accept(net, { sessionId: 'sess-1' });
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1 });
    await tick();
    client.reconnect();
    expect(edge.frames('ack')).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 1 }] }]);
    expect(edge.closedWith?.code).toBe(4000);
    expect(client.state).toBe('reconnecting');
    await tick(1);
    const next = await accept(net, {
      sessionId: 'sess-1',
      resumed: true,
      subscriptions: [{ channel: 'prices' }],
    });
    expect(next.url).toBe('ws://edge-b');
    expect(next.hello).toMatchObject({
      sessionId: 'sess-1',
      delivered: [{ channel: 'prices', positions: [{ partition: 0, offset: 1 }] }],
    });
    next.publish({ topic: 'prices', partition: 0, offset: 1 }, 'prices');
    next.publish({ topic: 'prices', partition: 0, offset: 2 }, 'prices');
    next.subscribed({ requestId: 0, channel: 'prices', positions: [{ partition: 0, offset: 2 }] });
    await tick();
    expect(seen).toEqual(['prices 0@1', 'prices 0@2']);
  });

  it('a Subscribed answering a stale request is ignored', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('prices', recorder().handler);
    const edge = await accept(net);
    edge.subscribed({ requestId: 999, channel: 'prices', positions: [] });
    expect(sub.state).toBe('subscribing');
  });

  it('positions() reports what the application has been handed and completed', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('prices', recorder().handler);
    const edge = await accept(net);
    edge.confirm('prices', [
      { partition: 1, offset: 5 },
      { partition: 0, offset: 2 },
    ]);
    edge.publish({ topic: 'prices', partition: 1, offset: 6 });
    await tick();
    expect(sub.positions()).toEqual([
      { partition: 0, offset: 2 },
      { partition: 1, offset: 6 },
    ]);
  });
});
