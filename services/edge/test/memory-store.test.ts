import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/store/memory-store.js';

describe('memory session store', () => {
  it('keeps the highest ack per (channel, partition) and ignores unsubscribed channels', async () => {
    const store = createMemoryStore({ ttlSeconds: 60 });
    await store.create('s1', 'alice');
    await store.subscribe(
      's1',
      'prices',
      new Map([
        [0, 9],
        [1, -1],
      ]),
    );
    await store.writeAcks(
      new Map([
        [
          's1',
          new Map([
            [
              'prices',
              new Map([
                [0, 20],
                [1, 5],
              ]),
            ],
            ['gone', new Map([[0, 1]])],
          ]),
        ],
      ]),
    );
    await store.writeAcks(new Map([['s1', new Map([['prices', new Map([[0, 15]])]])]]));
    const s = await store.load('s1');
    expect(s?.subject).toBe('alice');
    expect(s?.subscriptions).toEqual(
      new Map([
        [
          'prices',
          new Map([
            [0, 20],
            [1, 5],
          ]),
        ],
      ]),
    );
    await store.unsubscribe('s1', 'prices');
    expect((await store.load('s1'))?.subscriptions.size).toBe(0);
  });

  it('expires sessions after the TTL since their last use', async () => {
    let now = 0;
    const store = createMemoryStore({ ttlSeconds: 10, now: () => now });
    await store.create('s1', 'a');
    now = 9_000;
    expect(await store.load('s1')).not.toBeNull();
    now = 18_000;
    expect(await store.load('s1')).not.toBeNull();
    now = 28_001;
    expect(await store.load('s1')).toBeNull();
  });
});
