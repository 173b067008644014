import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { SourceError } from '@fanout/core';
import {
  Admin,
  AuthenticationError,
  type ClusterMetadata,
  type Connection,
  ConnectionPool,
  type SASLOptions,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import {
  type FetchOptions,
  type FetchResult,
  type Follow,
  type FollowHandler,
  KafkaAuthError,
  type KafkaLog,
  KafkaUnavailableError,
  OffsetOutOfRangeError,
  type PartitionBounds,
  PartitionUndecodableError,
  TopicChangedError,
  type TopicMetadata,
} from './kafka-log.js';
import { decodeBatches } from './record-batch.js';
import {
  EARLIEST,
  type FetchPartitionResponse,
  type FetchResponse,
  type FetchTopicRequest,
  KafkaErrorCode,
  LATEST,
  fetchApis,
  listOffsetsApi,
} from './wire.js';

/** TLS towards the brokers. */
export interface KafkaTlsOptions {
  /** PEM CA bundle to trust (default: the system's). */
  ca?: string | Buffer;
  /** PEM client certificate and key, for brokers that require them. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The name to check the brokers' certificates against (SNI), when it is not the address's host. */
  serverName?: string;
  /** Whether to verify the brokers' certificates (default true). */
  rejectUnauthorized?: boolean;
}

/** SASL towards the brokers. */
export interface KafkaSaslOptions {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
  username?: string;
  password?: string;
  /** OAUTHBEARER: returns the current token (asked at each authentication). */
  token?: () => string;
}

/** Options of {@link createKafkaReader}. */
export interface KafkaReaderOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  tls?: KafkaTlsOptions;
  sasl?: KafkaSaslOptions;
  /** Connection timeout per broker, ms. */
  connectTimeoutMs?: number;
  /** Request timeout, ms (must exceed `maxWaitMs`). */
  requestTimeoutMs?: number;
  /** How long a follow fetch may wait at the broker for data (long poll), ms. */
  maxWaitMs?: number;
  /** The most bytes one followed partition may return per fetch. */
  partitionMaxBytes?: number;
  /** The most bytes one fetch response may carry. */
  responseMaxBytes?: number;
  /** How long a partition whose batches cannot be decoded waits before it is fetched again, ms. */
  undecodableRetryMs?: number;
}

interface PartitionLeader {
  leader: number;
}

interface TopicInfo {
  id: string;
  partitions: Map<number, PartitionLeader>;
}

interface Followed {
  topic: string;
  topicId: string;
  partition: number;
  offset: number;
  handler: FollowHandler;
  stopped: boolean;
  /** No fetch before this time (ms since epoch). */
  notBefore: number;
  /** The last fetch gave only a partial batch: put it first next time (Kafka returns at least one whole batch for the first partition). */
  starved: boolean;
}

const RETRIABLE_PARTITION_ERRORS = new Set<number>([
  KafkaErrorCode.LEADER_NOT_AVAILABLE,
  KafkaErrorCode.NOT_LEADER_OR_FOLLOWER,
  KafkaErrorCode.REQUEST_TIMED_OUT,
  KafkaErrorCode.REPLICA_NOT_AVAILABLE,
  KafkaErrorCode.NETWORK_EXCEPTION,
  KafkaErrorCode.NOT_ENOUGH_REPLICAS,
  KafkaErrorCode.KAFKA_STORAGE_ERROR,
  KafkaErrorCode.FENCED_LEADER_EPOCH,
  KafkaErrorCode.UNKNOWN_LEADER_EPOCH,
  KafkaErrorCode.OFFSET_NOT_AVAILABLE,
  KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
]);

function toNumber(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n))
    throw new SourceError(`offset ${v} is not a safe integer`, { retriable: false });
  return n;
}

function connectionOptions(o: KafkaReaderOptions) {
  const tls: TlsOptions | undefined = o.tls
    ? {
        ...(o.tls.ca !== undefined ? { ca: o.tls.ca } : {}),
        ...(o.tls.cert !== undefined ? { cert: o.tls.cert } : {}),
        ...(o.tls.key !== undefined ? { key: o.tls.key } : {}),
        ...(o.tls.serverName !== undefined ? { servername: o.tls.serverName } : {}),
        rejectUnauthorized: o.tls.rejectUnauthorized ?? true,
      }
    : undefined;
  const sasl: SASLOptions | undefined = o.sasl
    ? {
        mechanism: o.sasl.mechanism,
        ...(o.sasl.username !== undefined ? { username: o.sasl.username } : {}),
        ...(o.sasl.password !== undefined ? { password: o.sasl.password } : {}),
        ...(o.sasl.token !== undefined ? { token: o.sasl.token } : {}),
      }
    : undefined;
  return {
    connectTimeout: o.connectTimeoutMs ?? 5000,
    requestTimeout: o.requestTimeoutMs ?? 30_000,
    ...(tls ? { tls, ...(o.tls?.serverName ? { tlsServerName: o.tls.serverName } : {}) } : {}),
    ...(sasl ? { sasl } : {}),
  };
}

/** Maps a library or socket error to the edge's typed source errors. */
export function classifyKafkaError(err: unknown, what: string): SourceError {
  if (err instanceof SourceError) return err;
  if (err instanceof AuthenticationError || isAuthFailure(err))
    return new KafkaAuthError(`Kafka refused the credentials (${what}): ${innermost(err)}`, {
      cause: err,
    });
  const code = (err as { code?: string }).code;
  if (
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'CERT_HAS_EXPIRED'
  )
    return new KafkaAuthError(`Kafka's TLS certificate was refused (${what}): ${(err as Error).message}`, {
      cause: err,
    });
  return new KafkaUnavailableError(`Kafka unavailable (${what}): ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
  });
}

/** The message of the innermost authentication failure (or error) inside the library's wrapped errors. */
function innermost(err: unknown): string {
  type Wrapped = { message?: string; cause?: unknown; errors?: unknown[] };
  let best = (err as Wrapped)?.message ?? String(err);
  const visit = (e: Wrapped | undefined, depth: number): boolean => {
    if (!e || depth > 6) return false;
    if (
      e instanceof AuthenticationError ||
      (e as { apiId?: string }).apiId === 'SASL_AUTHENTICATION_FAILED'
    ) {
      best = e.message ?? best;
      const deeper = e.cause as Wrapped | undefined;
      if (deeper?.message) best = `${best}: ${deeper.message}`;
      return true;
    }
    for (const x of e.errors ?? []) if (visit(x as Wrapped, depth + 1)) return true;
    return visit(e.cause as Wrapped | undefined, depth + 1);
  };
  visit(err as Wrapped, 0);
  return best;
}

function isAuthFailure(err: unknown): boolean {
  // The library wraps SASL failures (SaslAuthenticate error 58) in network or response errors.
  for (
    let e = err as { cause?: unknown; errors?: unknown[]; code?: string; apiId?: string } | undefined,
      depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (e instanceof AuthenticationError) return true;
    if (
      e.apiId === 'SASL_AUTHENTICATION_FAILED' ||
      e.apiId === 'ILLEGAL_SASL_STATE' ||
      e.apiId === 'UNSUPPORTED_SASL_MECHANISM'
    )
      return true;
    if (Array.isArray(e.errors) && e.errors.some((x) => isAuthFailure(x))) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * The edge's Kafka reader. Connections, TLS, SASL and metadata come from
 * @platformatic/kafka's public API; Fetch and ListOffsets are shaped here
 * (wire.ts) and record batches decoded here (record-batch.ts), so progress
 * comes from batch headers and one partition's bad batch never fails
 * another's.
 *
 * Followed partitions are fetched like a real consumer: one long-poll Fetch
 * per broker carrying every followed partition that broker leads, on its own
 * connection pool, so a long poll never delays metadata, bounds or replay
 * reads (Kafka answers one request per connection at a time).
 */
export function createKafkaReader(options: KafkaReaderOptions): KafkaLog {
  const log = options.logger;
  const conn = connectionOptions(options);
  const maxWaitMs = options.maxWaitMs ?? 500;
  const partitionMaxBytes = options.partitionMaxBytes ?? 1024 * 1024;
  const responseMaxBytes = options.responseMaxBytes ?? 16 * 1024 * 1024;
  const undecodableRetryMs = options.undecodableRetryMs ?? 5000;
  const control = new Admin({
    clientId: options.clientId,
    bootstrapBrokers: options.brokers,
    retries: 1,
    retryDelay: 200,
    metadataMaxAge: 5000,
    ...conn,
  });
  const pollPool = new ConnectionPool(`${options.clientId}-poll`, conn);
  const oneOffPool = new ConnectionPool(`${options.clientId}-read`, conn);
  const topics = new Map<string, TopicInfo>();
  let brokers = new Map<number, { host: string; port: number }>();
  let fetchVersion: 12 | 13 = 12;
  let healthy = false;
  let closed = false;
  const followed = new Map<string, Followed>();
  const loops = new Map<number, Promise<void>>();
  let metadataRefresh: Promise<void> | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;

  async function track<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      const out = await work();
      healthy = true;
      return out;
    } catch (err) {
      const e = classifyKafkaError(err, what);
      if (e instanceof KafkaUnavailableError || e instanceof KafkaAuthError) healthy = false;
      throw e;
    }
  }

  function absorb(md: ClusterMetadata, names: string[]): void {
    brokers = new Map([...md.brokers].map(([id, b]) => [id, { host: b.host, port: b.port }]));
    for (const name of names) {
      const t = md.topics.get(name);
      if (!t) continue;
      const partitions = new Map<number, PartitionLeader>();
      t.partitions.forEach((p, i) => {
        if (p) partitions.set(i, { leader: p.leader });
      });
      topics.set(name, { id: t.id, partitions });
    }
  }

  async function metadata(names: string[], force: boolean): Promise<void> {
    if (names.length === 0) return;
    const md = await control.metadata({ topics: names, forceUpdate: force });
    absorb(md, names);
  }

  /** One shared refresh of every followed topic's leaders. */
  function refreshFollowed(): Promise<void> {
    metadataRefresh ??= (async () => {
      try {
        const names = [...new Set([...followed.values()].map((f) => f.topic))];
        const existing = new Set(await control.listTopics());
        await metadata(
          names.filter((n) => existing.has(n)),
          true,
        );
        for (const f of followed.values()) {
          if (!existing.has(f.topic)) f.handler.onError(new TopicChangedError(f.topic, f.topicId));
          else if (f.topicId && topics.get(f.topic)?.id !== f.topicId)
            f.handler.onError(new TopicChangedError(f.topic, f.topicId));
        }
      } catch (err) {
        log.warn({ err }, 'metadata refresh failed');
      } finally {
        metadataRefresh = undefined;
      }
    })();
    return metadataRefresh;
  }

  async function connectionTo(pool: ConnectionPool, nodeId: number): Promise<Connection> {
    const broker = brokers.get(nodeId);
    if (!broker) throw new KafkaUnavailableError(`broker ${nodeId} is not in the cluster metadata`);
    return pool.get(broker);
  }

  async function leaderOf(topic: string, partition: number): Promise<number> {
    let info = topics.get(topic)?.partitions.get(partition);
    if (!info) {
      await metadata([topic], true);
      info = topics.get(topic)?.partitions.get(partition);
    }
    if (!info) throw new KafkaUnavailableError(`${topic}/${partition} is not in the cluster metadata`);
    if (info.leader < 0) {
      await metadata([topic], true);
      const again = topics.get(topic)?.partitions.get(partition);
      if (!again || again.leader < 0) throw new KafkaUnavailableError(`${topic}/${partition} has no leader`);
      return again.leader;
    }
    return info.leader;
  }

  function topicRequest(
    topic: string,
    parts: Array<{ partition: number; fetchOffset: number }>,
    maxBytes: number,
  ): FetchTopicRequest {
    return {
      topic,
      topicId: topics.get(topic)?.id ?? '',
      partitions: parts.map((p) => ({ ...p, maxBytes })),
    };
  }

  function resultOf(
    topic: string,
    p: FetchPartitionResponse,
    fetchOffset: number,
  ): FetchResult | SourceError {
    if (p.errorCode === KafkaErrorCode.OFFSET_OUT_OF_RANGE)
      return new OffsetOutOfRangeError(topic, p.partition, fetchOffset);
    if (
      p.errorCode === KafkaErrorCode.UNKNOWN_TOPIC_ID ||
      p.errorCode === KafkaErrorCode.INCONSISTENT_TOPIC_ID
    )
      return new TopicChangedError(topic, topics.get(topic)?.id ?? '');
    if (p.errorCode === KafkaErrorCode.CORRUPT_MESSAGE)
      return new PartitionUndecodableError(
        topic,
        p.partition,
        fetchOffset,
        'the broker reports a corrupt message',
      );
    if (p.errorCode !== KafkaErrorCode.NONE)
      return new KafkaUnavailableError(`${topic}/${p.partition}: Kafka error ${p.errorCode}`, {
        code: `KAFKA_ERROR_${p.errorCode}`,
        retriable: RETRIABLE_PARTITION_ERRORS.has(p.errorCode),
      });
    const decoded = p.records
      ? decodeBatches(topic, p.partition, p.records, fetchOffset, p.abortedTransactions)
      : { records: [], nextOffset: fetchOffset, batches: 0, truncated: false };
    if (decoded.error && decoded.records.length === 0 && decoded.nextOffset === fetchOffset)
      return new PartitionUndecodableError(
        topic,
        p.partition,
        decoded.error.baseOffset,
        decoded.error.reason,
        {
          cause: decoded.error,
        },
      );
    const highWatermark = toNumber(p.highWatermark);
    const lso = p.lastStableOffset >= 0n ? toNumber(p.lastStableOffset) : highWatermark;
    const nextOffset = decoded.nextOffset;
    return {
      records: decoded.records,
      nextOffset,
      highWatermark,
      lastStableOffset: lso,
      logStart: toNumber(p.logStartOffset),
    };
  }

  async function oneFetch(
    topic: string,
    partition: number,
    offset: number,
    opts: FetchOptions,
  ): Promise<FetchResult> {
    const leader = await leaderOf(topic, partition);
    const connection = await connectionTo(oneOffPool, leader);
    let response: FetchResponse;
    try {
      response = await fetchApis[fetchVersion].async(connection, {
        maxWaitMs: opts.maxWaitMs,
        minBytes: 1,
        maxBytes: Math.max(opts.maxBytes, responseMaxBytes),
        topics: [topicRequest(topic, [{ partition, fetchOffset: offset }], opts.maxBytes)],
      });
    } catch (err) {
      void metadata([topic], true).catch(() => undefined);
      throw err;
    }
    const p = response.topics[0]?.partitions.find((x) => x.partition === partition);
    if (!p) throw new KafkaUnavailableError(`no answer for ${topic}/${partition}`);
    const result = resultOf(topic, p, offset);
    if (result instanceof SourceError) {
      if (result instanceof KafkaUnavailableError) void metadata([topic], true).catch(() => undefined);
      throw result;
    }
    return result;
  }

  async function listOffsets(
    topic: string,
    timestamp: (partition: number) => bigint,
  ): Promise<Array<{ partition: number; offset: number }>> {
    let info = topics.get(topic);
    if (!info) {
      await metadata([topic], true);
      info = topics.get(topic);
    }
    if (!info) throw new KafkaUnavailableError(`topic ${topic} is not in the cluster metadata`);
    const byLeader = new Map<number, number[]>();
    for (const [p, { leader }] of info.partitions) {
      const list = byLeader.get(leader) ?? [];
      list.push(p);
      byLeader.set(leader, list);
    }
    const out: Array<{ partition: number; offset: number }> = [];
    let retryMetadata = false;
    await Promise.all(
      [...byLeader].map(async ([leader, parts]) => {
        const connection = await connectionTo(oneOffPool, leader);
        const response = await listOffsetsApi.async(connection, [
          { topic, partitions: parts.map((partition) => ({ partition, timestamp: timestamp(partition) })) },
        ]);
        for (const t of response)
          for (const p of t.partitions) {
            if (p.errorCode !== KafkaErrorCode.NONE) {
              retryMetadata = true;
              throw new KafkaUnavailableError(
                `ListOffsets ${topic}/${p.partition}: Kafka error ${p.errorCode}`,
                {
                  code: `KAFKA_ERROR_${p.errorCode}`,
                },
              );
            }
            out.push({ partition: p.partition, offset: toNumber(p.offset) });
          }
      }),
    ).catch((err) => {
      if (retryMetadata || err instanceof KafkaUnavailableError || !(err instanceof SourceError))
        void metadata([topic], true).catch(() => undefined);
      throw err;
    });
    return out.sort((a, b) => a.partition - b.partition);
  }

  // --- following: one long poll per broker ---

  function key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  function schedule(): void {
    if (closed) return;
    const now = Date.now();
    let soonest = Number.POSITIVE_INFINITY;
    const leaders = new Set<number>();
    for (const f of followed.values()) {
      const leader = topics.get(f.topic)?.partitions.get(f.partition)?.leader;
      if (leader === undefined || leader < 0) {
        void refreshFollowed().then(() => schedule());
        soonest = Math.min(soonest, now + 500);
        continue;
      }
      if (f.notBefore > now) soonest = Math.min(soonest, f.notBefore);
      else leaders.add(leader);
    }
    for (const leader of leaders) {
      if (loops.has(leader)) continue;
      const loop = runLoop(leader).finally(() => {
        loops.delete(leader);
        schedule();
      });
      loops.set(leader, loop);
    }
    if (soonest !== Number.POSITIVE_INFINITY) {
      clearTimeout(wakeTimer);
      wakeTimer = setTimeout(schedule, Math.max(10, soonest - now));
      wakeTimer.unref?.();
    }
  }

  function due(leader: number): Followed[] {
    const now = Date.now();
    const out: Followed[] = [];
    for (const f of followed.values()) {
      if (f.stopped || f.notBefore > now) continue;
      if (topics.get(f.topic)?.partitions.get(f.partition)?.leader === leader) out.push(f);
    }
    // Starved partitions first (see Followed.starved), then a rotation so
    // no partition is always last when the response fills up.
    const shift = out.length > 0 ? rotation++ % out.length : 0;
    const rotated = out.slice(shift).concat(out.slice(0, shift));
    return rotated.sort((a, b) => Number(b.starved) - Number(a.starved));
  }
  let rotation = 0;

  async function runLoop(leader: number): Promise<void> {
    let failures = 0;
    while (!closed) {
      const batch = due(leader);
      if (batch.length === 0) return;
      // Each follow fetches the topic it was started on: by its own topic id
      // (v13+), so a topic recreated under it answers UNKNOWN_TOPIC_ID
      // instead of handing it the new topic's records at the old offsets.
      const byTopic = new Map<string, Followed[]>();
      for (const f of batch) {
        const k = fetchVersion >= 13 ? f.topicId || (topics.get(f.topic)?.id ?? '') : f.topic;
        const list = byTopic.get(k) ?? [];
        list.push(f);
        byTopic.set(k, list);
      }
      const offsets = new Map(batch.map((f) => [f, f.offset]));
      let response: FetchResponse;
      try {
        const connection = await connectionTo(pollPool, leader);
        response = await fetchApis[fetchVersion].async(connection, {
          maxWaitMs,
          minBytes: 1,
          maxBytes: responseMaxBytes,
          topics: [...byTopic].map(([k, fs]) => ({
            topic: (fs[0] as Followed).topic,
            topicId: fetchVersion >= 13 ? k : '',
            partitions: fs.map((f) => ({
              partition: f.partition,
              fetchOffset: f.offset,
              maxBytes: partitionMaxBytes,
            })),
          })),
        });
        healthy = true;
        failures = 0;
      } catch (err) {
        if (closed) return;
        failures++;
        const e = classifyKafkaError(err, `fetch from broker ${leader}`);
        healthy = false;
        if (failures === 1 || failures % 20 === 0)
          log.warn({ err: e, broker: leader, failures }, 'fetch failed; retrying');
        for (const f of batch) if (!f.stopped) f.handler.onError(e);
        await refreshFollowed();
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** Math.min(failures, 5), 2000)));
        // The leader may have moved: let schedule() hand partitions to other loops.
        if (batch.some((f) => topics.get(f.topic)?.partitions.get(f.partition)?.leader !== leader)) return;
        continue;
      }
      if (response.errorCode !== KafkaErrorCode.NONE) {
        log.warn({ broker: leader, error_code: response.errorCode }, 'fetch refused');
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      let needMetadata = false;
      for (const t of response.topics) {
        const asked = byTopic.get(t.topic);
        if (!asked) continue;
        const name = (asked[0] as Followed).topic;
        for (const p of t.partitions) {
          const f = asked.find((x) => x.partition === p.partition);
          if (!f || f.stopped || offsets.get(f) !== f.offset) continue; // stopped or re-sought meanwhile
          const fetchOffset = f.offset;
          let result: FetchResult | SourceError;
          try {
            result = resultOf(name, p, fetchOffset);
          } catch (err) {
            result = err as SourceError;
          }
          if (result instanceof SourceError) {
            if (result instanceof KafkaUnavailableError) {
              needMetadata = true;
              f.notBefore = Date.now() + 200;
            } else if (result instanceof PartitionUndecodableError) {
              f.notBefore = Date.now() + undecodableRetryMs;
            } else {
              f.notBefore = Date.now() + 200;
            }
            f.handler.onError(result);
            continue;
          }
          f.starved = p.records !== null && result.records.length === 0 && result.nextOffset === fetchOffset;
          if (result.nextOffset > f.offset) f.offset = result.nextOffset;
          f.handler.onFetch(result);
        }
      }
      if (needMetadata) {
        await refreshFollowed();
        if (batch.some((f) => topics.get(f.topic)?.partitions.get(f.partition)?.leader !== leader)) return;
      }
    }
  }

  return {
    get healthy() {
      return healthy;
    },
    async connect() {
      await track('connect', async () => {
        const apis = await control.listApis();
        const fetch = apis.find((a) => a.apiKey === 1);
        const listOffsets = apis.find((a) => a.apiKey === 2);
        if (!fetch || fetch.maxVersion < 12 || !listOffsets || listOffsets.maxVersion < 6)
          throw new SourceError(
            'the Kafka cluster is too old: Fetch v12 and ListOffsets v6 (Kafka 2.7+) are required',
            { code: 'KAFKA_TOO_OLD', retriable: false },
          );
        fetchVersion = fetch.maxVersion >= 13 ? 13 : 12;
        const md = await control.metadata({ topics: [], forceUpdate: true });
        absorb(md, []);
      });
    },
    async listTopics() {
      return track('list topics', () => control.listTopics());
    },
    async topics(names) {
      return track('metadata', async () => {
        const existing = new Set(await control.listTopics());
        const present = names.filter((n) => existing.has(n));
        await metadata(present, true);
        const out: TopicMetadata[] = [];
        for (const name of present) {
          const t = topics.get(name);
          if (t) out.push({ name, id: t.id, partitions: [...t.partitions.keys()].sort((a, b) => a - b) });
        }
        return out;
      });
    },
    async bounds(topic): Promise<PartitionBounds[]> {
      return track(`bounds of ${topic}`, async () => {
        const [starts, ends] = await Promise.all([
          listOffsets(topic, () => EARLIEST),
          listOffsets(topic, () => LATEST),
        ]);
        return starts.map((s) => ({
          partition: s.partition,
          logStart: s.offset,
          logEnd: ends.find((e) => e.partition === s.partition)?.offset ?? s.offset,
        }));
      });
    },
    async offsetsForTimestamp(topic, timestampMs) {
      return track(`offsets for time in ${topic}`, async () => {
        const [found, ends] = await Promise.all([
          listOffsets(topic, () => BigInt(timestampMs)),
          listOffsets(topic, () => LATEST),
        ]);
        return found.map((f) => ({
          partition: f.partition,
          // -1: no record at or after the time; start at the end.
          offset: f.offset >= 0 ? f.offset : (ends.find((e) => e.partition === f.partition)?.offset ?? 0),
        }));
      });
    },
    async fetch(topic, partition, offset, opts) {
      return track(`fetch ${topic}/${partition}`, () => oneFetch(topic, partition, offset, opts));
    },
    follow(topic, topicId, partition, offset, handler): Follow {
      const k = key(topic, partition);
      const existing = followed.get(k);
      if (existing) existing.stopped = true;
      const f: Followed = {
        topic,
        topicId,
        partition,
        offset,
        handler,
        stopped: false,
        notBefore: 0,
        starved: false,
      };
      followed.set(k, f);
      if (!topics.get(topic)?.partitions.has(partition))
        void metadata([topic], true)
          .catch(() => undefined)
          .then(() => schedule());
      else schedule();
      return {
        seek(next) {
          f.offset = next;
          f.notBefore = 0;
          schedule();
        },
        stop() {
          f.stopped = true;
          if (followed.get(k) === f) followed.delete(k);
        },
      };
    },
    async close() {
      closed = true;
      clearTimeout(wakeTimer);
      for (const f of followed.values()) f.stopped = true;
      followed.clear();
      await Promise.allSettled([pollPool.close(), oneOffPool.close(), control.close()]);
    },
  };
}
