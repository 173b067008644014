import { type AckBatch, type QuotaRate, admitSession, parseOwnerKey } from '@fanout/core';
import type { OwnerRefusal, SessionStore, StoredSession, TakeoverMessage } from './session-store.js';

interface Entry {
  subject: string;
  subscriptions: Map<string, Map<number, number>>;
  /** channel → the topic's id its positions belong to. */
  topicIds: Map<string, string>;
  expiresAt: number;
  epoch: number;
  node: string;
  activeAt: number;
}

/**
 * An in-memory session store for a single edge with no Redis. Sessions die
 * with the process. Same rules as the Redis store (owner epochs, subject
 * first, quotas), so the edge behaves the same on both.
 */
export function createMemoryStore(options: { ttlSeconds: number; now?: () => number }): SessionStore {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlSeconds * 1000;
  const sessions = new Map<string, Entry>();
  // Session ids per subject, for the quota (pruned as sessions expire or are evicted).
  const bySubject = new Map<string, Set<string>>();
  const rates = new Map<string, QuotaRate>();
  // Every edge sharing this store hears every message (tests run several on one store).
  const listeners = new Set<(m: TakeoverMessage) => void>();
  const alive = new Map<string, number>();

  const get = (id: string): Entry | undefined => {
    const e = sessions.get(id);
    if (e && e.expiresAt <= now()) {
      sessions.delete(id);
      return undefined;
    }
    return e;
  };
  const refresh = (e: Entry) => {
    e.expiresAt = now() + ttlMs;
  };
  /** The entry if `epoch` owns it, else why not. */
  const owned = (id: string, epoch: number): Entry | OwnerRefusal => {
    const e = get(id);
    if (!e) return 'gone';
    return e.epoch === epoch ? e : 'fenced';
  };

  return {
    async create(id, subject, node, quota) {
      const ids = bySubject.get(subject) ?? new Set<string>();
      bySubject.set(subject, ids);
      const mine: Array<[string, Entry]> = [];
      for (const sid of ids) {
        const e = get(sid);
        if (e) mine.push([sid, e]);
        else ids.delete(sid);
      }
      const decision = admitSession(
        mine.map(([sid, e]) => ({ id: sid, activeAt: e.activeAt, live: e.node !== '' })),
        rates.get(subject),
        now(),
        quota,
      );
      if (decision.kind === 'refused') return { kind: 'rate-limited' };
      rates.set(subject, decision.rate);
      for (const sid of decision.evict) {
        sessions.delete(sid);
        ids.delete(sid);
      }
      ids.add(id);
      sessions.set(id, {
        subject,
        subscriptions: new Map(),
        topicIds: new Map(),
        expiresAt: now() + ttlMs,
        epoch: 1,
        node,
        activeAt: now(),
      });
      return { kind: 'created', epoch: 1, evicted: decision.evict.length };
    },
    async peek(id, subject) {
      const e = get(id);
      if (!e || e.subject !== subject) return null;
      return { epoch: e.epoch, node: e.node };
    },
    async claim(id, subject, node) {
      const e = get(id);
      if (!e || e.subject !== subject) return null;
      e.epoch++;
      e.node = node;
      e.activeAt = now();
      refresh(e);
      const subscriptions = new Map([...e.subscriptions].map(([c, p]) => [c, new Map(p)] as const));
      const session: StoredSession = { id, subject: e.subject, subscriptions, topicIds: new Map(e.topicIds) };
      return { session, epoch: e.epoch };
    },
    async release(id, epoch) {
      const e = owned(id, epoch);
      if (typeof e === 'string') return;
      e.node = '';
      e.activeAt = now();
      refresh(e);
    },
    async subscribe(id, epoch, channel, positions, max, topicId) {
      const e = owned(id, epoch);
      if (typeof e === 'string') return e;
      if (!e.subscriptions.has(channel) && e.subscriptions.size >= max) return 'full';
      e.subscriptions.set(channel, new Map(positions));
      if (topicId) e.topicIds.set(channel, topicId);
      else e.topicIds.delete(channel);
      refresh(e);
      return 'ok';
    },
    async unsubscribe(id, epoch, channel) {
      const e = owned(id, epoch);
      if (typeof e === 'string') return;
      e.subscriptions.delete(channel);
      e.topicIds.delete(channel);
      refresh(e);
    },
    async writeAcks(batch: AckBatch) {
      const refused = new Map<string, OwnerRefusal>();
      for (const [key, channels] of batch) {
        const owner = parseOwnerKey(key);
        const e = owner ? owned(owner.sessionId, owner.epoch) : 'gone';
        if (typeof e === 'string') {
          refused.set(key, e);
          continue;
        }
        for (const [channel, partitions] of channels) {
          const stored = e.subscriptions.get(channel);
          if (!stored) continue;
          for (const [p, offset] of partitions) if ((stored.get(p) ?? -1) < offset) stored.set(p, offset);
        }
        refresh(e);
      }
      return { refused, retry: new Map() };
    },
    async touch(owners) {
      const refused = new Map<string, OwnerRefusal>();
      for (const key of owners) {
        const owner = parseOwnerKey(key);
        const e = owner ? owned(owner.sessionId, owner.epoch) : 'gone';
        if (typeof e === 'string') refused.set(key, e);
        else refresh(e);
      }
      return refused;
    },
    async announce(message) {
      queueMicrotask(() => {
        for (const l of listeners) l(message);
      });
    },
    onTakeover(l) {
      listeners.add(l);
    },
    async heartbeat(node) {
      alive.set(node, now() + 3000);
    },
    async leave(node) {
      alive.delete(node);
    },
    async isAlive(node) {
      return (alive.get(node) ?? 0) > now();
    },
    async close() {
      sessions.clear();
      bySubject.clear();
      listeners.clear();
    },
  };
}
