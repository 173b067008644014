import { type Channel, RecordWindow, ScanCoordinator, type WindowRecord, keyChannelName } from '@fanout/core';
import { type FrameAllocator, encodeLivePublication } from '@fanout/protocol';
import { FrameSlab } from './frame-slab.js';
import type { Follow, KafkaLog, LogRecord, PartitionBounds } from './kafka/kafka-log.js';
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
  /** `keyName`'s UTF-8, what live delivery hands uWS publish (a string would be converted per call). */
  keyTopic: Uint8Array | null;
  /**
   * The last replayed frame made of this record (publication + channel). All
   * clients resuming the same channel share it, so a reconnect storm wraps
   * each record once per channel, not once per client. At most doubles a
   * replayed record's memory while it stays in the window.
   */
  replay?: { channel: string; frame: Uint8Array };
}

const EMPTY = new Uint8Array(0);

/** Encodes a Kafka record into the edge's shared form (its frame from `alloc`: a partition's slab for the window). */
export function toEdgeRecord(rec: LogRecord, alloc?: FrameAllocator): EdgeRecord {
  const { frame, publication } = encodeLivePublication(
    {
      topic: rec.topic,
      partition: rec.partition,
      offset: rec.offset,
      key: rec.key,
      headers: rec.headers,
      timestampMs: rec.timestampMs,
      payload: rec.value ?? EMPTY,
    },
    alloc,
  );
  const keyName = keyChannelName(rec.topic, rec.key);
  return {
    offset: rec.offset,
    bytes: frame.length,
    frame,
    pub: publication,
    keyName,
    // A key that decodes as strict UTF-8 is its own UTF-8: `<topic>:<key>` by copying bytes.
    keyTopic: keyName === null || rec.key === null ? null : keyTopicBytes(rec.topic, rec.key, alloc),
  };
}

/** UTF-8 of the topic names records come from (few per process). */
const topicUtf8 = new Map<string, Uint8Array>();
const encoder = new TextEncoder();

/** The UTF-8 of a topic name, encoded once. */
export function topicBytes(topic: string): Uint8Array {
  let b = topicUtf8.get(topic);
  if (!b) {
    b = encoder.encode(topic);
    if (topicUtf8.size < 4096) topicUtf8.set(topic, b);
  }
  return b;
}

function keyTopicBytes(topic: string, key: Uint8Array, alloc: FrameAllocator | undefined): Uint8Array {
  const t = topicBytes(topic);
  const n = t.length + 1 + key.length;
  const out = alloc ? alloc(n) : new Uint8Array(n);
  out.set(t, 0);
  out[t.length] = 0x3a; // ':'
  out.set(key, t.length + 1);
  return out;
}

/** Whether a partition's ingest is reading (`ok`) or why not. */
export type PartitionHealth =
  | { ok: true }
  | { ok: false; reason: 'unavailable' | 'undecodable' | 'topic-changed'; message: string; since: number };

/** One partition as this edge sees it. */
export class PartitionState {
  /** The last offset published live (-1: none). Everything up to it went to live subscribers. */
  live: number;
  /** The partition's log start as last seen (every fetch reports it); the window never holds records below it. */
  logStart = 0;
  health: PartitionHealth = { ok: true };
  /** The ingest's follow of this partition (set by the topic registry). */
  follow: Follow | undefined;
  readonly window: RecordWindow<EdgeRecord>;
  /** Where the frames of the records this partition's window keeps are allocated (see FrameSlab). */
  readonly frames = new FrameSlab();
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

  /** The log start moved (retention, deleteRecords): the window drops what is gone. */
  logStartAt(offset: number): void {
    if (offset <= this.logStart) return;
    this.logStart = offset;
    this.window.truncateBefore(offset);
  }
}

/**
 * What the shared scans keep of what they read, per topic: a reconnect storm's
 * resumes arrive over seconds, and each one after the first is served from
 * these records instead of a Kafka read of its own (see the scan
 * coordinator). Bounded in bytes (frames) and dropped after a few idle seconds.
 */
const SCAN_KEEP = { maxBytes: 8 * 1024 * 1024, idleMs: 5000 } as const;

function newScans(log: KafkaLog, topic: string, fetchBytes: number): ScanCoordinator<EdgeRecord> {
  return new ScanCoordinator<EdgeRecord>({
    source: createScanSource(log, topic, fetchBytes),
    keep: { ...SCAN_KEEP, sizeOf: (r) => r.bytes, now: Date.now },
  });
}

/** One served topic: its partitions, shared Kafka scans and bounds. */
export class TopicState {
  readonly partitions = new Map<number, PartitionState>();
  scans: ScanCoordinator<EdgeRecord>;
  /** The topic's Kafka id ('' where the cluster has none): a new id means the topic was recreated. */
  id: string;
  /** Bumped when the topic is recreated: a catch-up that awaited across it starts over. */
  generation = 0;
  /** The whole-topic channel, shared by every subscription to it (one object, not one per connection). */
  readonly channel: Channel;
  #inflight: Promise<PartitionBounds[]> | undefined;
  #queued: { promise: Promise<PartitionBounds[]> } | undefined;
  #last: { at: number; value: PartitionBounds[] } | undefined;

  constructor(
    readonly name: string,
    id: string,
    private readonly log: KafkaLog,
    private readonly fetchBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    this.id = id;
    this.channel = { name, topic: name, key: null };
    this.scans = newScans(log, name, fetchBytes);
  }

  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Partition numbers, ascending. */
  partitionList(): number[] {
    return [...this.partitions.keys()].sort((a, b) => a - b);
  }

  /** Per partition, the first offset at or after `timestampMs` (the log end when none). */
  offsetsForTimestamp(timestampMs: number): Promise<Array<{ partition: number; offset: number }>> {
    return this.log.offsetsForTimestamp(this.name, timestampMs);
  }

  /**
   * Bounds read from Kafka after this call (never an answer from before it,
   * since a log start can move at any time). Callers share requests: one
   * not yet sent is joined, and while one is in flight the next is queued
   * for everyone who asks meanwhile, so a storm of resumes costs at most two
   * ListOffsets rounds at a time.
   */
  freshBounds(): Promise<PartitionBounds[]> {
    if (this.#queued) return this.#queued.promise;
    if (!this.#inflight) return this.#request();
    let resolve!: (b: PartitionBounds[]) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<PartitionBounds[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#queued = { promise };
    const run = () => {
      this.#queued = undefined;
      this.#request().then(resolve, reject);
    };
    this.#inflight.then(run, run);
    return promise;
  }

  /** Bounds at most `maxAgeMs` old (for decisions that a stale answer cannot change). */
  bounds(maxAgeMs = 1000): Promise<PartitionBounds[]> {
    const last = this.#last;
    if (last && this.now() - last.at <= maxAgeMs) return Promise.resolve(last.value);
    return this.freshBounds();
  }

  #request(): Promise<PartitionBounds[]> {
    const at = this.now();
    const generation = this.generation;
    const value = this.log.bounds(this.name).then((bounds) => {
      if (generation !== this.generation) return bounds; // an answer about the topic before it was recreated
      for (const b of bounds) this.partitions.get(b.partition)?.logStartAt(b.logStart);
      if (!this.#last || this.#last.at <= at) this.#last = { at, value: bounds };
      return bounds;
    });
    this.#inflight = value;
    const clear = () => {
      if (this.#inflight === value) this.#inflight = undefined;
    };
    value.then(clear, clear);
    return value;
  }

  /** The topic was deleted and created again under the same name: new id, scans of the old one dropped. */
  recreated(id: string): void {
    this.id = id;
    this.generation++;
    this.scans.close();
    this.scans = newScans(this.log, this.name, this.fetchBytes);
    this.#last = undefined;
  }
}
