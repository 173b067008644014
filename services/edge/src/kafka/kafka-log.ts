import { SourceError } from '@fanout/core';

/**
 * The edge's own small interface to a Kafka log. Everything the edge needs
 * from Kafka goes through it, so the client library can be swapped without
 * touching the rest. One implementation: `createKafkaReader` (kafka-reader.ts).
 */

/** A Kafka record header, in the record's order (repeated keys kept). */
export interface LogHeader {
  key: string;
  value: Uint8Array | null;
}

/** One Kafka record as the edge sees it. Offsets are safe integers. */
export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: LogHeader[];
  timestampMs: number;
}

/**
 * Bounds of one partition: `logStart` is the first offset still stored,
 * `logEnd` the next offset a read_committed consumer can read up to (the last
 * stable offset; the high watermark when no transaction is open).
 */
export interface PartitionBounds {
  partition: number;
  logStart: number;
  logEnd: number;
}

/** What one fetch of one partition gave. */
export interface FetchResult {
  /** Records with offset >= the requested one, in order (control and aborted records removed). */
  records: LogRecord[];
  /** The offset to fetch next: one past the last complete batch, from the batch headers. */
  nextOffset: number;
  /** The partition's high watermark when fetched. */
  highWatermark: number;
  /** The partition's last stable offset when fetched (read_committed reads stop there). */
  lastStableOffset: number;
  /** The partition's log start offset when fetched. */
  logStart: number;
}

/** Options of one fetch. */
export interface FetchOptions {
  /** How long the broker may wait for data (long poll). */
  maxWaitMs: number;
  /** The most bytes to return for the partition. */
  maxBytes: number;
}

/** A topic as the cluster's metadata describes it. */
export interface TopicMetadata {
  name: string;
  /** The topic's id (changes when the topic is deleted and recreated); '' where the broker has none. */
  id: string;
  /** Partition numbers, ascending. */
  partitions: number[];
}

/** Thrown by `fetch` when the offset is outside the partition's stored range. */
export class OffsetOutOfRangeError extends SourceError {
  override readonly name = 'OffsetOutOfRangeError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
  ) {
    super(`offset ${offset} is out of range for ${topic}/${partition}`, {
      code: 'OFFSET_OUT_OF_RANGE',
      retriable: false,
    });
  }
}

/** The topic this reader knew is gone or was replaced (its id changed). */
export class TopicChangedError extends SourceError {
  override readonly name = 'TopicChangedError';
  constructor(
    readonly topic: string,
    readonly topicId: string,
  ) {
    super(`topic ${topic} (id ${topicId}) was deleted or recreated`, {
      code: 'TOPIC_CHANGED',
      retriable: false,
    });
  }
}

/** A partition's records cannot be decoded (corrupt batch, unsupported format). The partition stops there. */
export class PartitionUndecodableError extends SourceError {
  override readonly name = 'PartitionUndecodableError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${topic}/${partition} at offset ${offset}: ${reason}`, {
      code: 'UNDECODABLE_BATCH',
      retriable: false,
      ...options,
    });
  }
}

/** A Kafka error on a partition or a request that may clear (leader moving, broker away, timeouts). */
export class KafkaUnavailableError extends SourceError {
  override readonly name = 'KafkaUnavailableError';
}

/** Credentials or TLS were refused: retrying will not help until the configuration changes. */
export class KafkaAuthError extends SourceError {
  override readonly name = 'KafkaAuthError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'KAFKA_AUTH_FAILED', retriable: false, ...options });
  }
}

/** Receives what a followed partition yields; called on the reader's thread, in partition order. */
export interface FollowHandler {
  /** One fetch's result (possibly no records: progress past control/aborted batches, or fresh bounds only). */
  onFetch(result: FetchResult): void;
  /** The partition cannot go on for now: OffsetOutOfRange, TopicChanged, PartitionUndecodable, KafkaUnavailable. */
  onError(err: SourceError): void;
}

/** A followed partition. */
export interface Follow {
  /** Continue from this offset with the next fetch (after a re-anchor). */
  seek(offset: number): void;
  /** Stops following. */
  stop(): void;
}

/** A Kafka log: metadata, bounds, one-off reads and followed partitions. */
export interface KafkaLog {
  /** Reaches the cluster (bootstrap and metadata); rejects with a typed error. */
  connect(): Promise<void>;
  /** Metadata of the named topics that exist (others are left out). */
  topics(names: string[]): Promise<TopicMetadata[]>;
  /** Every topic's name. */
  listTopics(): Promise<string[]>;
  /** Current bounds of every partition of a topic, fresh from the partition leaders. */
  bounds(topic: string): Promise<PartitionBounds[]>;
  /** Per partition, the first offset whose timestamp is >= `timestampMs` (the log end when none). */
  offsetsForTimestamp(
    topic: string,
    timestampMs: number,
  ): Promise<Array<{ partition: number; offset: number }>>;
  /** Reads records of one partition from `offset` (one request to its leader). */
  fetch(topic: string, partition: number, offset: number, options: FetchOptions): Promise<FetchResult>;
  /**
   * Follows a partition from `offset`: every followed partition led by the
   * same broker shares one long-poll Fetch request to it.
   */
  follow(topic: string, topicId: string, partition: number, offset: number, handler: FollowHandler): Follow;
  /** Whether the last request reached a broker. */
  readonly healthy: boolean;
  close(): Promise<void>;
}
