import { ownerKey } from '@fanout/core';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../src/store/memory-store.js';

const quota = { maxSessions: 100, perSecond: 100 };
const acks = (key: string, channel: string, entries: Array<[number, number]>) =>
  new Map([[key, new Map([[channel, new Map(entries)]])]]);

describe('memory session store', () => {
  it('keeps the highest ack per (channel, partition) and ignores unsubscribed channels', async () => {
    const store = createMemoryStore({ ttlSeconds: 60 });
    await store.create('s1', 'alice', 'n1', quota);
    const owner = ownerKey('s1', 1);
    await store.subscribe(
      's1',
      1,
      'prices',
      new Map([
        [0, 9],
        [1, -1],
      ]),
      10,
    );
    const batch = acks(owner, 'prices', [
      [0, 20],
      [1, 5],
    ]);
    batch.get(owner)?.set('gone', new Map([[0, 1]]));
    expect((await store.writeAcks(batch)).refused.size).toBe(0);
    await store.writeAcks(acks(owner, 'prices', [[0, 15]]));
    const s = await store.claim('s1', 'alice', 'n1');
    expect(s?.epoch).toBe(2);
    expect(s?.session.subscriptions).toEqual(
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
    await store.unsubscribe('s1', 2, 'prices');
    expect((await store.claim('s1', 'alice', 'n1'))?.session.subscriptions.size).toBe(0);
  });

  it('refuses the writes of a taken-over owner (fenced) and of a vanished session (gone)', async () => {
    let now = 0;
    const store = createMemoryStore({ ttlSeconds: 10, now: () => now });
    await store.create('s1', 'alice', 'n1', quota);
    await store.subscribe('s1', 1, 'prices', new Map([[0, -1]]), 10);
    expect((await store.claim('s1', 'alice', 'n2'))?.epoch).toBe(2);
    const old = ownerKey('s1', 1);
    expect((await store.writeAcks(acks(old, 'prices', [[0, 7]]))).refused).toEqual(
      new Map([[old, 'fenced']]),
    );
    expect(await store.subscribe('s1', 1, 'other', new Map(), 10)).toBe('fenced');
    expect(await store.touch([old])).toEqual(new Map([[old, 'fenced']]));
    expect((await store.claim('s1', 'alice', 'n2'))?.session.subscriptions.get('prices')?.get(0)).toBe(-1);
    now = 20_000;
    const current = ownerKey('s1', 3);
    expect(await store.touch([current])).toEqual(new Map([[current, 'gone']]));
  });

  it('answers a session of another subject like a missing one, without touching it', async () => {
    let now = 0;
    const store = createMemoryStore({ ttlSeconds: 10, now: () => now });
    await store.create('s1', 'alice', 'n1', quota);
    now = 9_000;
    expect(await store.peek('s1', 'mallory')).toBeNull();
    expect(await store.claim('s1', 'mallory', 'n1')).toBeNull();
    expect(await store.peek('nope', 'mallory')).toBeNull();
    now = 10_001;
    // Mallory's attempts did not extend the TTL.
    expect(await store.peek('s1', 'alice')).toBeNull();
  });

  it('keeps a session alive while its owner touches it', async () => {
    let now = 0;
    const store = createMemoryStore({ ttlSeconds: 10, now: () => now });
    await store.create('s1', 'a', 'n1', quota);
    for (now = 5_000; now <= 30_000; now += 5_000)
      expect(await store.touch([ownerKey('s1', 1)])).toEqual(new Map());
    expect(await store.peek('s1', 'a')).toEqual({ epoch: 1, node: 'n1' });
  });

  it('limits subscriptions per session', async () => {
    const store = createMemoryStore({ ttlSeconds: 60 });
    await store.create('s1', 'a', 'n1', quota);
    expect(await store.subscribe('s1', 1, 'a', new Map(), 2)).toBe('ok');
    expect(await store.subscribe('s1', 1, 'b', new Map(), 2)).toBe('ok');
    expect(await store.subscribe('s1', 1, 'c', new Map(), 2)).toBe('full');
    expect(await store.subscribe('s1', 1, 'a', new Map(), 2)).toBe('ok');
  });

  it('evicts the oldest idle session past the quota and rate-limits creation', async () => {
    let now = 1_000;
    const store = createMemoryStore({ ttlSeconds: 60, now: () => now });
    const q = { maxSessions: 2, perSecond: 2 };
    expect(await store.create('a', 'u', 'n1', q)).toMatchObject({ kind: 'created', evicted: 0 });
    await store.release('a', 1);
    now += 1;
    expect(await store.create('b', 'u', 'n1', q)).toMatchObject({ kind: 'created', evicted: 0 });
    expect(await store.create('c', 'u', 'n1', q)).toEqual({ kind: 'rate-limited' });
    now += 1000;
    // b is still connected (not released): a, idle, goes.
    expect(await store.create('c', 'u', 'n1', q)).toMatchObject({ kind: 'created', evicted: 1 });
    expect(await store.peek('a', 'u')).toBeNull();
    expect(await store.peek('b', 'u')).not.toBeNull();
  });
});
