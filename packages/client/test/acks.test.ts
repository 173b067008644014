import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accept, gate, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('acks', () => {
  it('batches by time: one cumulative ack per (channel, partition) after maxDelayMs', async () => {
    const { net, client } = setup();
    client.subscribe('prices', recorder().handler);
    const edge = await accept(net);
    edge.confirm('prices', [
      { partition: 0, offset: 0 },
      { partition: 1, offset: 0 },
    ]);
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset });
    edge.publish({ topic: 'prices', partition: 1, offset: 1 });
    await tick(99);
    expect(edge.frames('ack')).toEqual([]);
    await tick(1);
    expect(edge.frames('ack')).toEqual([
      {
        channel: 'prices',
        positions: [
          { partition: 0, offset: 3 },
          { partition: 1, offset: 1 },
        ],
      },
    ]);
    await tick(1000);
    expect(edge.frames('ack')).toHaveLength(1);
  });

  it('batches by count: maxBatch processed records flush at once', async () => {
    const { net, client } = setup({ ack: { maxBatch: 3, maxDelayMs: 10_000 } });
    client.subscribe('prices', recorder().handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3, 4]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick();
    expect(edge.frames('ack')).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 3 }] }]);
    await tick(10_000);
    expect(edge.frames('ack').at(-1)).toEqual({
      channel: 'prices',
      positions: [{ partition: 0, offset: 4 }],
    });
  });

  it('never acks past a record still being handled', async () => {
    const { net, client } = setup();
    const g = gate();
    client.subscribe('prices', g.handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick();
    expect(g.calls.map((r) => r.offset)).toEqual([1]); // one at a time, in order
    await tick(1000);
    expect(edge.frames('ack')).toEqual([]);
    g.release();
    await tick();
    expect(g.calls.map((r) => r.offset)).toEqual([1, 2]);
    await tick(1000);
    expect(edge.frames('ack')).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 1 }] }]);
    g.release();
    await tick();
    g.release();
    await tick(1000);
    expect(edge.frames('ack').at(-1)).toEqual({
      channel: 'prices',
      positions: [{ partition: 0, offset: 3 }],
    });
  });

  it('a slow handler on one subscription does not block another', async () => {
    const { net, client } = setup();
    const g = gate();
    const fast = recorder();
    client.subscribe('prices', g.handler);
    client.subscribe('prices:AAPL', fast.handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.confirm('prices:AAPL', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2]) edge.publish({ topic: 'prices', partition: 0, offset, key: 'AAPL' });
    await tick(100);
    expect(g.calls).toHaveLength(1);
    expect(fast.seen).toEqual(['prices:AAPL 0@1', 'prices:AAPL 0@2']);
    expect(edge.frames('ack')).toEqual([
      { channel: 'prices:AAPL', positions: [{ partition: 0, offset: 2 }] },
    ]);
  });

  it('close() flushes pending acks, then closes with 1000 and sends nothing more', async () => {
    const { net, client } = setup({ ack: { maxDelayMs: 60_000 } });
    const g = gate();
    client.subscribe('prices', g.handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick();
    g.release();
    await tick();
    await client.close();
    expect(edge.sent.map((f) => f.kind)).toEqual(['hello', 'subscribe', 'ack']);
    expect(edge.frames('ack')).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 1 }] }]);
    expect(edge.closedWith?.code).toBe(1000);
    g.release(); // record 2 completes after close: not acked
    await tick(120_000);
    expect(edge.sent).toHaveLength(3);
  });

  it('acks records buffered before a reconnect only once the new edge has sent them again', async () => {
    const { net, client } = setup();
    const g = gate();
    client.subscribe('prices', g.handler);
    let edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick();
    edge.serverClose(1006);
    await tick(1000);
    edge = await accept(net, { resumed: true, subscriptions: [{ channel: 'prices' }] });
    // Hello presented what the application finished, not what is buffered.
    expect(edge.hello.delivered).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 0 }] }]);
    g.release(); // record 1 completes; this edge has not sent it
    await tick(1000);
    expect(edge.frames('ack')).toEqual([]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1 }, 'prices'); // the replay (a duplicate, dropped)
    await tick(1000);
    expect(edge.frames('ack')).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 1 }] }]);
    expect(g.calls.map((r) => r.offset)).toEqual([1, 2]);
  });
});
