import { type AckBatch, StoreError } from '@fanout/core';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SessionStore, StoredSession } from './session-store.js';

// One hash per session: `subject`, `c:<channel>` = 1 for each subscription,
// `a:<partition>:<channel>` = highest acked offset.
const key = (id: string) => `fanout:session:{${id}}`;

// Max-merge of acks, only for channels still subscribed, only for sessions
// that still exist; refreshes the TTL. ARGV: ttlMs, then (channel, partition, offset)*.
const WRITE_ACKS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 2, #ARGV, 3 do
  local channel, partition, offset = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if redis.call('HEXISTS', KEYS[1], 'c:' .. channel) == 1 then
    local field = 'a:' .. partition .. ':' .. channel
    local current = redis.call('HGET', KEYS[1], field)
    if not current or tonumber(current) < offset then redis.call('HSET', KEYS[1], field, offset) end
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

// Removes a subscription and its acked positions. ARGV: ttlMs, channel.
const UNSUBSCRIBE = `
local channel = ARGV[2]
redis.call('HDEL', KEYS[1], 'c:' .. channel)
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  local p = string.match(field, '^a:(%d+):')
  if p and string.sub(field, #p + 4) == channel then redis.call('HDEL', KEYS[1], field) end
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1`;

type ScriptRedis = Redis & {
  fanoutWriteAcks(key: string, ...args: Array<string | number>): Promise<number>;
  fanoutUnsubscribe(key: string, ttlMs: number, channel: string): Promise<number>;
};

function storeError(op: string, err: unknown): StoreError {
  return new StoreError(`session store ${op} failed: ${(err as Error).message}`, { cause: err });
}

/** A Redis session store (ioredis). Commands fail fast while Redis is away instead of queueing. */
export function createRedisStore(options: { url: string; ttlSeconds: number; logger: Logger }): SessionStore {
  const ttlMs = options.ttlSeconds * 1000;
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 3000,
    connectTimeout: 3000,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  }) as ScriptRedis;
  redis.defineCommand('fanoutWriteAcks', { numberOfKeys: 1, lua: WRITE_ACKS });
  redis.defineCommand('fanoutUnsubscribe', { numberOfKeys: 1, lua: UNSUBSCRIBE });
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

  return {
    create: (id, subject) =>
      run('create', async () => {
        await redis
          .multi()
          .hset(key(id), 'subject', subject, 'created', Date.now())
          .pexpire(key(id), ttlMs)
          .exec();
      }),
    load: (id) =>
      run('load', async (): Promise<StoredSession | null> => {
        const hash = await redis.hgetall(key(id));
        if (!hash.subject) return null;
        const subscriptions = new Map<string, Map<number, number>>();
        const epochs = new Map<string, string>();
        for (const [field, value] of Object.entries(hash)) {
          if (!field.startsWith('c:')) continue;
          subscriptions.set(field.slice(2), subscriptions.get(field.slice(2)) ?? new Map());
          // `1` from sessions stored before topic epochs: no epoch known.
          if (value !== '1' && value !== '') epochs.set(field.slice(2), value);
        }
        for (const [field, value] of Object.entries(hash)) {
          const m = /^a:(\d+):(.*)$/s.exec(field);
          if (!m) continue;
          const positions = subscriptions.get(m[2] as string);
          if (positions) positions.set(Number(m[1]), Number(value));
        }
        await redis.pexpire(key(id), ttlMs);
        return { id, subject: hash.subject, subscriptions, epochs };
      }),
    subscribe: (id, channel, positions, epoch) =>
      run('subscribe', async () => {
        const fields: Array<string | number> = [`c:${channel}`, epoch || 1];
        for (const [p, offset] of positions) fields.push(`a:${p}:${channel}`, offset);
        await redis
          .multi()
          .hset(key(id), ...fields)
          .pexpire(key(id), ttlMs)
          .exec();
      }),
    unsubscribe: (id, channel) =>
      run('unsubscribe', async () => {
        await redis.fanoutUnsubscribe(key(id), ttlMs, channel);
      }),
    writeAcks: (batch: AckBatch) =>
      run('ack write', async () => {
        const pipeline = redis.pipeline() as unknown as ScriptRedis & {
          exec(): Promise<Array<[Error | null, unknown]>>;
        };
        for (const [id, channels] of batch) {
          const args: Array<string | number> = [ttlMs];
          for (const [channel, partitions] of channels)
            for (const [p, offset] of partitions) args.push(channel, p, offset);
          pipeline.fanoutWriteAcks(key(id), ...args);
        }
        const results = await pipeline.exec();
        const failed = (results ?? []).find(([err]) => err);
        if (failed?.[0]) throw failed[0];
      }),
    touch: (id) =>
      run('touch', async () => {
        await redis.pexpire(key(id), ttlMs);
      }),
    ping: () =>
      run('ping', async () => {
        await redis.ping();
      }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
