import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContinuityLostEvent } from '../src/index.js';
import { accept, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('continuity lost', () => {
  it('emits a typed event in order with the records and continues from availableOffset', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    const sub = client.subscribe('prices', { from: { after: [{ partition: 0, offset: 9 }] } }, handler);
    const events: ContinuityLostEvent[] = [];
    sub.on('continuityLost', (e) => {
      events.push(e);
      seen.push(`lost ${e.requestedOffset}..${e.availableOffset}`);
    });
    const edge = await accept(net);
    edge.serverSend({
      continuityLost: {
        channel: 'prices',
        partition: 0,
        requestedOffset: 10,
        availableOffset: 50,
        reason: 1,
      },
    });
    edge.publish({ topic: 'prices', partition: 0, offset: 50 }, 'prices');
    edge.confirm('prices', [{ partition: 0, offset: 50 }]);
    await tick();
    expect(events).toEqual([
      { channel: 'prices', partition: 0, requestedOffset: 10, availableOffset: 50, reason: 1 },
    ]);
    expect(seen).toEqual(['lost 10..50', 'prices 0@50']);
    expect(sub.positions()).toEqual([{ partition: 0, offset: 50 }]);
  });

  it('the delivered baseline becomes availableOffset - 1 even with no record yet', async () => {
    const { net, client } = setup();
    const sub = client.subscribe(
      'prices',
      { from: { after: [{ partition: 0, offset: 9 }] } },
      recorder().handler,
    );
    const edge = await accept(net);
    edge.serverSend({
      continuityLost: {
        channel: 'prices',
        partition: 0,
        requestedOffset: 10,
        availableOffset: 50,
        reason: 1,
      },
    });
    await tick();
    expect(sub.positions()).toEqual([{ partition: 0, offset: 49 }]);
  });

  it('a truncated or recreated log (available < requested) moves the watermark down so new offsets are delivered', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    const sub = client.subscribe('prices', handler);
    let edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 99 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 100 });
    await tick();
    edge.serverClose(1006);
    await tick(1000);
    edge = await accept(net, { resumed: true, subscriptions: [{ channel: 'prices' }] });
    edge.serverSend({
      continuityLost: {
        channel: 'prices',
        partition: 0,
        requestedOffset: 101,
        availableOffset: 0,
        reason: 2,
      },
    });
    edge.publish({ topic: 'prices', partition: 0, offset: 0 }, 'prices');
    edge.subscribed({ requestId: 0, channel: 'prices', positions: [{ partition: 0, offset: 0 }] });
    edge.publish({ topic: 'prices', partition: 0, offset: 1 });
    await tick(1000);
    expect(seen).toEqual(['prices 0@100', 'prices 0@0', 'prices 0@1']);
    expect(sub.positions()).toEqual([{ partition: 0, offset: 1 }]);
    expect(edge.frames('ack').at(-1)).toEqual({
      channel: 'prices',
      positions: [{ partition: 0, offset: 1 }],
    });
  });
});
