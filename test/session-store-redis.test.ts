import { ownerKey } from '@fanout/core';
import { uniqueId, waitFor } from '@fanout/testing';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { createRedisStore } from '../services/edge/src/store/redis-store.js';
import type { SessionStore } from '../services/edge/src/store/session-store.js';

const quota = { maxSessions: 1000, perSecond: 1000 };
const logger = pino({ level: 'silent' });
let admin: Redis | undefined;
const redis = () => {
  admin ??= new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  return admin;
};
afterAll(async () => {
  await admin?.quit();
});

/** A store once connected (it fails fast instead of queueing while Redis is away). */
async function store(ttlSeconds = 60): Promise<SessionStore> {
  const s = createRedisStore({ url: inject('redisUrl'), ttlSeconds, logger });
  onTestFinished(() => s.close());
  await waitFor(
    () =>
      s.heartbeat('test').then(
        () => true,
        () => false,
      ),
    {
      timeoutMs: 10_000,
      description: 'store connected',
    },
  );
  return s;
}
const key = (id: string) => `fanout:session:{${id}}`;
const acks = (owner: string, channel: string, partition: number, offset: number) =>
  new Map([[owner, new Map([[channel, new Map([[partition, offset]])]])]]);
const sid = () =>
  uniqueId('s')
    .replace(/[^A-Za-z0-9_-]/g, '')
    .padEnd(22, 'x');

describe('the Redis session store (real redis-server)', () => {
  it('refuses the acks and subscriptions of a taken-over owner atomically, and keeps the new owner’s', async () => {
    const s = await store();
    const id = sid();
    expect(await s.create(id, 'alice', 'edge-a', quota)).toMatchObject({ kind: 'created', epoch: 1 });
    expect(await s.subscribe(id, 1, 'prices', new Map([[0, 9]]), 100)).toBe('ok');
    const claimed = await s.claim(id, 'alice', 'edge-b');
    expect(claimed?.epoch).toBe(2);
    expect(claimed?.session.subscriptions.get('prices')?.get(0)).toBe(9);
    const old = ownerKey(id, 1);
    const both = new Map([...acks(old, 'prices', 0, 50), ...acks(ownerKey(id, 2), 'prices', 0, 20)]);
    const result = await s.writeAcks(both);
    expect(result.refused).toEqual(new Map([[old, 'fenced']]));
    expect(await redis().hget(key(id), 'a:0:prices')).toBe('20');
    expect(await s.subscribe(id, 1, 'other', new Map(), 100)).toBe('fenced');
    expect(await redis().hexists(key(id), 'c:other')).toBe(0);
    expect(await s.peek(id, 'alice')).toEqual({ epoch: 2, node: 'edge-b' });
    await s.release(id, 2);
    expect(await s.peek(id, 'alice')).toEqual({ epoch: 2, node: '' });
  });

  it('checks the subject before touching a session: another subject sees nothing and extends nothing', async () => {
    const s = await store(100);
    const id = sid();
    await s.create(id, 'alice', 'edge-a', quota);
    await redis().pexpire(key(id), 5000);
    expect(await s.peek(id, 'mallory')).toBeNull();
    expect(await s.claim(id, 'mallory', 'edge-m')).toBeNull();
    expect(await s.claim(sid(), 'mallory', 'edge-m')).toBeNull();
    const ttl = await redis().pttl(key(id));
    expect(ttl).toBeLessThanOrEqual(5000);
    expect(await redis().hget(key(id), 'o')).toBe('1');
  });

  it('refreshes connected sessions in one batch and reports vanished ones', async () => {
    const s = await store(100);
    const ids = [sid(), sid(), sid()];
    for (const id of ids) await s.create(id, 'bob', 'edge-a', quota);
    await redis().pexpire(key(ids[0] as string), 1000);
    await redis().del(key(ids[2] as string));
    const refused = await s.touch(ids.map((id) => ownerKey(id, 1)));
    expect(refused).toEqual(new Map([[ownerKey(ids[2] as string, 1), 'gone']]));
    expect(await redis().pttl(key(ids[0] as string))).toBeGreaterThan(90_000);
  });

  it('counts a session’s subscriptions in the store: the limit holds whichever connection asks', async () => {
    const s = await store();
    const id = sid();
    await s.create(id, 'dave', 'edge-a', quota);
    expect(await s.subscribe(id, 1, 'a', new Map(), 2)).toBe('ok');
    expect(await s.subscribe(id, 1, 'b', new Map(), 2)).toBe('ok');
    // Another connection (a new owner) of the same session still sees the two.
    await s.claim(id, 'dave', 'edge-b');
    expect(await s.subscribe(id, 2, 'c', new Map(), 2)).toBe('full');
    expect(await s.subscribe(id, 2, 'a', new Map([[0, 5]]), 2)).toBe('ok');
    await s.unsubscribe(id, 2, 'b');
    expect(await s.subscribe(id, 2, 'c', new Map(), 2)).toBe('ok');
    expect((await s.claim(id, 'dave', 'edge-b'))?.session.subscriptions.size).toBe(2);
  });

  it('one failing session does not hold back the others’ acks', async () => {
    const s = await store();
    const good = sid();
    const bad = sid();
    await s.create(good, 'carol', 'edge-a', quota);
    await s.subscribe(good, 1, 'prices', new Map([[0, -1]]), 100);
    // A key of the wrong type makes that session's script fail.
    await redis().set(key(bad), 'not a hash', 'PX', 60_000);
    const batch = new Map([
      ...acks(ownerKey(bad, 1), 'prices', 0, 5),
      ...acks(ownerKey(good, 1), 'prices', 0, 7),
    ]);
    const result = await s.writeAcks(batch);
    expect([...result.retry.keys()]).toEqual([ownerKey(bad, 1)]);
    expect(await redis().hget(key(good), 'a:0:prices')).toBe('7');
  });

  it('a subject opening sessions in a loop keeps at most its quota (oldest idle evicted) and is rate limited; Redis memory stays bounded', async () => {
    const s = await store();
    const subject = uniqueId('looper');
    const q = { maxSessions: 20, perSecond: 50 };
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis().info('memory'))?.[1]);
    const before = await usedMemory();
    let created = 0;
    let limited = 0;
    const started = Date.now();
    while (Date.now() - started < 3000) {
      const id = sid();
      const r = await s.create(id, subject, 'edge-a', q);
      if (r.kind === 'rate-limited') limited++;
      else {
        created++;
        // A tab that came and went: idle from now, with a subscription.
        await s.subscribe(id, 1, 'prices', new Map([[0, -1]]), 100);
        await s.release(id, 1);
      }
    }
    const sessions = await redis().zrange(`fanout:subject:{${subject}}`, 0, -1);
    let alive = 0;
    for (const id of sessions) alive += await redis().exists(key(id));
    const growth = (await usedMemory()) - before;
    process.stderr.write(
      `[quota] ${created} sessions created, ${limited} refused (rate ${q.perSecond}/s) in 3 s; ${alive} kept (max ${q.maxSessions}); Redis used_memory growth ${(growth / 1024).toFixed(0)} KiB\n`,
    );
    expect(created).toBeLessThanOrEqual(q.perSecond * 4);
    expect(limited).toBeGreaterThan(0);
    expect(alive).toBeLessThanOrEqual(q.maxSessions);
    expect(sessions.length).toBeLessThanOrEqual(q.maxSessions);
  });
});
