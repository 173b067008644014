/**
 * The bounded in-memory window of recent records of one partition, the first
 * replay source (Kafka is the second). A ring buffer: append is amortized
 * O(1), reads binary-search the offset.
 *
 * Coverage: the window "covers" offset `from` when every record of the
 * partition with offset >= `from` that the edge has ingested is still in the
 * window, and the edge has ingested every record from there on. It tracks the
 * smallest such offset ({@link RecordWindow.coveredFrom}): the offset after
 * `startAfter` (the last offset before ingest began) at first, then the offset
 * after the highest evicted record. Offsets are increasing but not dense
 * (compaction, transaction markers), so coverage is not "the first record's
 * offset".
 */
import { ConfigError, SourceError } from './errors.js';

/** What the window needs to know of a record. */
export interface WindowRecord {
  /** Kafka offset; strictly increasing across appends. */
  readonly offset: number;
  /** Memory the record holds (its encoded frame size), counted against `maxBytes`. */
  readonly bytes: number;
}

/** Options of {@link RecordWindow}. */
export interface RecordWindowOptions {
  /** Keep at most this many records (a positive integer). */
  maxRecords: number;
  /** Keep at most this many bytes (sum of `bytes`); a larger record is not kept at all. Positive; may be Infinity. */
  maxBytes: number;
  /**
   * Evict records that have been in the window longer than this, by the
   * injected clock at append time (not the record's Kafka timestamp, which
   * producers set and may skew). Positive; may be Infinity.
   */
  maxAgeMs: number;
  /** The clock, in milliseconds (monotonic preferred). */
  now: () => number;
  /**
   * The last offset before ingest began (e.g. high watermark - 1 when the
   * consumer starts at the latest offset; -1 for a consumer starting at 0).
   * The window then covers from `startAfter + 1` even before its first
   * record. When omitted, coverage starts at the first appended record.
   */
  startAfter?: number;
}

const INITIAL_CAPACITY = 16;

function checkPositive(name: string, v: number, integer: boolean): void {
  if (typeof v !== 'number' || Number.isNaN(v) || v <= 0 || (integer && !Number.isSafeInteger(v))) {
    throw new ConfigError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
}

/** Bounded window of one partition's recent records (see the module doc). */
export class RecordWindow<T extends WindowRecord> {
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #records: (T | undefined)[] = new Array(INITIAL_CAPACITY);
  #addedAt: number[] = new Array(INITIAL_CAPACITY).fill(0);
  #head = 0;
  #count = 0;
  #bytes = 0;
  #coveredFrom: number | null;
  #lastAppended: number | null;

  /** @throws ConfigError on an invalid option. */
  constructor(options: RecordWindowOptions) {
    checkPositive('maxRecords', options.maxRecords, true);
    checkPositive('maxBytes', options.maxBytes, false);
    checkPositive('maxAgeMs', options.maxAgeMs, false);
    if (
      options.startAfter !== undefined &&
      !(Number.isSafeInteger(options.startAfter) && options.startAfter >= -1)
    ) {
      throw new ConfigError(`startAfter must be an integer >= -1, got ${options.startAfter}`);
    }
    this.#maxRecords = options.maxRecords;
    this.#maxBytes = options.maxBytes;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now;
    this.#coveredFrom = options.startAfter === undefined ? null : options.startAfter + 1;
    this.#lastAppended = options.startAfter ?? null;
  }

  /** Number of records held. */
  get size(): number {
    return this.#count;
  }

  /** Sum of the held records' `bytes`. */
  get byteSize(): number {
    return this.#bytes;
  }

  /** Offset of the oldest record held, or null when empty. */
  get firstOffset(): number | null {
    return this.#count === 0 ? null : this.#at(0).offset;
  }

  /** Offset of the newest record held, or null when empty. */
  get lastOffset(): number | null {
    return this.#count === 0 ? null : this.#at(this.#count - 1).offset;
  }

  /**
   * The smallest offset the window covers (see the module doc), or null when
   * unknown (no `startAfter` and nothing appended yet).
   */
  get coveredFrom(): number | null {
    return this.#coveredFrom;
  }

  /**
   * Whether every record with offset >= `fromOffset` is in the window (so a
   * replay from `fromOffset` can be served from memory up to the newest
   * record). True for any offset past the newest record once coverage is known.
   */
  covers(fromOffset: number): boolean {
    return this.#coveredFrom !== null && fromOffset >= this.#coveredFrom;
  }

  /**
   * Adds the partition's next record, then evicts the oldest records past
   * any limit (age first, then count, then bytes: a record larger than
   * `maxBytes` is evicted at once, and coverage moves past it).
   *
   * @throws SourceError (code OFFSET_REGRESSION) when the offset is not above
   *   the previous one (or `startAfter`): the partition was reset; call {@link reset}.
   */
  append(rec: T): void {
    if (!Number.isSafeInteger(rec.offset) || rec.offset < 0) {
      throw new SourceError(`record offset must be a non-negative safe integer, got ${rec.offset}`, {
        code: 'OFFSET_INVALID',
        retriable: false,
      });
    }
    if (this.#lastAppended !== null && rec.offset <= this.#lastAppended) {
      throw new SourceError(`offset ${rec.offset} is not above the previous offset ${this.#lastAppended}`, {
        code: 'OFFSET_REGRESSION',
        retriable: false,
      });
    }
    const now = this.#now();
    this.#evictOlderThan(now);
    while (this.#count >= this.#maxRecords) this.#evictOldest();
    if (this.#count === this.#records.length) this.#grow();
    const slot = (this.#head + this.#count) & (this.#records.length - 1);
    this.#records[slot] = rec;
    this.#addedAt[slot] = now;
    this.#count++;
    this.#bytes += rec.bytes;
    this.#lastAppended = rec.offset;
    if (this.#coveredFrom === null) this.#coveredFrom = rec.offset;
    while (this.#count > 0 && this.#bytes > this.#maxBytes) this.#evictOldest();
  }

  /** Evicts the records older than `maxAgeMs` now. Call it periodically so an idle partition frees memory. */
  evictExpired(): void {
    this.#evictOlderThan(this.#now());
  }

  /**
   * The held records with offset >= `fromOffset`, oldest first, at most
   * `limit` of them. Returns what is held: check {@link covers} first to know
   * whether it is everything from `fromOffset`. O(log n + returned).
   */
  readFrom(fromOffset: number, limit = Number.POSITIVE_INFINITY): T[] {
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#at(mid).offset < fromOffset) lo = mid + 1;
      else hi = mid;
    }
    const n = Math.max(0, Math.min(this.#count - lo, limit));
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.#at(lo + i);
    return out;
  }

  /**
   * Drops the records below `offset`: the partition's log start moved past
   * them (retention, deleteRecords), so no replay may serve them any more.
   * Coverage starts at `offset` at the earliest.
   */
  truncateBefore(offset: number): void {
    while (this.#count > 0 && this.#at(0).offset < offset) this.#evictOldest();
    if (this.#coveredFrom !== null && this.#coveredFrom < offset) this.#coveredFrom = offset;
    if (this.#lastAppended !== null && this.#lastAppended < offset - 1) this.#lastAppended = offset - 1;
  }

  /**
   * Empties the window and restarts coverage after `startAfter` (or at the
   * next record when omitted): for a partition whose offsets went back (a
   * recreated topic) or whose ingest restarted elsewhere.
   */
  reset(startAfter?: number): void {
    this.#records = new Array(INITIAL_CAPACITY);
    this.#addedAt = new Array(INITIAL_CAPACITY).fill(0);
    this.#head = 0;
    this.#count = 0;
    this.#bytes = 0;
    this.#coveredFrom = startAfter === undefined ? null : startAfter + 1;
    this.#lastAppended = startAfter ?? null;
  }

  #at(i: number): T {
    return this.#records[(this.#head + i) & (this.#records.length - 1)]!;
  }

  #evictOlderThan(now: number): void {
    while (this.#count > 0 && now - this.#addedAt[this.#head]! > this.#maxAgeMs) this.#evictOldest();
  }

  #evictOldest(): void {
    const rec = this.#records[this.#head]!;
    this.#records[this.#head] = undefined; // let the frame be collected
    this.#head = (this.#head + 1) & (this.#records.length - 1);
    this.#count--;
    this.#bytes -= rec.bytes;
    this.#coveredFrom = rec.offset + 1;
  }

  #grow(): void {
    const cap = this.#records.length * 2;
    const records = new Array<T | undefined>(cap);
    const addedAt = new Array<number>(cap).fill(0);
    for (let i = 0; i < this.#count; i++) {
      const from = (this.#head + i) & (this.#records.length - 1);
      records[i] = this.#records[from];
      addedAt[i] = this.#addedAt[from]!;
    }
    this.#records = records;
    this.#addedAt = addedAt;
    this.#head = 0;
  }
}
