import { uniqueId } from '@fanout/testing';
import { Redis } from 'ioredis';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

describe('the harness Redis', () => {
  it('sets and reads a key', async () => {
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    onTestFinished(() => {
      redis.disconnect();
    });
    const key = uniqueId('smoke');
    onTestFinished(async () => {
      await redis.del(key);
    });

    expect(await redis.set(key, 'hello', 'PX', 60_000)).toBe('OK');
    expect(await redis.get(key)).toBe('hello');
    expect(await redis.pttl(key)).toBeGreaterThan(0);
  });
});
