import { ownerKey } from '@fanout/core';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EdgeMetrics } from '../src/metrics.js';
import { Sessions } from '../src/sessions.js';
import { createMemoryStore } from '../src/store/memory-store.js';

const CONFIG = {
  nodeId: 'n1',
  acks: { maxPending: 1000, flushIntervalMs: 60_000 },
  sessions: { takeoverWaitMs: 1000, maxPerSubject: 10, newPerSecond: 10 },
  sessionTtlSeconds: 60,
  shutdownTimeoutMs: 5000,
};

describe('sessions', () => {
  it('writes every pending ack at stop', async () => {
    const store = createMemoryStore({ ttlSeconds: 60 });
    await store.heartbeat('n1');
    await store.create('s1', 'alice', 'n1', { maxSessions: 10, perSecond: 10 });
    await store.subscribe('s1', 1, 'prices', new Map([[0, -1]]), 10);
    const sessions = new Sessions({
      config: CONFIG,
      store,
      metrics: new EdgeMetrics(),
      logger: pino({ level: 'silent' }),
    });
    sessions.start();
    sessions.acks.add(ownerKey('s1', 1), 'prices', 0, 41);
    expect(sessions.acks.pending).toBe(1);
    await sessions.stop();
    expect(sessions.acks.pending).toBe(0);
    const claimed = await store.claim('s1', 'alice', 'n2');
    expect(claimed?.session.subscriptions.get('prices')?.get(0)).toBe(41);
  });
});
