/**
 * Shared Kafka reads for replay. When an edge dies, all its clients resume on
 * the others at once, mostly from nearby offsets of the same partitions. The
 * coordinator serves them with as few reads as it can: at most one scan per
 * partition at a time, each scan covering the ranges of every request
 * waiting when it starts, each record handed to every request whose range
 * holds it.
 *
 * ## Contract with the source
 *
 * `source.read(partition, from, to, sink)` starts reading the partition at
 * `from` and calls, asynchronously or not:
 * - `sink.record(r)` for each record, in increasing offset order (records
 *   past `to` are allowed: a batch may overshoot; duplicates are ignored);
 * - then exactly one of `sink.end(lastOffsetRead)` (every record in
 *   [from, lastOffsetRead] was delivered; normally lastOffsetRead >= to, e.g.
 *   a kafkajs batch's `lastOffset()`: offsets are not dense, so the last
 *   record may lie before `to`) or `sink.error(err)`.
 * The returned handle's `cancel()` stops the read; the sink may still be
 * called afterwards (it is ignored) and `cancel()` may come after the end.
 * A kafkajs adapter: per read, seek the partition to `from`, resume it, in
 * `eachBatch` call `record` per message and, once `batch.lastOffset() >= to`,
 * `end(batch.lastOffset())` and pause the partition; `cancel` pauses it.
 *
 * ## Requests
 *
 * A request asks for every record in [from, to] of one partition (the whole
 * partition: a key channel filters by key in `onRecord`). It receives them in
 * order through `onRecord`, then `onDone()` once everything up to `to` was
 * delivered: its position is then `to`. On a source error it gets
 * `onError(err)` after having received an in-order prefix: re-plan from the
 * last record delivered. Callbacks must not throw; one that throws cancels
 * its request, which then gets `onError` with the thrown value.
 *
 * A request arriving while its partition is being scanned joins that scan
 * when its `from` is at or past the scan's next offset and not past the
 * scan's `to`; if it needs more than the scan reads, the rest is served by the
 * next scan. Otherwise it waits for the next scan, which starts once the
 * current one ends. Scans start through the injected `schedule` (default
 * `queueMicrotask`), so requests made in the same tick share the first scan.
 *
 * ## Keeping what was read (`keep`)
 *
 * Resumes of a storm do not arrive in one tick: they come over seconds (each
 * after its own session read and fresh log bounds), mostly from the same
 * offsets. Without memory, each request arriving after a scan passed its
 * `from` waits for a scan of its own range again: one scan per wave of
 * arrivals, the same records read from Kafka tens of times. With `keep`,
 * the coordinator keeps, per partition, one segment of what its scans read:
 * every record of [segment from, segment to], in order. A request starting
 * in a segment is served from it (in a scheduled task, never in the caller's
 * stack), then continues like a request starting at `segment to + 1`: it
 * joins the running scan (which extends the segment as it reads) or waits
 * for the next. A scan that does not start inside or just after the
 * partition's segment starts a new segment, replacing it. Segments are
 * bounded by `keep.maxBytes` over all partitions (oldest records first) and
 * dropped after `keep.idleMs` unused ({@link ScanCoordinator.expire}, also
 * on each request). Kafka records at an offset never change, so a kept
 * record is the one a new scan would read (a record deleted meanwhile by
 * retention was still delivered in order: nothing is lost).
 */
import { SourceError } from './errors.js';

/** What the coordinator needs to know of a record. */
export interface ScanRecord {
  /** Kafka offset. */
  readonly offset: number;
}

/** Where a source delivers one read (see the module doc for the contract). */
export interface ScanSink<R> {
  /** One record, in increasing offset order. */
  record(rec: R): void;
  /** The read is complete: every record in [from, lastOffsetRead] was delivered. */
  end(lastOffsetRead: number): void;
  /** The read failed; no further calls. */
  error(err: unknown): void;
}

/** A running read. */
export interface ScanHandle {
  /** Stops the read; idempotent, harmless after the end. */
  cancel(): void;
}

/** Reads ranges of partitions of one topic (the Kafka adapter). */
export interface ScanSource<R> {
  /** Starts reading `partition` from `from` up to at least `to` (inclusive) into `sink`. */
  read(partition: number, from: number, to: number, sink: ScanSink<R>): ScanHandle;
}

/** One client's need: every record of a partition in [from, to]. */
export interface ScanRequest<R> {
  /** Free-form identifier, for the caller's logs. */
  readonly id?: string;
  /** First offset wanted (>= 0). */
  readonly from: number;
  /** Last offset wanted, inclusive (>= from). */
  readonly to: number;
  /** One record in [from, to], in offset order. */
  onRecord(rec: R): void;
  /** Every record in [from, to] was delivered. */
  onDone(): void;
  /** The read failed after an in-order prefix of the records (or a callback threw). */
  onError(err: unknown): void;
}

/** Options of {@link ScanCoordinator}. */
export interface ScanCoordinatorOptions<R> {
  /** The Kafka reader, bound to one topic. */
  source: ScanSource<R>;
  /** Runs a task soon (starts scans outside the caller's stack). Default `queueMicrotask`. */
  schedule?: (task: () => void) => void;
  /** Keep what scans read for later requests (see the module doc). Default: keep nothing. */
  keep?: ScanKeepOptions<R>;
}

/** Bounds of the records a coordinator keeps after its scans (see the module doc). */
export interface ScanKeepOptions<R> {
  /** Most bytes (by `sizeOf`) kept over all partitions; the oldest records go first. */
  maxBytes: number;
  /** A partition's segment unused (no record added, no request served) this long is dropped. */
  idleMs: number;
  /** A record's size in bytes, for `maxBytes`. */
  sizeOf(rec: R): number;
  /** The clock (ms), for `idleMs` (the edge passes `Date.now`). */
  now: () => number;
}

/** Counters, for metrics and the benchmark's read amplification. */
export interface ScanStats {
  /** Scans started since creation. */
  scansStarted: number;
  /** Records received from the source (after dropping duplicates). */
  recordsRead: number;
  /** Records handed to requests (`onRecord` calls). */
  recordsDelivered: number;
  /** Scans running now. */
  activeScans: number;
  /** Requests waiting for a scan now. */
  waitingRequests: number;
  /** Records handed to requests from kept segments instead of a scan (included in `recordsDelivered`). */
  recordsFromKept: number;
  /** Records kept now, over all partitions. */
  keptRecords: number;
  /** Bytes kept now (by `keep.sizeOf`). */
  keptBytes: number;
}

interface Entry<R> {
  readonly req: ScanRequest<R>;
  from: number;
  readonly to: number;
  done: boolean;
}

interface Scan<R> {
  readonly from: number;
  readonly to: number;
  next: number;
  readonly attached: Set<Entry<R>>;
  handle: ScanHandle | null;
  finished: boolean;
  cancelRequested: boolean;
  /** The segment this scan extends (when keeping). */
  readonly kept: Segment<R> | null;
}

interface PartitionState<R> {
  readonly partition: number;
  readonly waiting: Set<Entry<R>>;
  /** Requests to serve from the kept segment (in a scheduled task). */
  readonly fromKept: Set<Entry<R>>;
  scan: Scan<R> | null;
  startScheduled: boolean;
  flushScheduled: boolean;
}

/** Every record of one partition in [from, to], oldest first, from `records[head]` on. */
interface Segment<R> {
  from: number;
  to: number;
  readonly records: R[];
  head: number;
  bytes: number;
  usedAt: number;
}

/** Shares Kafka range reads among concurrent replay requests of one topic (see the module doc). */
export class ScanCoordinator<R extends ScanRecord> {
  readonly #source: ScanSource<R>;
  readonly #schedule: (task: () => void) => void;
  readonly #partitions = new Map<number, PartitionState<R>>();
  readonly #keep: ScanKeepOptions<R> | undefined;
  readonly #now: () => number = () => 0;
  readonly #kept = new Map<number, Segment<R>>();
  #keptBytes = 0;
  #closed = false;
  #scansStarted = 0;
  #recordsRead = 0;
  #recordsDelivered = 0;
  #recordsFromKept = 0;

  constructor(options: ScanCoordinatorOptions<R>) {
    this.#source = options.source;
    this.#schedule = options.schedule ?? ((task) => queueMicrotask(task));
    const keep = options.keep;
    if (keep !== undefined) {
      if (!(keep.maxBytes >= 0) || !(keep.idleMs >= 0))
        throw new RangeError(`bad keep bounds (maxBytes ${keep.maxBytes}, idleMs ${keep.idleMs})`);
      this.#keep = keep;
      this.#now = keep.now;
    }
  }

  /** A snapshot of the counters. */
  get stats(): ScanStats {
    let activeScans = 0;
    let waitingRequests = 0;
    for (const st of this.#partitions.values()) {
      if (st.scan !== null) activeScans++;
      waitingRequests += st.waiting.size;
    }
    let keptRecords = 0;
    for (const k of this.#kept.values()) keptRecords += k.records.length - k.head;
    return {
      scansStarted: this.#scansStarted,
      recordsRead: this.#recordsRead,
      recordsDelivered: this.#recordsDelivered,
      activeScans,
      waitingRequests,
      recordsFromKept: this.#recordsFromKept,
      keptRecords,
      keptBytes: this.#keptBytes,
    };
  }

  /** Drops kept segments unused for `keep.idleMs` (call it now and then; requests call it too). */
  expire(now = this.#now()): void {
    const keep = this.#keep;
    if (keep === undefined) return;
    for (const [p, k] of this.#kept) {
      if (now - k.usedAt <= keep.idleMs) continue;
      const st = this.#partitions.get(p);
      if (st?.scan?.kept === k && !st.scan.finished) continue; // being extended right now
      this.#dropSegment(p, k);
    }
  }

  /**
   * Asks for every record of `partition` in [req.from, req.to]. The returned
   * handle's `cancel()` withdraws the request (no further callbacks); a scan
   * nobody needs any more is cancelled.
   *
   * @throws RangeError for a bad partition or range; SourceError (CLOSED) after {@link close}.
   */
  request(partition: number, req: ScanRequest<R>): { cancel(): void } {
    if (this.#closed)
      throw new SourceError('scan coordinator is closed', { code: 'CLOSED', retriable: true });
    if (!Number.isSafeInteger(partition) || partition < 0) throw new RangeError(`bad partition ${partition}`);
    if (
      !Number.isSafeInteger(req.from) ||
      !Number.isSafeInteger(req.to) ||
      req.from < 0 ||
      req.to < req.from
    ) {
      throw new RangeError(`bad range [${req.from}, ${req.to}]`);
    }
    this.expire();
    let st = this.#partitions.get(partition);
    if (st === undefined) {
      st = {
        partition,
        waiting: new Set(),
        fromKept: new Set(),
        scan: null,
        startScheduled: false,
        flushScheduled: false,
      };
      this.#partitions.set(partition, st);
    }
    const entry: Entry<R> = { req, from: req.from, to: req.to, done: false };
    const scan = st.scan;
    const k = this.#kept.get(partition);
    if (scan !== null && entry.from >= scan.next && entry.from <= scan.to) scan.attached.add(entry);
    else if (k !== undefined && entry.from >= k.from && entry.from <= k.to) {
      st.fromKept.add(entry);
      this.#ensureFlush(st);
    } else {
      st.waiting.add(entry);
      this.#ensureStart(st);
    }
    const state = st;
    return { cancel: () => this.#cancelEntry(state, entry) };
  }

  /**
   * Stops everything: cancels running scans and fails every request with
   * `err` (default SourceError CLOSED, retriable). Later requests throw.
   */
  close(
    err: unknown = new SourceError('scan coordinator closed', { code: 'CLOSED', retriable: true }),
  ): void {
    this.#closed = true;
    for (const st of this.#partitions.values()) {
      const entries = [...(st.scan?.attached ?? []), ...st.waiting, ...st.fromKept];
      if (st.scan !== null) this.#stopScan(st.scan);
      st.scan = null;
      st.waiting.clear();
      st.fromKept.clear();
      for (const e of entries) this.#fail(e, err);
    }
    this.#partitions.clear();
    this.#kept.clear();
    this.#keptBytes = 0;
  }

  #ensureFlush(st: PartitionState<R>): void {
    if (st.flushScheduled) return;
    st.flushScheduled = true;
    this.#schedule(() => {
      st.flushScheduled = false;
      this.#flushKept(st);
    });
  }

  /** Serves the requests that started in the kept segment, then lets each go on like any other. */
  #flushKept(st: PartitionState<R>): void {
    if (this.#closed) return;
    const entries = [...st.fromKept];
    st.fromKept.clear();
    for (const e of entries) {
      if (e.done || this.#serveKept(st.partition, e)) continue;
      const scan = st.scan;
      if (scan !== null && e.from >= scan.next && e.from <= scan.to) scan.attached.add(e);
      else st.waiting.add(e);
    }
    this.#afterScan(st);
  }

  /**
   * Hands `e` the kept records from its `from` on and moves its `from` past
   * the segment. Returns whether `e` is over (done, or failed in a callback).
   */
  #serveKept(partition: number, e: Entry<R>): boolean {
    const k = this.#kept.get(partition);
    if (k === undefined || e.from < k.from || e.from > k.to) return false;
    k.usedAt = this.#now();
    const to = k.to;
    const records = k.records;
    const end = records.length;
    // The first kept record at or after e.from (records are in offset order).
    let lo = k.head;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((records[mid] as R).offset < e.from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < end && !e.done; i++) {
      const rec = records[i] as R;
      if (rec.offset > e.to) break;
      this.#recordsDelivered++;
      this.#recordsFromKept++;
      try {
        e.req.onRecord(rec);
      } catch (err) {
        this.#fail(e, err);
        return true;
      }
    }
    if (e.done) return true;
    if (e.to <= to) {
      this.#finish(e);
      return true;
    }
    e.from = to + 1;
    return false;
  }

  #ensureStart(st: PartitionState<R>): void {
    if (st.scan !== null || st.startScheduled || st.waiting.size === 0) return;
    st.startScheduled = true;
    this.#schedule(() => {
      st.startScheduled = false;
      this.#startScan(st);
    });
  }

  #startScan(st: PartitionState<R>): void {
    if (this.#closed || st.scan !== null) return;
    // What the kept segment holds is not read again (it may have grown while these waited).
    if (this.#kept.has(st.partition))
      for (const e of [...st.waiting]) if (e.done || this.#serveKept(st.partition, e)) st.waiting.delete(e);
    if (this.#closed || st.scan !== null) return;
    if (st.waiting.size === 0) {
      this.#forgetIfIdle(st);
      return;
    }
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const e of st.waiting) {
      from = Math.min(from, e.from);
      to = Math.max(to, e.to);
    }
    const scan: Scan<R> = {
      from,
      to,
      next: from,
      attached: new Set(st.waiting),
      handle: null,
      finished: false,
      cancelRequested: false,
      kept: this.#segmentFor(st.partition, from),
    };
    st.waiting.clear();
    st.scan = scan;
    this.#scansStarted++;
    const sink: ScanSink<R> = {
      record: (rec) => this.#onRecord(st, scan, rec),
      end: (last) => this.#onEnd(st, scan, last),
      error: (err) => this.#onError(st, scan, err),
    };
    let handle: ScanHandle;
    try {
      handle = this.#source.read(st.partition, from, to, sink);
    } catch (err) {
      this.#onError(st, scan, err);
      return;
    }
    scan.handle = handle;
    if (scan.cancelRequested) handle.cancel();
  }

  #onRecord(st: PartitionState<R>, scan: Scan<R>, rec: R): void {
    if (scan.finished || rec.offset < scan.next) return;
    scan.next = rec.offset + 1;
    this.#recordsRead++;
    if (scan.kept !== null) this.#keepRecord(st.partition, scan.kept, rec);
    // Iterating the live set is safe: entries removed meanwhile are skipped,
    // entries joining meanwhile have from > rec.offset.
    for (const e of scan.attached) {
      if (e.done) continue;
      if (rec.offset >= e.from && rec.offset <= e.to) {
        this.#recordsDelivered++;
        try {
          e.req.onRecord(rec);
        } catch (err) {
          scan.attached.delete(e);
          this.#fail(e, err);
          continue;
        }
      }
      if (rec.offset >= e.to && !e.done) {
        scan.attached.delete(e);
        this.#finish(e);
      }
    }
    if (scan.attached.size === 0 && !scan.finished) this.#abandon(st, scan);
  }

  #onEnd(st: PartitionState<R>, scan: Scan<R>, lastOffsetRead: number): void {
    if (scan.finished) return;
    scan.finished = true;
    st.scan = null;
    const reached = Math.max(Number.isSafeInteger(lastOffsetRead) ? lastOffsetRead : -1, scan.next - 1);
    const progressed = reached >= scan.from;
    // Every record of [scan.from, reached] was read: the segment this scan extends covers it.
    const k = scan.kept;
    if (k !== null && this.#kept.get(st.partition) === k && reached > k.to) {
      k.to = reached;
      k.usedAt = this.#now();
    }
    for (const e of scan.attached) {
      if (e.done) continue;
      if (e.to <= reached) this.#finish(e);
      else if (progressed) {
        e.from = Math.max(e.from, reached + 1);
        st.waiting.add(e);
      } else {
        this.#fail(
          e,
          new SourceError(`scan of partition ${st.partition} from ${scan.from} ended without progress`, {
            code: 'SCAN_NO_PROGRESS',
          }),
        );
      }
    }
    scan.attached.clear();
    this.#afterScan(st);
  }

  #onError(st: PartitionState<R>, scan: Scan<R>, err: unknown): void {
    if (scan.finished) return;
    scan.finished = true;
    st.scan = null;
    for (const e of scan.attached) this.#fail(e, err);
    scan.attached.clear();
    this.#afterScan(st);
  }

  #cancelEntry(st: PartitionState<R>, e: Entry<R>): void {
    if (e.done) return;
    e.done = true;
    st.waiting.delete(e);
    st.fromKept.delete(e);
    const scan = st.scan;
    if (scan?.attached.delete(e) && scan.attached.size === 0) this.#abandon(st, scan);
    else this.#forgetIfIdle(st);
  }

  /** Nobody needs the running scan any more: stop it and serve the waiting requests. */
  #abandon(st: PartitionState<R>, scan: Scan<R>): void {
    this.#stopScan(scan);
    if (st.scan === scan) st.scan = null;
    this.#afterScan(st);
  }

  #stopScan(scan: Scan<R>): void {
    scan.finished = true;
    if (scan.handle !== null) scan.handle.cancel();
    else scan.cancelRequested = true;
  }

  #afterScan(st: PartitionState<R>): void {
    if (st.waiting.size > 0) this.#ensureStart(st);
    else this.#forgetIfIdle(st);
  }

  #forgetIfIdle(st: PartitionState<R>): void {
    if (
      st.scan === null &&
      st.waiting.size === 0 &&
      st.fromKept.size === 0 &&
      !st.startScheduled &&
      !st.flushScheduled &&
      this.#partitions.get(st.partition) === st
    ) {
      this.#partitions.delete(st.partition);
    }
  }

  /**
   * The segment a scan from `from` extends: the partition's own when the scan
   * starts inside it or just after it, else a new one replacing it. Null when
   * not keeping.
   */
  #segmentFor(partition: number, from: number): Segment<R> | null {
    if (this.#keep === undefined) return null;
    const k = this.#kept.get(partition);
    if (k !== undefined && from >= k.from && from <= k.to + 1) return k;
    if (k !== undefined) this.#dropSegment(partition, k);
    const fresh: Segment<R> = { from, to: from - 1, records: [], head: 0, bytes: 0, usedAt: this.#now() };
    this.#kept.set(partition, fresh);
    return fresh;
  }

  /** A scan extending `k` read `rec` (the next record of the partition after every one before it). */
  #keepRecord(partition: number, k: Segment<R>, rec: R): void {
    const keep = this.#keep;
    if (keep === undefined || this.#kept.get(partition) !== k || rec.offset <= k.to) return;
    k.records.push(rec);
    k.to = rec.offset;
    const size = keep.sizeOf(rec);
    k.bytes += size;
    this.#keptBytes += size;
    k.usedAt = this.#now();
    if (this.#keptBytes > keep.maxBytes) this.#shrink(partition, k);
  }

  /** Over `keep.maxBytes`: other partitions' segments go first (least recently used), then `k`'s oldest records. */
  #shrink(partition: number, k: Segment<R>): void {
    const keep = this.#keep as ScanKeepOptions<R>;
    while (this.#keptBytes > keep.maxBytes) {
      let lru: [number, Segment<R>] | undefined;
      for (const entry of this.#kept)
        if (entry[1] !== k && (lru === undefined || entry[1].usedAt < lru[1].usedAt)) lru = entry;
      if (lru === undefined) break;
      this.#dropSegment(lru[0], lru[1]);
    }
    while (this.#keptBytes > keep.maxBytes && k.head < k.records.length) {
      const old = k.records[k.head] as R;
      k.head++;
      const size = keep.sizeOf(old);
      k.bytes -= size;
      this.#keptBytes -= size;
      k.from = old.offset + 1;
    }
    if (k.head > 1024 && k.head * 2 > k.records.length) {
      k.records.splice(0, k.head);
      k.head = 0;
    }
  }

  #dropSegment(partition: number, k: Segment<R>): void {
    if (this.#kept.get(partition) !== k) return;
    this.#kept.delete(partition);
    this.#keptBytes -= k.bytes;
    k.bytes = 0;
  }

  #finish(e: Entry<R>): void {
    if (e.done) return;
    e.done = true;
    try {
      e.req.onDone();
    } catch {
      // The request is over either way; a throwing onDone has nothing left to cancel.
    }
  }

  #fail(e: Entry<R>, err: unknown): void {
    if (e.done) return;
    e.done = true;
    try {
      e.req.onError(err);
    } catch {
      // Nothing more to tell a request whose error handler throws.
    }
  }
}
