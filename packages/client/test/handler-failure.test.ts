import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FanoutRecord, SubscriptionErrorEvent } from '../src/index.js';
import { accept, gate, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A handler that fails on the offsets in `failOn` (once each, or always). */
function flaky(failOn: Set<number>, always = false) {
  const seen: number[] = [];
  return {
    seen,
    handler: async (r: FanoutRecord) => {
      if (failOn.has(r.offset)) {
        if (!always) failOn.delete(r.offset);
        throw new Error(`boom ${r.offset}`);
      }
      seen.push(r.offset);
    },
  };
}

describe('handler failure', () => {
  it('reports the record and error, does not ack it, and pauses the subscription; retry() re-runs it', async () => {
    const { net, client } = setup();
    const f = flaky(new Set([2]));
    const sub = client.subscribe('prices', f.handler);
    const errors: SubscriptionErrorEvent[] = [];
    sub.on('error', (e) => errors.push(e));
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3, 4]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(1000);
    expect(f.seen).toEqual([1]);
    expect(sub.paused).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.record?.offset).toBe(2);
    expect(errors[0]?.error).toMatchObject({ code: 'handler_failed', channel: 'prices' });
    expect(errors[0]?.error.cause).toEqual(new Error('boom 2'));
    expect(edge.frames('ack')).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 1 }] }]);
    expect(sub.positions()).toEqual([{ partition: 0, offset: 1 }]);
    sub.retry();
    await tick(1000);
    expect(f.seen).toEqual([1, 2, 3, 4]);
    expect(edge.frames('ack').at(-1)).toEqual({
      channel: 'prices',
      positions: [{ partition: 0, offset: 4 }],
    });
  });

  it('skip() counts the failed record as processed (acked) and continues', async () => {
    const { net, client } = setup();
    const f = flaky(new Set([2]), true);
    const sub = client.subscribe('prices', f.handler);
    sub.on('error', () => {});
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(1000);
    sub.retry(); // fails again
    await tick(1000);
    expect(f.seen).toEqual([1]);
    sub.skip();
    await tick(1000);
    expect(f.seen).toEqual([1, 3]);
    expect(sub.paused).toBe(false);
    expect(edge.frames('ack').at(-1)).toEqual({
      channel: 'prices',
      positions: [{ partition: 0, offset: 3 }],
    });
  });

  it('a synchronous throw is handled the same way', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('prices', () => {
      throw new Error('sync');
    });
    const errors: SubscriptionErrorEvent[] = [];
    sub.on('error', (e) => errors.push(e));
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1 });
    await tick(1000);
    expect(errors).toHaveLength(1);
    expect(sub.paused).toBe(true);
    expect(edge.frames('ack')).toEqual([]);
  });

  it('while paused, records buffer up to maxBuffered; past it they are dropped and refetched after what the app saw', async () => {
    const { net, client } = setup({ maxBuffered: 3 });
    const f = flaky(new Set([2]));
    const sub = client.subscribe('prices', f.handler);
    sub.on('error', () => {});
    const edge = await accept(net);
    edge.confirm('prices', [
      { partition: 0, offset: 0 },
      { partition: 1, offset: 0 },
    ]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1 });
    await tick();
    // The failed 2 (still buffered) plus 3 and 4 fill the buffer; 5, 6 and partition 1's 1 are dropped.
    for (const offset of [2, 3, 4, 5, 6]) edge.publish({ topic: 'prices', partition: 0, offset });
    edge.publish({ topic: 'prices', partition: 1, offset: 1 });
    await tick(1000);
    expect(f.seen).toEqual([1]);
    sub.retry();
    await tick();
    expect(f.seen).toEqual([1, 2, 3, 4]);
    // Caught up: leave and re-subscribe after exactly what the application saw.
    expect(sub.state).toBe('resuming');
    const unsubscribe = edge.frames('unsubscribe')[0]!;
    expect(unsubscribe.channel).toBe('prices');
    edge.serverSend({ unsubscribed: { requestId: unsubscribe.requestId, channel: 'prices' } });
    expect(edge.frames('subscribe').at(-1)).toMatchObject({
      channel: 'prices',
      start: 2,
      after: [
        { partition: 0, offset: 4 },
        { partition: 1, offset: 0 },
      ],
    });
    edge.publish({ topic: 'prices', partition: 0, offset: 5 }, 'prices');
    edge.publish({ topic: 'prices', partition: 0, offset: 6 }, 'prices');
    edge.publish({ topic: 'prices', partition: 1, offset: 1 }, 'prices');
    edge.confirm('prices', [
      { partition: 0, offset: 6 },
      { partition: 1, offset: 1 },
    ]);
    await tick();
    edge.publish({ topic: 'prices', partition: 0, offset: 7 });
    await tick(1000);
    expect(f.seen).toEqual([1, 2, 3, 4, 5, 6, 1, 7]);
    expect(sub.state).toBe('subscribed');
  });

  it('a reconnect during an overflow resumes from what the application saw, and overflows again safely', async () => {
    const { net, client } = setup({ maxBuffered: 2 });
    const g = gate();
    const sub = client.subscribe('prices', g.handler);
    let edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    // 1 is being handled, 2 is buffered, 3 and 4 are dropped.
    for (const offset of [1, 2, 3, 4]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick();
    edge.serverClose(1006);
    await tick(1000);
    edge = await accept(net, { resumed: true, subscriptions: [{ channel: 'prices' }] });
    expect(edge.hello.delivered).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 0 }] }]);
    // The replay repeats 1 and 2 (dropped as duplicates); 3 and 4 overflow again.
    for (const offset of [1, 2, 3, 4]) edge.publish({ topic: 'prices', partition: 0, offset }, 'prices');
    edge.subscribed({ requestId: 0, channel: 'prices', positions: [{ partition: 0, offset: 4 }] });
    g.release();
    await tick();
    g.release();
    await tick();
    expect(g.calls.map((r) => r.offset)).toEqual([1, 2]);
    // Caught up: the baseline of Subscribed did not jump over the dropped 3 and 4.
    expect(sub.positions()).toEqual([{ partition: 0, offset: 2 }]);
    const unsubscribe = edge.frames('unsubscribe')[0]!;
    edge.serverSend({ unsubscribed: { requestId: unsubscribe.requestId, channel: 'prices' } });
    expect(edge.frames('subscribe').at(-1)).toMatchObject({ start: 2, after: [{ partition: 0, offset: 2 }] });
    for (const offset of [3, 4]) edge.publish({ topic: 'prices', partition: 0, offset }, 'prices');
    edge.confirm('prices', [{ partition: 0, offset: 4 }]);
    await tick();
    g.release();
    await tick();
    g.release();
    await tick();
    expect(g.calls.map((r) => r.offset)).toEqual([1, 2, 3, 4]);
    expect(sub.state).toBe('subscribed');
    expect(sub.positions()).toEqual([{ partition: 0, offset: 4 }]);
  });
});
