import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accept, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('routing and dedup', () => {
  it('routes a live record to every live subscription whose channel matches', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    client.subscribe('prices', handler);
    client.subscribe('prices:AAPL', handler);
    client.subscribe('trades', handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 9 }]);
    edge.confirm('prices:AAPL', [{ partition: 0, offset: 9 }]);
    edge.confirm('trades', [{ partition: 0, offset: 9 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 10, key: 'AAPL' });
    edge.publish({ topic: 'prices', partition: 0, offset: 11, key: 'MSFT' });
    edge.publish({ topic: 'prices', partition: 0, offset: 12, key: null });
    edge.publish({ topic: 'prices', partition: 0, offset: 13, key: 'AAPL' });
    await tick();
    expect(seen.filter((s) => s.startsWith('prices '))).toEqual([
      'prices 0@10',
      'prices 0@11',
      'prices 0@12',
      'prices 0@13',
    ]);
    expect(seen.filter((s) => s.startsWith('prices:AAPL'))).toEqual(['prices:AAPL 0@10', 'prices:AAPL 0@13']);
    expect(seen.filter((s) => s.startsWith('trades'))).toEqual([]);
  });

  it('routes a replayed record only to the subscription it names', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    client.subscribe('prices', handler);
    client.subscribe('prices:AAPL', handler);
    const edge = await accept(net);
    edge.publish({ topic: 'prices', partition: 0, offset: 3, key: 'AAPL' }, 'prices:AAPL');
    await tick();
    expect(seen).toEqual(['prices:AAPL 0@3']);
  });

  it('matches keyed channels on the UTF-8 key; invalid UTF-8 keys match whole-topic channels only', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    client.subscribe('t', handler);
    client.subscribe('t:é:x', handler);
    client.subscribe('t:', handler);
    const edge = await accept(net);
    for (const ch of ['t', 't:é:x', 't:']) edge.confirm(ch, [{ partition: 0, offset: 0 }]);
    edge.publish({ topic: 't', partition: 0, offset: 1, key: 'é:x' });
    edge.publish({ topic: 't', partition: 0, offset: 2, key: new Uint8Array([0xc3]) });
    edge.publish({ topic: 't', partition: 0, offset: 3, key: new Uint8Array([]) });
    edge.publish({ topic: 't', partition: 0, offset: 4, key: null });
    await tick();
    expect(seen).toEqual(['t 0@1', 't:é:x 0@1', 't 0@2', 't 0@3', 't: 0@3', 't 0@4']);
  });

  it('drops replay overlap per (subscription, partition) and keeps partitions apart', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    client.subscribe('prices', { from: 'earliest' }, handler);
    const edge = await accept(net);
    for (const offset of [0, 1, 2]) edge.publish({ topic: 'prices', partition: 0, offset }, 'prices');
    edge.publish({ topic: 'prices', partition: 1, offset: 0 }, 'prices');
    // An overlapping replay (e.g. a catch-up after flow control) repeats 1 and 2.
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset }, 'prices');
    edge.confirm('prices', [
      { partition: 0, offset: 3 },
      { partition: 1, offset: 0 },
    ]);
    edge.publish({ topic: 'prices', partition: 1, offset: 1 });
    edge.publish({ topic: 'prices', partition: 0, offset: 3 });
    edge.publish({ topic: 'prices', partition: 0, offset: 4 });
    await tick();
    expect(seen).toEqual([
      'prices 0@0',
      'prices 0@1',
      'prices 0@2',
      'prices 1@0',
      'prices 0@3',
      'prices 1@1',
      'prices 0@4',
    ]);
  });

  it('overlapping prices and prices:AAPL: a live AAPL record during the keyed resume goes to prices only; the replay then delivers it to prices:AAPL', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    client.subscribe('prices', handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 99 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 100, key: 'AAPL' });
    await tick();
    // prices:AAPL subscribes after offset 95 while prices is live.
    client.subscribe('prices:AAPL', { from: { after: [{ partition: 0, offset: 95 }] } }, handler);
    expect(client.subscription('prices:AAPL')?.state).toBe('subscribing');
    // Live traffic keeps flowing through the covering `prices` uWS topic...
    edge.publish({ topic: 'prices', partition: 0, offset: 101, key: 'AAPL' });
    edge.publish({ topic: 'prices', partition: 0, offset: 102, key: 'MSFT' });
    await tick();
    // ...and must not reach prices:AAPL yet: delivering 101 now would make the
    // replay's 97 and 100 look like duplicates.
    expect(seen).toEqual(['prices 0@100', 'prices 0@101', 'prices 0@102']);
    for (const offset of [97, 100, 101])
      edge.publish({ topic: 'prices', partition: 0, offset, key: 'AAPL' }, 'prices:AAPL');
    edge.confirm('prices:AAPL', [{ partition: 0, offset: 102 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 103, key: 'AAPL' });
    await tick();
    expect(seen.filter((s) => s.startsWith('prices:AAPL'))).toEqual([
      'prices:AAPL 0@97',
      'prices:AAPL 0@100',
      'prices:AAPL 0@101',
      'prices:AAPL 0@103',
    ]);
    expect(seen.filter((s) => s.startsWith('prices '))).toEqual([
      'prices 0@100',
      'prices 0@101',
      'prices 0@102',
      'prices 0@103',
    ]);
  });

  it('each overlapping subscription gets every record of its channel exactly once across a resume with replays', async () => {
    const { net, client } = setup();
    const { seen, handler } = recorder();
    client.subscribe('prices', handler);
    client.subscribe('prices:AAPL', handler);
    let edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 9 }]);
    edge.confirm('prices:AAPL', [{ partition: 0, offset: 9 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 10, key: 'AAPL' });
    edge.publish({ topic: 'prices', partition: 0, offset: 11, key: 'MSFT' });
    await tick();
    edge.serverClose(1006);
    await tick(1000);
    edge = await accept(net, {
      resumed: true,
      subscriptions: [{ channel: 'prices' }, { channel: 'prices:AAPL' }],
    });
    // The edge replays each subscription from max(acked, delivered) + 1, overlapping what came live.
    for (const offset of [10, 11, 12]) {
      edge.publish({ topic: 'prices', partition: 0, offset, key: offset === 12 ? 'AAPL' : 'x' }, 'prices');
    }
    edge.subscribed({ requestId: 0, channel: 'prices', positions: [{ partition: 0, offset: 12 }] });
    edge.publish({ topic: 'prices', partition: 0, offset: 13, key: 'AAPL' }); // live: prices only so far
    edge.publish({ topic: 'prices', partition: 0, offset: 10, key: 'AAPL' }, 'prices:AAPL');
    edge.publish({ topic: 'prices', partition: 0, offset: 12, key: 'AAPL' }, 'prices:AAPL');
    edge.publish({ topic: 'prices', partition: 0, offset: 13, key: 'AAPL' }, 'prices:AAPL');
    edge.subscribed({ requestId: 0, channel: 'prices:AAPL', positions: [{ partition: 0, offset: 13 }] });
    edge.publish({ topic: 'prices', partition: 0, offset: 14, key: 'AAPL' });
    await tick();
    expect(seen.filter((s) => s.startsWith('prices '))).toEqual([
      'prices 0@10',
      'prices 0@11',
      'prices 0@12',
      'prices 0@13',
      'prices 0@14',
    ]);
    expect(seen.filter((s) => s.startsWith('prices:AAPL'))).toEqual([
      'prices:AAPL 0@10',
      'prices:AAPL 0@12',
      'prices:AAPL 0@13',
      'prices:AAPL 0@14',
    ]);
  });

  it('marks records as replayed or live', async () => {
    const { net, client } = setup();
    const flags: boolean[] = [];
    client.subscribe('prices', { from: 'earliest' }, (r) => void flags.push(r.replayed));
    const edge = await accept(net);
    edge.publish({ topic: 'prices', partition: 0, offset: 0 }, 'prices');
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1 });
    await tick();
    expect(flags).toEqual([true, false]);
  });
});
