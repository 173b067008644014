import type { SourceError } from '@fanout/core';
import type { Logger } from 'pino';
import {
  type FetchResult,
  type FollowHandler,
  KafkaAuthError,
  KafkaUnavailableError,
  OffsetOutOfRangeError,
  PartitionUndecodableError,
  TopicChangedError,
} from './kafka/kafka-log.js';
import type { IngestReport } from './metrics.js';
import { type PartitionState, type TopicState, toEdgeRecord, topicBytes } from './topic-state.js';

/** Where ingested frames go: uWS pub/sub, by channel name. */
export interface Publisher {
  /** `topic` as UTF-8 bytes (uWS takes them as they are; a string it would convert per call). */
  publish(topic: Uint8Array, frame: Uint8Array): void;
  /**
   * Sockets on a uWS topic (optional). Asked once per fetch for the
   * `<topic>` channel: with nobody on it (key channels only), keyed records
   * skip that publish. Subscriptions change only between fetches, never
   * during one, so the answer holds for the whole fetch.
   */
  subscribers?(topic: string): number;
}

/** What a partition's ingest tells the rest of the edge. */
export interface IngestDeps {
  publisher: Publisher;
  logger: Logger;
  /** Called after every fetch that published, with the bytes published (drives the slow-client sweep). */
  onBatch(bytes: number, records: number): void;
  /** Told once per fetch what it published (metrics; never per socket). */
  onFetched?(report: IngestReport): void;
  /** The topic was deleted or recreated under the reader: the registry looks at the metadata. */
  onTopicChanged(topic: string): void;
  /**
   * Records live subscribers were due are gone or were replaced: `[requested,
   * available)` of the partition will never be published. Called before any
   * record from `available` on is published.
   */
  onLiveGap(
    ps: PartitionState,
    requested: number,
    available: number,
    reason: 'deleted' | 'ahead-of-log',
  ): void;
  /** A partition's health changed (metrics, readiness). */
  onHealth?(ps: PartitionState): void;
}

/**
 * The ingest of one partition: what the Kafka reader's follow of it yields
 * is published live, ONE encoded frame per record, handed to uWS pub/sub for
 * `<topic>` and, when the record has a UTF-8 key, `<topic>:<key>`. No
 * per-connection work happens here; a slow client costs ingest nothing.
 */
export function ingestHandler(topic: TopicState, ps: PartitionState, d: IngestDeps): FollowHandler {
  const log = d.logger.child({ component: 'ingest', topic: ps.topic, partition: ps.partition });
  const generation = topic.generation;
  const topicName = topicBytes(ps.topic);
  let reanchoring = false;
  let lastUndecodable = -1;
  const setHealth = (h: PartitionState['health']) => {
    const changed = h.ok !== ps.health.ok || (!h.ok && !ps.health.ok && h.reason !== ps.health.reason);
    ps.health = h;
    if (changed) d.onHealth?.(ps);
  };
  return {
    onFetch(result: FetchResult) {
      if (topic.generation !== generation) return;
      if (!ps.health.ok) {
        log.info({ offset: result.nextOffset }, 'partition readable again');
        setHealth({ ok: true });
      }
      ps.logStartAt(result.logStart);
      let bytes = 0;
      let publishes = 0;
      const toTopic = d.publisher.subscribers === undefined || d.publisher.subscribers(ps.topic) > 0;
      for (const rec of result.records) {
        if (rec.offset <= ps.live) continue; // a batch overlapping what was already published
        const edgeRecord = toEdgeRecord(rec, ps.frames.alloc);
        ps.window.append(edgeRecord);
        const frame = edgeRecord.frame;
        ps.live = rec.offset;
        if (toTopic) {
          d.publisher.publish(topicName, frame);
          publishes++;
          bytes += frame.length;
        }
        if (edgeRecord.keyTopic) {
          d.publisher.publish(edgeRecord.keyTopic, frame);
          publishes++;
          bytes += frame.length;
        }
      }
      // Control batches, aborted transactions and compacted gaps advance the
      // position too: it comes from the batch headers.
      if (result.nextOffset - 1 > ps.live) ps.live = result.nextOffset - 1;
      d.onFetched?.({
        topic: ps.topic,
        partition: ps.partition,
        records: result.records,
        publishes,
        bytes,
        highWatermark: result.highWatermark,
        publishedAtMs: Date.now(),
      });
      if (publishes > 0) d.onBatch(bytes, result.records.length);
      ps.notify();
    },
    onError(err: SourceError) {
      if (topic.generation !== generation) return;
      if (err instanceof OffsetOutOfRangeError) {
        if (!reanchoring) {
          reanchoring = true;
          reanchor(err.offset).finally(() => {
            reanchoring = false;
          });
        }
        return;
      }
      if (err instanceof TopicChangedError) {
        setHealth({ ok: false, reason: 'topic-changed', message: err.message, since: Date.now() });
        d.onTopicChanged(ps.topic);
        return;
      }
      if (err instanceof PartitionUndecodableError) {
        if (err.offset !== lastUndecodable) {
          lastUndecodable = err.offset;
          log.error({ err, offset: err.offset }, 'partition stopped: a record batch cannot be decoded');
        }
        setHealth({ ok: false, reason: 'undecodable', message: err.message, since: Date.now() });
        return;
      }
      if (err instanceof KafkaUnavailableError || err instanceof KafkaAuthError || err.retriable) {
        if (ps.health.ok)
          setHealth({ ok: false, reason: 'unavailable', message: err.message, since: Date.now() });
        return;
      }
      log.error({ err }, 'partition read failed');
      setHealth({ ok: false, reason: 'unavailable', message: err.message, since: Date.now() });
    },
  };

  /**
   * The next offset is outside the log: retention outran ingest (below the
   * log start) or the log was truncated (above its end). Live subscribers
   * are told what they will never get, then ingest continues at the bound.
   */
  async function reanchor(next: number): Promise<void> {
    try {
      const bounds = (await topic.freshBounds()).find((b) => b.partition === ps.partition);
      if (!bounds || topic.generation !== generation) return;
      if (next < bounds.logStart) {
        log.error({ offset: next, log_start: bounds.logStart }, 'records deleted before ingest read them');
        d.onLiveGap(ps, next, bounds.logStart, 'deleted');
        ps.window.reset(bounds.logStart - 1);
        ps.live = bounds.logStart - 1;
        ps.follow?.seek(bounds.logStart);
      } else if (next > bounds.logEnd) {
        log.error({ offset: next, log_end: bounds.logEnd }, 'partition truncated below what ingest read');
        d.onLiveGap(ps, next, bounds.logEnd, 'ahead-of-log');
        ps.window.reset(bounds.logEnd - 1);
        ps.live = bounds.logEnd - 1;
        ps.follow?.seek(bounds.logEnd);
      } else {
        ps.follow?.seek(next);
      }
    } catch (err) {
      log.warn({ err }, 'cannot read bounds to re-anchor; retrying');
      ps.follow?.seek(next);
    }
  }
}
