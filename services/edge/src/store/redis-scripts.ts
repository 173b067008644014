// Lua scripts of the Redis session store. Each touches one session's hash
// (or one subject's keys, same hash tag), so every script is single-slot and
// runs on Redis Cluster. Session hash fields: `subject`, `created`, `o` owner
// epoch, `h` holder node ('' when released), `n` subscription count,
// `c:<channel>` = the topic's id (or 1) per subscription, `a:<partition>:<channel>` highest ack.
//
// Owner checks return -2 when the session is gone, -1 when `ARGV[1]` is not
// the current epoch (fenced); the write happens only when neither.

const OWNER = `
local o = redis.call('HGET', KEYS[1], 'o')
if not o then return -2 end
if tonumber(o) ~= tonumber(ARGV[1]) then return -1 end
`;

/** Claim: subject first (nothing touched otherwise), then epoch + 1. ARGV: subject, ttlMs, node. */
export const CLAIM = `
if redis.call('HGET', KEYS[1], 'subject') ~= ARGV[1] then return false end
local epoch = redis.call('HINCRBY', KEYS[1], 'o', 1)
redis.call('HSET', KEYS[1], 'h', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {epoch, redis.call('HGETALL', KEYS[1])}`;

/** Release by the owner: idle from now. ARGV: epoch, ttlMs. */
export const RELEASE = `${OWNER}
redis.call('HSET', KEYS[1], 'h', '')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** TTL refresh by the owner. ARGV: epoch, ttlMs. */
export const TOUCH = `${OWNER}
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * Adds a subscription (at most ARGV[3] per session; -3 when full), or
 * replaces its positions. `c:<channel>` holds the topic's id (ARGV[5], the
 * positions' epoch; '1' when unknown). ARGV: epoch, ttlMs, max, channel,
 * topicId, (partition, offset)*.
 */
export const SUBSCRIBE = `${OWNER}
local channel = ARGV[4]
if redis.call('HEXISTS', KEYS[1], 'c:' .. channel) == 0 then
  if tonumber(redis.call('HGET', KEYS[1], 'n') or '0') >= tonumber(ARGV[3]) then return -3 end
  redis.call('HINCRBY', KEYS[1], 'n', 1)
end
redis.call('HSET', KEYS[1], 'c:' .. channel, ARGV[5])
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], 'a:' .. ARGV[i] .. ':' .. channel, ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Removes a subscription and its acked positions. ARGV: epoch, ttlMs, channel. */
export const UNSUBSCRIBE = `${OWNER}
local channel = ARGV[3]
if redis.call('HDEL', KEYS[1], 'c:' .. channel) == 1 then redis.call('HINCRBY', KEYS[1], 'n', -1) end
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  local p = string.match(field, '^a:(%d+):')
  if p and string.sub(field, #p + 4) == channel then redis.call('HDEL', KEYS[1], field) end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Max-merge of acks for channels still subscribed. ARGV: epoch, ttlMs, (channel, partition, offset)*. */
export const WRITE_ACKS = `${OWNER}
for i = 3, #ARGV, 3 do
  local channel, partition, offset = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  if redis.call('HEXISTS', KEYS[1], 'c:' .. channel) == 1 then
    local field = 'a:' .. partition .. ':' .. channel
    local current = redis.call('HGET', KEYS[1], field)
    if not current or tonumber(current) < offset then redis.call('HSET', KEYS[1], field, offset) end
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * Admits a new session of a subject (mirrors admitSession in @fanout/core).
 * KEYS: the subject's sessions (zset id → last activity), its rate key.
 * ARGV: nowMs, id, perSecond, maxSessions, ttlMs. Returns -1 when the rate
 * is exceeded, else the eviction candidates (oldest first, the new one
 * excluded), more than needed since connected ones are skipped.
 */
export const ADMIT = `
local now = tonumber(ARGV[1])
local second = math.floor(now / 1000)
local created = 0
local rate = redis.call('GET', KEYS[2])
if rate then
  local s, c = string.match(rate, '^(%d+):(%d+)$')
  if tonumber(s) == second then created = tonumber(c) end
end
if created >= tonumber(ARGV[3]) then return -1 end
redis.call('SET', KEYS[2], second .. ':' .. (created + 1), 'PX', 2000)
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if excess <= 0 then return {} end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, excess + 63)) do
  if id ~= ARGV[2] then out[#out + 1] = id end
end
return {excess, out}`;

/** Deletes a session that no connection holds. Returns 1 deleted, 0 held, -2 gone. */
export const EVICT_IF_IDLE = `
local h = redis.call('HGET', KEYS[1], 'h')
if not h then
  if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
  h = ''
end
if h ~= '' then return 0 end
redis.call('DEL', KEYS[1])
return 1`;
