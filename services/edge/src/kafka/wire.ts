import { type Reader, Writer, createAPI } from '@platformatic/kafka';

/**
 * The two Kafka requests the edge shapes itself, over @platformatic/kafka's
 * public connection and codec API: Fetch (records kept as raw bytes per
 * partition, so each partition is decoded, and fails, on its own; the
 * library's parser decompresses everything eagerly and throws for the whole
 * response) and ListOffsets (per-partition errors returned, not thrown).
 */

export const READ_COMMITTED = 1;
export const EARLIEST = -2n;
export const LATEST = -1n;
const NO_SESSION = 0;
const FINAL_EPOCH = -1;

/** Kafka error codes the reader acts on (Kafka's protocol error table). */
export const KafkaErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  REPLICA_NOT_AVAILABLE: 9,
  NETWORK_EXCEPTION: 13,
  NOT_ENOUGH_REPLICAS: 19,
  TOPIC_AUTHORIZATION_FAILED: 29,
  KAFKA_STORAGE_ERROR: 56,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  OFFSET_NOT_AVAILABLE: 78,
  UNKNOWN_TOPIC_ID: 100,
  INCONSISTENT_TOPIC_ID: 103,
} as const;

/** One partition of a Fetch request. */
export interface FetchPartitionRequest {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

/** One topic of a Fetch request: by name (v12) or by id (v13+). */
export interface FetchTopicRequest {
  topic: string;
  topicId: string;
  partitions: FetchPartitionRequest[];
}

export interface FetchRequestArgs {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: FetchTopicRequest[];
}

/** One partition of a Fetch response, records still encoded. */
export interface FetchPartitionResponse {
  partition: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: Array<{ producerId: bigint; firstOffset: bigint }>;
  records: Buffer | null;
}

export interface FetchTopicResponse {
  /** Name (v12) or id (v13+): the reader maps ids back. */
  topic: string;
  partitions: FetchPartitionResponse[];
}

export interface FetchResponse {
  errorCode: number;
  topics: FetchTopicResponse[];
}

function fetchRequest(version: number) {
  return (args: FetchRequestArgs): Writer =>
    Writer.create()
      .appendInt32(-1) // replica id: a consumer (v12-v14; a tagged field from v15)
      .appendInt32(args.maxWaitMs)
      .appendInt32(args.minBytes)
      .appendInt32(args.maxBytes)
      .appendInt8(READ_COMMITTED)
      .appendInt32(NO_SESSION)
      .appendInt32(FINAL_EPOCH)
      .appendArray(args.topics, (w, t) => {
        if (version >= 13) w.appendUUID(t.topicId);
        else w.appendString(t.topic);
        w.appendArray(t.partitions, (pw, p) => {
          pw.appendInt32(p.partition)
            .appendInt32(-1) // current leader epoch: not tracked
            .appendInt64(BigInt(p.fetchOffset))
            .appendInt32(-1) // last fetched epoch
            .appendInt64(-1n) // log start offset (followers only)
            .appendInt32(p.maxBytes);
        });
      })
      .appendArray([], () => undefined) // forgotten topics
      .appendString('') // rack id
      .appendTaggedFields();
}

function fetchResponse(version: number) {
  return (_c: number, _k: number, _v: number, r: Reader): FetchResponse => {
    r.readInt32(); // throttle
    const errorCode = r.readInt16();
    r.readInt32(); // session id
    const topics = r.readArray((tr) => {
      const topic = version >= 13 ? tr.readUUID() : tr.readString();
      const partitions = tr.readArray((pr): FetchPartitionResponse => {
        const partition = pr.readInt32();
        const pErr = pr.readInt16();
        const highWatermark = pr.readInt64();
        const lastStableOffset = pr.readInt64();
        const logStartOffset = pr.readInt64();
        const abortedTransactions = pr.readArray((ar) => ({
          producerId: ar.readInt64(),
          firstOffset: ar.readInt64(),
        }));
        pr.readInt32(); // preferred read replica
        const size = pr.readUnsignedVarInt() - 1;
        let records: Buffer | null = null;
        if (size > 0) {
          records = pr.buffer.slice(pr.position, pr.position + size);
          pr.skip(size);
        }
        return {
          partition,
          errorCode: pErr,
          highWatermark,
          lastStableOffset,
          logStartOffset,
          abortedTransactions,
          records,
        };
      });
      return { topic, partitions };
    });
    return { errorCode, topics };
  };
}

export const fetchApis = {
  12: createAPI<[FetchRequestArgs], FetchResponse>(1, 12, fetchRequest(12), fetchResponse(12)),
  13: createAPI<[FetchRequestArgs], FetchResponse>(1, 13, fetchRequest(13), fetchResponse(13)),
};

/** One partition of a ListOffsets request. */
export interface ListOffsetsPartitionRequest {
  partition: number;
  /** -2 earliest, -1 latest (the last stable offset under read_committed), or a timestamp in ms. */
  timestamp: bigint;
}

export interface ListOffsetsPartitionResponse {
  partition: number;
  errorCode: number;
  timestamp: bigint;
  offset: bigint;
}

function listOffsetsRequest(topics: Array<{ topic: string; partitions: ListOffsetsPartitionRequest[] }>) {
  return Writer.create()
    .appendInt32(-1) // replica id: a consumer
    .appendInt8(READ_COMMITTED)
    .appendArray(topics, (w, t) => {
      w.appendString(t.topic).appendArray(t.partitions, (pw, p) => {
        pw.appendInt32(p.partition).appendInt32(-1).appendInt64(p.timestamp);
      });
    })
    .appendTaggedFields();
}

function listOffsetsResponse(
  _c: number,
  _k: number,
  _v: number,
  r: Reader,
): Array<{ topic: string; partitions: ListOffsetsPartitionResponse[] }> {
  r.readInt32(); // throttle
  return r.readArray((tr) => ({
    topic: tr.readString(),
    partitions: tr.readArray((pr) => {
      const partition = pr.readInt32();
      const errorCode = pr.readInt16();
      const timestamp = pr.readInt64();
      const offset = pr.readInt64();
      pr.readInt32(); // leader epoch
      return { partition, errorCode, timestamp, offset };
    }),
  }));
}

/** ListOffsets v6 (flexible, Kafka 2.5+). */
export const listOffsetsApi = createAPI<
  [Array<{ topic: string; partitions: ListOffsetsPartitionRequest[] }>],
  Array<{ topic: string; partitions: ListOffsetsPartitionResponse[] }>
>(2, 6, listOffsetsRequest, listOffsetsResponse);
