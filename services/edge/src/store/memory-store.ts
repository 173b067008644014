import type { AckBatch } from '@fanout/core';
import type { SessionStore, StoredSession } from './session-store.js';

interface Entry {
  subject: string;
  subscriptions: Map<string, Map<number, number>>;
  epochs: Map<string, string>;
  expiresAt: number;
}

/** An in-memory session store for a single edge with no Redis. Sessions die with the process. */
export function createMemoryStore(options: { ttlSeconds: number; now?: () => number }): SessionStore {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlSeconds * 1000;
  const sessions = new Map<string, Entry>();
  const live = (id: string): Entry | undefined => {
    const e = sessions.get(id);
    if (e && e.expiresAt <= now()) {
      sessions.delete(id);
      return undefined;
    }
    if (e) e.expiresAt = now() + ttlMs;
    return e;
  };
  return {
    async create(id, subject) {
      sessions.set(id, { subject, subscriptions: new Map(), epochs: new Map(), expiresAt: now() + ttlMs });
    },
    async load(id): Promise<StoredSession | null> {
      const e = live(id);
      if (!e) return null;
      const subscriptions = new Map([...e.subscriptions].map(([c, p]) => [c, new Map(p)] as const));
      return { id, subject: e.subject, subscriptions, epochs: new Map(e.epochs) };
    },
    async subscribe(id, channel, positions, epoch) {
      const e = live(id);
      if (!e) return;
      e.subscriptions.set(channel, new Map(positions));
      if (epoch) e.epochs.set(channel, epoch);
      else e.epochs.delete(channel);
    },
    async unsubscribe(id, channel) {
      const e = live(id);
      e?.subscriptions.delete(channel);
      e?.epochs.delete(channel);
    },
    async writeAcks(batch: AckBatch) {
      for (const [id, channels] of batch) {
        const e = live(id);
        if (!e) continue;
        for (const [channel, partitions] of channels) {
          const stored = e.subscriptions.get(channel);
          if (!stored) continue;
          for (const [p, offset] of partitions) if ((stored.get(p) ?? -1) < offset) stored.set(p, offset);
        }
      }
    },
    async touch(id) {
      live(id);
    },
    async ping() {},
    async close() {
      sessions.clear();
    },
  };
}
