import type { ScanSource } from '@fanout/core';
import type { EdgeRecord } from '../topic-state.js';
import { toEdgeRecord } from '../topic-state.js';
import type { KafkaLog } from './kafka-log.js';

/**
 * Reads [from, to] of one partition from Kafka for the scan coordinator,
 * encoding each record once for every client the scan serves. Ends early at
 * the partition's high watermark (nothing more to read yet).
 */
export function createScanSource(log: KafkaLog, topic: string, fetchBytes: number): ScanSource<EdgeRecord> {
  return {
    read(partition, from, to, sink) {
      let cancelled = false;
      (async () => {
        let offset = from;
        while (!cancelled && offset <= to) {
          const result = await log.fetch(topic, partition, offset, { maxWaitMs: 0, maxBytes: fetchBytes });
          if (cancelled) return;
          for (const rec of result.records) sink.record(toEdgeRecord(rec));
          if (result.nextOffset <= offset) {
            // Nothing at or after `offset` yet: the log ends here.
            sink.end(offset - 1);
            return;
          }
          offset = result.nextOffset;
        }
        if (!cancelled) sink.end(offset - 1);
      })().catch((err) => {
        if (!cancelled) sink.error(err);
      });
      return {
        cancel() {
          cancelled = true;
        },
      };
    },
  };
}
