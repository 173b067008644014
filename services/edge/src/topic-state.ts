import { RecordWindow, ScanCoordinator, type WindowRecord, keyChannelName } from '@fanout/core';
import { encodeLivePublication } from '@fanout/protocol';
import type { KafkaLog, LogRecord, PartitionBounds } from './kafka/kafka-log.js';
import { createScanSource } from './kafka/scan-source.js';

/** A record as the edge keeps it: encoded once, shared by live delivery, the window and replays. */
export interface EdgeRecord extends WindowRecord {
  offset: number;
  bytes: number;
  /** The live frame: encoded once, the same bytes for every live subscriber. */
  frame: Uint8Array;
  /** The Publication message inside `frame` (a view, no copy), wrapped for replays. */
  pub: Uint8Array;
  /** The `<topic>:<key>` channel of the record, or null (no key, or a key that is not UTF-8). */
  keyName: string | null;
  /**
   * The last replayed frame made of this record (publication + channel). All
   * clients resuming the same channel share it, so a reconnect storm wraps
   * each record once per channel, not once per client. At most doubles a
   * replayed record's memory while it stays in the window.
   */
  replay?: { channel: string; frame: Uint8Array };
}

const EMPTY = new Uint8Array(0);

/** Encodes a Kafka record into the edge's shared form. */
export function toEdgeRecord(rec: LogRecord): EdgeRecord {
  const { frame, publication } = encodeLivePublication({
    topic: rec.topic,
    partition: rec.partition,
    offset: rec.offset,
    key: rec.key,
    headers: rec.headers,
    timestampMs: rec.timestampMs,
    payload: rec.value ?? EMPTY,
  });
  return {
    offset: rec.offset,
    bytes: frame.length,
    frame,
    pub: publication,
    keyName: keyChannelName(rec.topic, rec.key),
  };
}

/** One partition as this edge sees it. */
export class PartitionState {
  /** The last offset published live (-1: none). Everything up to it went to live subscribers. */
  live: number;
  readonly window: RecordWindow<EdgeRecord>;
  #waiters = new Set<() => void>();

  constructor(
    readonly topic: string,
    readonly partition: number,
    startAfter: number,
    window: { maxRecords: number; maxBytes: number; maxAgeMs: number },
    now: () => number,
  ) {
    this.live = startAfter;
    this.window = new RecordWindow<EdgeRecord>({ ...window, now, startAfter });
  }

  /** Resolves when `live` advances (or after `timeoutMs`). */
  advanced(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
    });
  }

  notify(): void {
    for (const w of [...this.#waiters]) w();
  }
}

/** One served topic: its partitions, shared Kafka scans and cached bounds. */
export class TopicState {
  readonly partitions = new Map<number, PartitionState>();
  readonly scans: ScanCoordinator<EdgeRecord>;
  #bounds: { at: number; value: Promise<PartitionBounds[]> } | undefined;

  constructor(
    readonly name: string,
    private readonly log: KafkaLog,
    fetchBytes: number,
  ) {
    this.scans = new ScanCoordinator<EdgeRecord>({ source: createScanSource(log, name, fetchBytes) });
  }

  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Per partition, the first offset at or after `timestampMs` (the log end when none). */
  offsetsForTimestamp(timestampMs: number): Promise<Array<{ partition: number; offset: number }>> {
    return this.log.offsetsForTimestamp(this.name, timestampMs);
  }

  /** The partitions' bounds, shared by concurrent callers and cached for `maxAgeMs`. */
  bounds(maxAgeMs = 1000): Promise<PartitionBounds[]> {
    const now = Date.now();
    if (!this.#bounds || now - this.#bounds.at > maxAgeMs) {
      const value = this.log.bounds(this.name);
      this.#bounds = { at: now, value };
      value.catch(() => {
        if (this.#bounds?.value === value) this.#bounds = undefined;
      });
    }
    return this.#bounds.value;
  }

  invalidateBounds(): void {
    this.#bounds = undefined;
  }
}
