import type { Logger } from 'pino';
import type { KafkaLog } from './kafka/kafka-log.js';
import { OffsetOutOfRangeError } from './kafka/kafka-log.js';
import type { IngestReport } from './metrics.js';
import { type PartitionState, toEdgeRecord } from './topic-state.js';

/** Where ingested frames go: uWS pub/sub, by channel name. */
export interface Publisher {
  publish(topic: string, frame: Uint8Array): void;
}

/** Options of `runIngest`. */
export interface IngestOptions {
  log: KafkaLog;
  partition: PartitionState;
  publisher: Publisher;
  logger: Logger;
  fetchBytes: number;
  /** Called after every batch with the bytes published (drives the slow-client sweep). */
  onBatch(bytes: number, records: number): void;
  isStopped(): boolean;
  /** Told whether the last fetch reached Kafka. */
  onHealth(ok: boolean): void;
  /** Told once per successful fetch what it published (metrics; never per socket). */
  onFetched?(report: IngestReport): void;
}

/**
 * Reads one partition from the edge's start position forever and publishes
 * every record live: ONE encoded frame per record, handed to uWS pub/sub for
 * `<topic>` and, when the record has a UTF-8 key, `<topic>:<key>`. No
 * per-connection work happens here; a slow client costs ingest nothing.
 */
export async function runIngest(o: IngestOptions): Promise<void> {
  const ps = o.partition;
  const log = o.logger.child({ component: 'ingest', topic: ps.topic, partition: ps.partition });
  let next = ps.live + 1;
  let failures = 0;
  while (!o.isStopped()) {
    try {
      const result = await o.log.fetch(ps.topic, ps.partition, next, {
        maxWaitMs: 500,
        maxBytes: o.fetchBytes,
      });
      if (o.isStopped()) return;
      failures = 0;
      o.onHealth(true);
      let bytes = 0;
      let publishes = 0;
      let publishedBytes = 0;
      for (const rec of result.records) {
        const edgeRecord = toEdgeRecord(rec);
        ps.window.append(edgeRecord);
        const frame = edgeRecord.frame;
        ps.live = rec.offset;
        o.publisher.publish(ps.topic, frame);
        publishes++;
        publishedBytes += frame.length;
        if (edgeRecord.keyName) {
          o.publisher.publish(edgeRecord.keyName, frame);
          publishes++;
          publishedBytes += frame.length;
        }
        bytes += frame.length;
      }
      if (result.nextOffset > next) {
        // Control records and aborted transactions still advance the position.
        next = result.nextOffset;
        ps.live = next - 1;
      }
      o.onFetched?.({
        topic: ps.topic,
        partition: ps.partition,
        records: result.records,
        publishes,
        bytes: publishedBytes,
        highWatermark: result.highWatermark,
        publishedAtMs: Date.now(),
      });
      if (result.records.length > 0 || bytes > 0) o.onBatch(bytes, result.records.length);
      ps.notify();
    } catch (err) {
      if (o.isStopped()) return;
      if (err instanceof OffsetOutOfRangeError) {
        // The records we were about to read are gone (retention faster than
        // ingest) or the log was truncated/recreated. Re-anchor at the log
        // start; the window no longer covers the gap, so resumes across it
        // go to Kafka and get ContinuityLost there.
        const bounds = (await o.log.bounds(ps.topic).catch(() => [])).find(
          (b) => b.partition === ps.partition,
        );
        const restart = bounds ? (next < bounds.logStart ? bounds.logStart : bounds.logEnd) : next;
        log.error({ offset: next, restart_offset: restart }, 'ingest offset out of range; re-anchoring');
        ps.window.reset(restart - 1);
        next = restart;
        ps.live = restart - 1;
        continue;
      }
      failures++;
      o.onHealth(false);
      if (failures === 1 || failures % 20 === 0) log.warn({ err, failures }, 'ingest fetch failed; retrying');
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** Math.min(failures, 5), 2000)));
    }
  }
}
