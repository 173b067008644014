import { createRequire } from 'node:module';
import { type Admin, Kafka, logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import {
  type FetchOptions,
  type FetchResult,
  type KafkaLog,
  type LogHeader,
  type LogRecord,
  OffsetOutOfRangeError,
  type PartitionBounds,
} from './kafka-log.js';

// kafkajs has no public "read partition P from offset N" call: its consumer
// needs a group join (seconds in production) before it reads anything. We use
// its cluster and broker objects directly (kafkajs is frozen at 2.2.4, pinned
// exactly in package.json, so these internals cannot move) and its own Batch
// class to drop control records and aborted transactions.
const require = createRequire(import.meta.url);
const Batch = require('kafkajs/src/consumer/batch') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: unknown,
) => { messages: RawMessage[]; messagesWithinOffset: RawMessage[] };

interface RawMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  headers: Record<string, Buffer | null | Array<Buffer | null>>;
}

interface ClusterLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(args: { nodeId: string }): Promise<BrokerLike>;
}

interface BrokerLike {
  fetch(args: {
    replicaId: number;
    isolationLevel: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: Array<{
      topic: string;
      partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }>;
    }>;
  }): Promise<{ responses: Array<{ topicName: string; partitions: Array<Record<string, unknown>> }> }>;
}

const READ_COMMITTED = 1;

function toHeaders(raw: RawMessage['headers']): LogHeader[] {
  const out: LogHeader[] = [];
  for (const key of Object.keys(raw)) {
    const v = raw[key];
    if (Array.isArray(v)) for (const item of v) out.push({ key, value: item ?? null });
    else out.push({ key, value: v ?? null });
  }
  return out;
}

function createCluster(kafka: Kafka): ClusterLike {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  if (!symbol)
    throw new Error('kafkajs internals changed: createCluster not found (is kafkajs still 2.2.4?)');
  const create = (kafka as unknown as Record<symbol, (o: object) => ClusterLike>)[symbol];
  if (!create) throw new Error('kafkajs internals changed: createCluster is not a function');
  return create({ metadataMaxAge: 60_000, allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED });
}

/** Options of `createKafkajsLog`. */
export interface KafkajsLogOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Connection timeout per broker, ms. */
  connectionTimeoutMs?: number;
  /** Request timeout, ms (must exceed the longest fetch wait). */
  requestTimeoutMs?: number;
}

/** A `KafkaLog` over kafkajs 2.2.4. */
export function createKafkajsLog(options: KafkajsLogOptions): KafkaLog {
  const log = options.logger;
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        if (level <= KafkaLogLevel.ERROR) log.error({ kafkajs: rest }, message);
        else log.warn({ kafkajs: rest }, message);
      },
  });
  const cluster = createCluster(kafka);
  let admin: Admin | undefined;
  let healthy = false;
  const targetTopics = new Set<string>();

  async function ensureTopic(topic: string): Promise<void> {
    if (!targetTopics.has(topic)) {
      await cluster.addTargetTopic(topic);
      targetTopics.add(topic);
    }
  }

  async function track<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      healthy = true;
      return result;
    } catch (err) {
      if (!(err instanceof OffsetOutOfRangeError)) {
        const name = (err as { name?: string }).name ?? '';
        if (
          /Connection|Network|Timeout|ECONNREFUSED|NumberOfRetriesExceeded/i.test(
            `${name} ${(err as Error).message}`,
          )
        ) {
          healthy = false;
        }
      }
      throw err;
    }
  }

  return {
    get healthy() {
      return healthy;
    },
    async connect() {
      await track(async () => {
        await cluster.connect();
        admin = kafka.admin();
        await admin.connect();
      });
    },
    async listTopics() {
      if (!admin) throw new Error('not connected');
      const a = admin;
      return track(() => a.listTopics());
    },
    async partitions(topic) {
      return track(async () => {
        await ensureTopic(topic);
        await cluster.refreshMetadata();
        const meta = cluster.findTopicPartitionMetadata(topic);
        if (meta.length === 0) throw new Error(`topic ${topic} does not exist`);
        return meta.map((p) => p.partitionId).sort((a, b) => a - b);
      });
    },
    async bounds(topic): Promise<PartitionBounds[]> {
      if (!admin) throw new Error('not connected');
      const a = admin;
      return track(async () => {
        const offsets = await a.fetchTopicOffsets(topic);
        return offsets
          .map((o) => ({ partition: o.partition, logStart: Number(o.low), logEnd: Number(o.high) }))
          .sort((x, y) => x.partition - y.partition);
      });
    },
    async offsetsForTimestamp(topic, timestampMs) {
      if (!admin) throw new Error('not connected');
      const a = admin;
      return track(async () => {
        // kafkajs answers the high watermark for a partition with no record that recent.
        const offsets = await a.fetchTopicOffsetsByTimestamp(topic, timestampMs);
        return offsets
          .map((o) => ({ partition: o.partition, offset: Number(o.offset) }))
          .sort((x, y) => x.partition - y.partition);
      });
    },
    async fetch(topic, partition, offset, opts: FetchOptions): Promise<FetchResult> {
      return track(async () => {
        await ensureTopic(topic);
        let leaders: Record<string, number[]>;
        try {
          leaders = cluster.findLeaderForPartitions(topic, [partition]);
        } catch {
          await cluster.refreshMetadata();
          leaders = cluster.findLeaderForPartitions(topic, [partition]);
        }
        const nodeId = Object.keys(leaders)[0];
        if (nodeId === undefined) {
          await cluster.refreshMetadata();
          throw new Error(`no leader for ${topic}/${partition}`);
        }
        const broker = await cluster.findBroker({ nodeId });
        let response: Awaited<ReturnType<BrokerLike['fetch']>>;
        try {
          response = await broker.fetch({
            replicaId: -1,
            isolationLevel: READ_COMMITTED,
            maxWaitTime: opts.maxWaitMs,
            minBytes: 1,
            maxBytes: opts.maxBytes,
            topics: [
              { topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: opts.maxBytes }] },
            ],
          });
        } catch (err) {
          const type = (err as { type?: string }).type;
          if (type === 'OFFSET_OUT_OF_RANGE') throw new OffsetOutOfRangeError(topic, partition, offset);
          if (
            type === 'NOT_LEADER_FOR_PARTITION' ||
            type === 'LEADER_NOT_AVAILABLE' ||
            type === 'UNKNOWN_TOPIC_OR_PARTITION'
          ) {
            await cluster.refreshMetadata().catch(() => undefined);
          }
          throw err;
        }
        const partitionData = response.responses[0]?.partitions[0];
        if (!partitionData) return { records: [], nextOffset: offset, highWatermark: offset };
        const batch = new Batch(topic, String(offset), partitionData);
        const within = batch.messagesWithinOffset;
        const last = within[within.length - 1];
        const nextOffset = last ? Number(last.offset) + 1 : offset;
        const records: LogRecord[] = batch.messages.map((m) => ({
          topic,
          partition,
          offset: Number(m.offset),
          key: m.key,
          value: m.value,
          headers: toHeaders(m.headers),
          timestampMs: Number(m.timestamp),
        }));
        return { records, nextOffset, highWatermark: Number(partitionData.highWatermark) };
      });
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
      await cluster.disconnect().catch(() => undefined);
    },
  };
}
