import { type AckBatch, StoreError, parseOwnerKey } from '@fanout/core';
import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  ADMIT,
  CLAIM,
  EVICT_IF_IDLE,
  RELEASE,
  SUBSCRIBE,
  TOUCH,
  UNSUBSCRIBE,
  WRITE_ACKS,
} from './redis-scripts.js';
import type {
  AckWriteResult,
  OwnerRefusal,
  SessionStore,
  StoredSession,
  TakeoverMessage,
} from './session-store.js';

// Every key of a session carries its id as the hash tag, every key of a
// subject the subject: one slot each on Redis Cluster.
const sessionKey = (id: string) => `fanout:session:{${id}}`;
const subjectKey = (subject: string) => `fanout:subject:{${subject}}`;
const rateKey = (subject: string) => `fanout:subject:{${subject}}:rate`;
const edgeKey = (node: string) => `fanout:edge:{${node}}`;
const TAKEOVER_CHANNEL = 'fanout:takeover';
/** An edge is alive while its key lives; it is refreshed every second. */
const EDGE_ALIVE_MS = 3000;

type Client = Redis | Cluster;
type Owner = { id: string; epoch: number; key: string };
type Args = Array<string | number>;
type Scripts = {
  fanoutClaim(key: string, ...args: Args): Promise<[number, string[]] | null>;
  fanoutRelease(key: string, ...args: Args): Promise<number>;
  fanoutTouch(key: string, ...args: Args): Promise<number>;
  fanoutSubscribe(key: string, ...args: Args): Promise<number>;
  fanoutUnsubscribe(key: string, ...args: Args): Promise<number>;
  fanoutWriteAcks(key: string, ...args: Args): Promise<number>;
  fanoutAdmit(k1: string, k2: string, ...args: Args): Promise<-1 | [] | [number, string[]]>;
  fanoutEvictIfIdle(key: string): Promise<number>;
};
type ScriptClient = Client & Scripts;
type ScriptPipeline = Scripts & { exec(): Promise<Array<[Error | null, unknown]> | null> };

const SCRIPTS: Array<[keyof Scripts, number, string]> = [
  ['fanoutClaim', 1, CLAIM],
  ['fanoutRelease', 1, RELEASE],
  ['fanoutTouch', 1, TOUCH],
  ['fanoutSubscribe', 1, SUBSCRIBE],
  ['fanoutUnsubscribe', 1, UNSUBSCRIBE],
  ['fanoutWriteAcks', 1, WRITE_ACKS],
  ['fanoutAdmit', 2, ADMIT],
  ['fanoutEvictIfIdle', 1, EVICT_IF_IDLE],
];

function storeError(op: string, err: unknown): StoreError {
  return new StoreError(`session store ${op} failed: ${(err as Error).message}`, { cause: err });
}

const refusal = (code: unknown): OwnerRefusal | undefined =>
  code === -1 ? 'fenced' : code === -2 ? 'gone' : undefined;

function parseSession(id: string, flat: string[]): StoredSession {
  const hash = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) hash.set(flat[i] as string, flat[i + 1] as string);
  const subscriptions = new Map<string, Map<number, number>>();
  const topicIds = new Map<string, string>();
  for (const [field, value] of hash) {
    if (!field.startsWith('c:')) continue;
    subscriptions.set(field.slice(2), new Map());
    // `1`: stored without a topic id (an edge of before topic epochs).
    if (value !== '1' && value !== '') topicIds.set(field.slice(2), value);
  }
  for (const [field, value] of hash) {
    const m = /^a:(\d+):(.*)$/s.exec(field);
    const positions = m ? subscriptions.get(m[2] as string) : undefined;
    if (m && positions) positions.set(Number(m[1]), Number(value));
  }
  return { id, subject: hash.get('subject') ?? '', subscriptions, topicIds };
}

/** Where the Redis store connects: one server, or a Redis Cluster's seed nodes. */
export type RedisTarget = { url: string } | { clusterNodes: Array<{ host: string; port: number }> };

/**
 * A Redis session store (ioredis), on one server or a Redis Cluster. Commands
 * fail fast while Redis is away instead of queueing. Writes of many sessions
 * (acks, TTL refreshes) are pipelined per cluster node, and each node's
 * pipeline succeeds or fails on its own.
 */
export function createRedisStore(
  options: RedisTarget & { ttlSeconds: number; logger: Logger },
): SessionStore {
  const ttlMs = options.ttlSeconds * 1000;
  const common = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 3000,
    connectTimeout: 3000,
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  };
  const cluster = 'clusterNodes' in options;
  const redis = (
    cluster
      ? new Cluster(options.clusterNodes, {
          enableOfflineQueue: false,
          clusterRetryStrategy: common.retryStrategy,
          retryDelayOnFailover: 200,
          retryDelayOnClusterDown: 200,
          redisOptions: { maxRetriesPerRequest: 1, commandTimeout: 3000, connectTimeout: 3000 },
        })
      : new Redis(options.url, common)
  ) as ScriptClient;
  for (const [name, numberOfKeys, lua] of SCRIPTS) redis.defineCommand(name, { numberOfKeys, lua });
  // Subscriber connection for takeover messages (a connection in subscriber mode runs nothing else).
  // It queues its SUBSCRIBE until connected and resubscribes after every reconnect.
  const sub: Client = cluster
    ? new Cluster(options.clusterNodes, {
        clusterRetryStrategy: common.retryStrategy,
        redisOptions: { connectTimeout: 3000 },
      })
    : new Redis(options.url, { connectTimeout: 3000, retryStrategy: common.retryStrategy });
  let listener: ((m: TakeoverMessage) => void) | undefined;
  sub.on('message', (channel: string, text: string) => {
    if (channel !== TAKEOVER_CHANNEL) return;
    try {
      const m = JSON.parse(text) as TakeoverMessage;
      if (typeof m.id === 'string' && typeof m.epoch === 'number') listener?.(m);
    } catch {
      // not ours
    }
  });
  sub.subscribe(TAKEOVER_CHANNEL).catch((err: unknown) => {
    options.logger.warn({ err }, 'cannot subscribe to takeover messages');
  });
  sub.on('error', () => undefined);

  let lastError = '';
  redis.on('error', (err: Error) => {
    if (err.message !== lastError) options.logger.warn({ err }, 'redis error');
    lastError = err.message;
  });
  redis.on('ready', () => {
    if (lastError) options.logger.info('redis connection restored');
    lastError = '';
  });

  async function run<T>(op: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw storeError(op, err);
    }
  }

  /** Groups session ids by the cluster node serving their slot (one group off cluster). */
  function groups<T extends { id: string }>(items: readonly T[]): T[][] {
    if (!cluster) return items.length > 0 ? [[...items]] : [];
    const slots = (redis as Cluster).slots;
    const out = new Map<string, T[]>();
    for (const item of items) {
      const slot = calculateSlot(sessionKey(item.id));
      const group = slots[slot]?.join(';') ?? `slot:${slot}`;
      const list = out.get(group) ?? [];
      list.push(item);
      out.set(group, list);
    }
    return [...out.values()];
  }

  /**
   * Runs one script per owner, pipelined per node. Returns per owner key the
   * script's result or error; a node that fails fails only its owners.
   */
  async function perOwner(
    owners: Owner[],
    call: (p: ScriptPipeline, owner: Owner) => void,
  ): Promise<Map<string, { value?: unknown; error?: unknown }>> {
    const results = new Map<string, { value?: unknown; error?: unknown }>();
    await Promise.all(
      groups(owners).map(async (group) => {
        const pipeline = redis.pipeline() as unknown as ScriptPipeline;
        for (const o of group) call(pipeline, o);
        try {
          const replies = (await pipeline.exec()) ?? [];
          group.forEach((o, i) => {
            const [error, value] = replies[i] ?? [new Error('no reply'), undefined];
            results.set(o.key, error ? { error } : { value });
          });
        } catch (error) {
          for (const o of group) results.set(o.key, { error });
        }
      }),
    );
    return results;
  }

  const owners = (keys: Iterable<string>): Owner[] =>
    [...keys].flatMap((key) => {
      const o = parseOwnerKey(key);
      return o ? [{ id: o.sessionId, epoch: o.epoch, key }] : [];
    });

  return {
    create: (id, subject, node, quota) =>
      run('create', async () => {
        const admitted = await redis.fanoutAdmit(
          subjectKey(subject),
          rateKey(subject),
          Date.now(),
          id,
          quota.perSecond,
          quota.maxSessions,
          ttlMs,
        );
        if (admitted === -1) return { kind: 'rate-limited' as const };
        await redis
          .multi()
          .hset(sessionKey(id), 'subject', subject, 'created', Date.now(), 'o', 1, 'h', node, 'n', 0)
          .pexpire(sessionKey(id), ttlMs)
          .exec();
        let evicted = 0;
        if (admitted.length === 2) {
          const [excess, candidates] = admitted;
          const gone: string[] = [];
          for (const candidate of candidates) {
            if (evicted >= excess) break;
            const r = await redis.fanoutEvictIfIdle(sessionKey(candidate));
            if (r === 1) evicted++;
            if (r !== 0) gone.push(candidate);
          }
          if (gone.length > 0) await redis.zrem(subjectKey(subject), ...gone);
        }
        return { kind: 'created' as const, epoch: 1, evicted };
      }),
    peek: (id, subject) =>
      run('peek', async () => {
        const [s, o, h] = await redis.hmget(sessionKey(id), 'subject', 'o', 'h');
        if (s !== subject) return null;
        return { epoch: Number(o ?? 0), node: h ?? '' };
      }),
    claim: (id, subject, node) =>
      run('claim', async () => {
        const r = await redis.fanoutClaim(sessionKey(id), subject, ttlMs, node);
        if (!r) return null;
        return { epoch: Number(r[0]), session: parseSession(id, r[1]) };
      }),
    release: (id, epoch) =>
      run('release', async () => {
        const r = await redis.fanoutRelease(sessionKey(id), epoch, ttlMs);
        const subject = r === 1 ? await redis.hget(sessionKey(id), 'subject') : null;
        if (subject) await redis.zadd(subjectKey(subject), 'XX', Date.now(), id);
      }),
    subscribe: (id, epoch, channel, positions, max, topicId) =>
      run('subscribe', async () => {
        const args: Args = [epoch, ttlMs, max, channel, topicId || '1'];
        for (const [p, offset] of positions) args.push(p, offset);
        const r = await redis.fanoutSubscribe(sessionKey(id), ...args);
        return refusal(r) ?? (r === -3 ? 'full' : 'ok');
      }),
    unsubscribe: (id, epoch, channel) =>
      run('unsubscribe', async () => {
        await redis.fanoutUnsubscribe(sessionKey(id), epoch, ttlMs, channel);
      }),
    writeAcks: (batch: AckBatch) =>
      run('ack write', async (): Promise<AckWriteResult> => {
        const list = owners(batch.keys());
        const results = await perOwner(list, (p, o) => {
          const args: Args = [o.epoch, ttlMs];
          for (const [channel, partitions] of batch.get(o.key) ?? [])
            for (const [partition, offset] of partitions) args.push(channel, partition, offset);
          p.fanoutWriteAcks(sessionKey(o.id), ...args);
        });
        const refused = new Map<string, OwnerRefusal>();
        const retry: AckBatch = new Map();
        let firstError: unknown;
        for (const o of list) {
          const r = results.get(o.key);
          if (r?.error !== undefined || !r) {
            firstError ??= r?.error;
            const acks = batch.get(o.key);
            if (acks) retry.set(o.key, acks);
            continue;
          }
          const why = refusal(r.value);
          if (why) refused.set(o.key, why);
        }
        if (list.length > 0 && retry.size === list.length) throw firstError;
        return { refused, retry };
      }),
    touch: (keys) =>
      run('touch', async () => {
        const list = owners(keys);
        const results = await perOwner(list, (p, o) => p.fanoutTouch(sessionKey(o.id), o.epoch, ttlMs));
        const refused = new Map<string, OwnerRefusal>();
        for (const [key, r] of results) {
          const why = r.error === undefined ? refusal(r.value) : undefined;
          if (why) refused.set(key, why);
        }
        return refused;
      }),
    announce: (message) =>
      run('announce', async () => {
        await redis.publish(TAKEOVER_CHANNEL, JSON.stringify(message));
      }),
    onTakeover(l) {
      listener = l;
    },
    heartbeat: (node) =>
      run('heartbeat', async () => {
        await redis.set(edgeKey(node), '1', 'PX', EDGE_ALIVE_MS);
      }),
    leave: (node) =>
      run('leave', async () => {
        await redis.del(edgeKey(node));
      }),
    isAlive: (node) => run('liveness', async () => (await redis.exists(edgeKey(node))) === 1),
    async close() {
      listener = undefined;
      await Promise.all(
        [sub, redis].map((c) =>
          c.quit().then(
            () => undefined,
            () => c.disconnect(),
          ),
        ),
      );
    },
  };
}
