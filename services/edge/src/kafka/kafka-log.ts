/**
 * The edge's own small interface to a Kafka log. Everything the edge needs
 * from Kafka goes through it, so the client library (kafkajs today, which is
 * no longer maintained) can be swapped without touching the rest.
 */

/** A Kafka record header, in the record's order. */
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

/** Bounds of one partition: `logStart` is the first offset still stored, `logEnd` the next to be written. */
export interface PartitionBounds {
  partition: number;
  logStart: number;
  logEnd: number;
}

/** The result of one fetch. */
export interface FetchResult {
  /** Records with offset >= the requested one, in order (control and aborted records removed). */
  records: LogRecord[];
  /** The offset to fetch next (past filtered control records too). */
  nextOffset: number;
  /** The partition's high watermark when fetched. */
  highWatermark: number;
}

/** Options of one fetch. */
export interface FetchOptions {
  /** How long the broker may wait for data (long poll). */
  maxWaitMs: number;
  /** The most bytes to return for the partition. */
  maxBytes: number;
}

/** Thrown by `fetch` when the offset is outside the partition's stored range. */
export class OffsetOutOfRangeError extends Error {
  override readonly name = 'OffsetOutOfRangeError';
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
  ) {
    super(`offset ${offset} is out of range for ${topic}/${partition}`);
  }
}

/** A Kafka log: metadata, bounds, and reads of a partition from an offset. */
export interface KafkaLog {
  connect(): Promise<void>;
  /** Partition numbers of a topic, ascending; throws when the topic does not exist. */
  partitions(topic: string): Promise<number[]>;
  /** Topics whose names match, from the cluster's metadata. */
  listTopics(): Promise<string[]>;
  /** Current bounds of every partition of a topic. */
  bounds(topic: string): Promise<PartitionBounds[]>;
  /**
   * Per partition of `topic`, the first offset whose record timestamp is at or
   * after `timestampMs` (Kafka's offsets for times), or the log end when no
   * record is that recent.
   */
  offsetsForTimestamp(
    topic: string,
    timestampMs: number,
  ): Promise<Array<{ partition: number; offset: number }>>;
  /** Reads records of one partition from `offset`. */
  fetch(topic: string, partition: number, offset: number, options: FetchOptions): Promise<FetchResult>;
  /** Whether the last request reached a broker. */
  readonly healthy: boolean;
  close(): Promise<void>;
}
