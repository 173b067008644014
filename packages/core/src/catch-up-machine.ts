/**
 * The catch-up of one subscription as a pure state machine: from its
 * positions to live delivery, with no gap and no duplicate, or an explicit
 * continuity loss naming exactly the range lost.
 *
 * The shell (the edge's `catch-up.ts`) loops: `effect = machine.next(view)`,
 * executes the effect, feeds the outcome back through one input method,
 * and asks again. `next` reads the partitions through a read-only
 * {@link CatchUpView} synchronously, so a `join` effect is decided and
 * executed in one synchronous step (see `replay-planner.ts`, the switch-over).
 *
 * Rules that make it terminate and stay exact:
 * - Every effect either waits on something outside (bounds, a scan, ingest,
 *   a drain, a backoff, a yield to the event loop) or advances a position.
 *   A decision that would do neither is a {@link CatchUpError} `NO_PROGRESS`,
 *   never a loop.
 * - `AHEAD_OF_LOG` is decided only on bounds read after this machine was
 *   created (the shell passes them to {@link CatchUpMachine.bounds}), with
 *   the log end taken as at least what the edge itself has seen: a client
 *   ahead of a lagging edge waits (bounded) for ingest instead; if ingest
 *   does not get there in time it is a retriable `INGEST_BEHIND`, not a loss.
 * - `sent` (the ack limit) moves frame by frame, on each record the shell
 *   reports handed to the socket; a position a client only claimed (Hello's
 *   `delivered`, Subscribe AFTER) counts once the log is known to reach it.
 */
import { FanoutError, type FanoutErrorOptions } from './errors.js';
import { type ReplayPlan, planReplay } from './replay-planner.js';

/** A record as the machine sees it. */
export interface CatchUpRecord {
  readonly offset: number;
}

/** One partition as the edge sees it now (read synchronously by `next`). */
export interface CatchUpPartitionView<R extends CatchUpRecord> {
  /** The last offset published live (-1: none). */
  readonly live: number;
  /** Whether the window holds every record from `from` on (monotonic). */
  windowCovers(from: number): boolean;
  /** The window's records with offset >= `from`, oldest first, at most `limit`. */
  readWindow(from: number, limit: number): R[];
}

/** What the machine reads of the edge and the socket. */
export interface CatchUpView<R extends CatchUpRecord> {
  /** A partition of the subscription's topic, or undefined when the edge does not have it. */
  partition(p: number): CatchUpPartitionView<R> | undefined;
  /** Whether the socket is above its soft limit (sending pauses until it drains). */
  readonly socketBlocked: boolean;
}

/** The positions of one subscription, shared with the shell (which may edit them between steps). */
export interface CatchUpPositions {
  /** The partitions of the channel (the shell adds partitions). */
  readonly partitions: readonly number[];
  /** Per partition, the last offset covered: sent, or with no record for the channel. */
  readonly positions: Map<number, number>;
  /** Per partition, the last offset actually handed to the socket (the ack limit). */
  readonly sent: Map<number, number>;
}

/** Options of {@link CatchUpMachine}. */
export interface CatchUpOptions<R extends CatchUpRecord> {
  /** Which records the channel receives (a key channel filters); default all. */
  include?: (r: R) => boolean;
  /** Positions the client claimed but the edge has not seen: acceptable as acks once the log reaches them. */
  claims?: Map<number, number>;
  /** A tail this short or shorter is sent inside the synchronous join. Default 512. */
  syncTailRecords?: number;
  /** Window records moved per send chunk. Default 2048. */
  windowChunkRecords?: number;
  /** Offsets per Kafka scan. Default 2000. */
  kafkaChunkOffsets?: number;
  /** Consecutive source failures (bounds or scans) tolerated. Default 10. */
  maxSourceFailures?: number;
  /** How long to wait for ingest to reach a client ahead of this edge. Default 10000. */
  ingestWaitMs?: number;
  /** Backoff after the nth consecutive failure. Default 100 ms * n. */
  backoffMs?: (failures: number) => number;
}

/** Where records of a send come from. */
export type CatchUpSource = 'window' | 'kafka';

/** What the shell must do next. */
export type CatchUpEffect<R extends CatchUpRecord> =
  /** Read the topic's log bounds from Kafka now, then {@link CatchUpMachine.bounds} or `boundsFailed`. */
  | { kind: 'fetch-bounds' }
  /** Read [from, to] of `partition` from Kafka, then `scanned` or `scanFailed`. */
  | { kind: 'scan'; partition: number; from: number; to: number }
  /** Wait until the partition's `live` >= `until` (`ingestReached`), at most `timeoutMs` (`ingestTimedOut`). */
  | { kind: 'await-ingest'; partition: number; until: number; timeoutMs: number }
  /** Wait `ms` after a failure, then `backedOff`. */
  | { kind: 'backoff'; ms: number }
  /** Wait until the socket drains below its soft limit, then ask again. */
  | { kind: 'await-drain' }
  /** Let the event loop run (other clients, ingest), then ask again. */
  | { kind: 'yield' }
  /**
   * Hand these frames to the socket in order, reporting each with `handed`;
   * stop early when the socket goes over its soft limit (ask again).
   */
  | { kind: 'send'; partition: number; records: R[]; source: CatchUpSource }
  /** Tell the client [requested, available) of `partition` is lost; the position already moved. */
  | {
      kind: 'continuity-lost';
      partition: number;
      requested: number;
      available: number;
      reason: 'deleted' | 'ahead-of-log';
    }
  /**
   * In this same synchronous step: send each tail, announce `Subscribed`
   * with `positions`, and put the subscription on live delivery.
   */
  | {
      kind: 'join';
      tails: Array<{ partition: number; records: R[] }>;
      positions: Array<{ partition: number; offset: number }>;
    }
  /** (Held) Every partition is within a synchronous tail: the caller joins the connection as a whole. */
  | { kind: 'ready' }
  /** The catch-up cannot continue: tell the client and the log. */
  | { kind: 'failed'; error: CatchUpError };

/** Why a catch-up stopped. */
export type CatchUpErrorCode = 'NO_PROGRESS' | 'SOURCE_UNAVAILABLE' | 'INGEST_BEHIND' | 'INVALID_INPUT';

/** A catch-up that cannot continue. `retriable`: a resume later (or elsewhere) may succeed. */
export class CatchUpError extends FanoutError {
  declare readonly code: CatchUpErrorCode;
  /** @see FanoutError */
  constructor(code: CatchUpErrorCode, message: string, options: Omit<FanoutErrorOptions, 'code'> = {}) {
    super(message, { retriable: true, ...options, code });
  }
}

type Phase =
  | 'idle'
  | 'bounds'
  | 'scan'
  | 'ingest'
  | 'ingest-timed-out'
  | 'backoff-due'
  | 'backoff'
  | 'sending'
  | 'joined'
  | 'failed';

interface Pending<R> {
  partition: number;
  records: R[];
  next: number;
  /** The position once every record was handed. */
  upTo: number;
  source: CatchUpSource;
}

/** Drives one subscription's catch-up (see the module doc). */
export class CatchUpMachine<R extends CatchUpRecord> {
  readonly #s: CatchUpPositions;
  readonly #include: (r: R) => boolean;
  readonly #claims: Map<number, number>;
  readonly #syncTail: number;
  readonly #windowChunk: number;
  readonly #kafkaChunk: number;
  readonly #maxFailures: number;
  readonly #ingestWaitMs: number;
  readonly #backoff: (n: number) => number;
  #phase: Phase = 'idle';
  #bounds: Map<number, { logStart: number; logEnd: number }> | undefined;
  /** Bounds were read after this machine began (needed once before any replay). */
  #checkedFresh = false;
  /** Bounds were asked for because ingest did not reach a client's position in time. */
  #aheadCheck: { partition: number; until: number } | undefined;
  #pending: Pending<R> | undefined;
  #failures = 0;
  #lastError: unknown;
  /** Per partition, the highest offset known to exist in the log (read by a scan). */
  #seen = new Map<number, number>();
  #progress = 0;
  #progressAtLastStep = -1;
  #stalls = 0;
  #handedSinceYield = 0;

  constructor(state: CatchUpPositions, options: CatchUpOptions<R> = {}) {
    this.#s = state;
    this.#include = options.include ?? (() => true);
    this.#claims = options.claims ?? new Map();
    this.#syncTail = options.syncTailRecords ?? 512;
    this.#windowChunk = options.windowChunkRecords ?? 2048;
    this.#kafkaChunk = options.kafkaChunkOffsets ?? 2000;
    this.#maxFailures = options.maxSourceFailures ?? 10;
    this.#ingestWaitMs = options.ingestWaitMs ?? 10_000;
    this.#backoff = options.backoffMs ?? ((n) => 100 * n);
  }

  /** Whether the machine is done (joined or failed). */
  get finished(): boolean {
    return this.#phase === 'joined' || this.#phase === 'failed';
  }

  /**
   * The next effect. Valid when not waiting on an input (after construction,
   * after an input, after `send`/`await-drain`/`yield`).
   *
   * @param hold Do not join; answer `ready` once joining is possible (a
   *   connection put back on live as a whole).
   */
  next(view: CatchUpView<R>, hold = false): CatchUpEffect<R> {
    if (this.#phase === 'failed') return { kind: 'failed', error: this.#lastError as CatchUpError };
    if (this.#phase === 'backoff-due') {
      this.#phase = 'backoff';
      this.#stalls = 0;
      return { kind: 'backoff', ms: this.#pendingBackoff };
    }
    if (this.#phase !== 'idle' && this.#phase !== 'sending' && this.#phase !== 'ingest-timed-out') {
      return this.#fail(new CatchUpError('INVALID_INPUT', `next() while waiting (${this.#phase})`));
    }
    const effect = this.#decide(view, hold);
    // The guard: a synchronous effect with no position moved since the last
    // one is a stall; a few in a row is a defect, reported, never looped.
    // A yield waits on nothing outside: it counts as a step that must follow progress.
    const sync = effect.kind === 'send' || effect.kind === 'continuity-lost' || effect.kind === 'yield';
    if (!sync) this.#stalls = 0;
    else if (this.#progress === this.#progressAtLastStep) {
      if (++this.#stalls > 2)
        return this.#fail(new CatchUpError('NO_PROGRESS', `catch-up made no progress (${effect.kind})`));
    } else this.#stalls = 0;
    this.#progressAtLastStep = this.#progress;
    return effect;
  }

  /** Whether `next(view)` would join now (a query: changes nothing). */
  ready(view: CatchUpView<R>): boolean {
    if (this.#phase !== 'idle' || this.#pending) return false;
    let needFresh = false;
    for (const p of this.#s.partitions) {
      const ps = view.partition(p);
      if (!ps) continue;
      const pl = this.#plan(p, ps);
      if (pl.kind !== 'none') needFresh = true;
      if (!this.#isReady(p, ps, pl)) return false;
    }
    return !needFresh || this.#checkedFresh;
  }

  /** The bounds the shell read (after this machine began). */
  bounds(b: Iterable<{ partition: number; logStart: number; logEnd: number }>): void {
    if (!this.#expect('bounds')) return;
    this.#bounds = new Map([...b].map((x) => [x.partition, { logStart: x.logStart, logEnd: x.logEnd }]));
    this.#checkedFresh = true;
    this.#failures = 0;
    this.#progress++;
    const check = this.#aheadCheck;
    this.#phase = 'idle';
    if (check) {
      this.#aheadCheck = undefined;
      const logEnd = this.#bounds.get(check.partition)?.logEnd;
      // Not beyond the log: the records exist, this edge just has not read them yet.
      if (logEnd !== undefined && check.until + 1 <= logEnd)
        this.#fail(
          new CatchUpError(
            'INGEST_BEHIND',
            `ingest of partition ${check.partition} did not reach ${check.until} in ${this.#ingestWaitMs} ms`,
          ),
        );
    }
  }

  boundsFailed(err: unknown): void {
    if (!this.#expect('bounds')) return;
    this.#failed(err);
  }

  /**
   * A scan finished: `records` read, every record of [from, reachedTo] among
   * them (reachedTo < to: a short read; < from: nothing read).
   */
  scanned(partition: number, records: readonly R[], reachedTo: number): void {
    if (!this.#expect('scan')) return;
    const after = this.#s.positions.get(partition) ?? -1;
    if (reachedTo <= after) {
      this.#failed(new CatchUpError('SOURCE_UNAVAILABLE', `scan of partition ${partition} read nothing`));
      return;
    }
    this.#failures = 0;
    this.#seen.set(partition, Math.max(this.#seen.get(partition) ?? -1, reachedTo));
    // The bounds stay: read after this machine began, they still decide right. A
    // log end only grows (and `#plan` takes what scans and ingest saw), and a log
    // start that moved since fails the next scan (out of range), which asks again.
    // Asking again after every scan cost each resume one ListOffsets round per
    // partition, in a storm behind everyone else's.
    const kept = records.filter((r) => r.offset > after && r.offset <= reachedTo && this.#include(r));
    this.#pending = { partition, records: kept, next: 0, upTo: reachedTo, source: 'kafka' };
    this.#phase = 'sending';
    this.#progress++;
  }

  /** A scan failed; `prefix` is what it read before failing (in order, from `from`). */
  scanFailed(partition: number, err: unknown, prefix: readonly R[] = []): void {
    const last = prefix[prefix.length - 1];
    if (last && last.offset > (this.#s.positions.get(partition) ?? -1)) {
      this.scanned(partition, prefix, last.offset);
      this.#bounds = undefined;
      return;
    }
    if (!this.#expect('scan')) return;
    this.#bounds = undefined;
    this.#failed(err);
  }

  /** One record of the last `send` was handed to the socket (uWS answered 1 or 0). */
  handed(partition: number, offset: number): void {
    const pend = this.#pending;
    const r = pend?.records[pend.next];
    if (!pend || pend.partition !== partition || !r || r.offset !== offset) {
      this.#fail(new CatchUpError('INVALID_INPUT', `handed ${partition}/${offset} out of order`));
      return;
    }
    pend.next++;
    this.#s.positions.set(partition, offset);
    if (offset > (this.#s.sent.get(partition) ?? -1)) this.#s.sent.set(partition, offset);
    this.#handedSinceYield++;
    this.#progress++;
  }

  ingestReached(): void {
    if (!this.#expect('ingest')) return;
    this.#aheadCheck = undefined;
    this.#phase = 'idle';
    this.#progress++;
  }

  /** Ingest did not reach the client's position in time: fresh bounds decide (loss or retriable error). */
  ingestTimedOut(): void {
    if (!this.#expect('ingest')) return;
    this.#phase = 'ingest-timed-out';
  }

  backedOff(): void {
    if (!this.#expect('backoff')) return;
    this.#phase = 'idle';
  }

  #decide(view: CatchUpView<R>, hold: boolean): CatchUpEffect<R> {
    if (this.#phase === 'ingest-timed-out') {
      this.#phase = 'bounds';
      return { kind: 'fetch-bounds' };
    }
    const pend = this.#pending;
    if (pend) {
      if (pend.next < pend.records.length) {
        if (view.socketBlocked) return { kind: 'await-drain' };
        return {
          kind: 'send',
          partition: pend.partition,
          records: pend.records.slice(pend.next),
          source: pend.source,
        };
      }
      this.#pending = undefined;
      this.#phase = 'idle';
      this.#advance(pend.partition, pend.upTo);
      if (this.#handedSinceYield >= this.#windowChunk || pend.source === 'kafka') {
        this.#handedSinceYield = 0;
        return { kind: 'yield' };
      }
    }
    this.#verifyClaims(view);
    // Plan every partition; the first not ready is worked on.
    let work: { partition: number; view: CatchUpPartitionView<R>; plan: ReplayPlan } | undefined;
    let needBounds = false;
    for (const p of this.#s.partitions) {
      const ps = view.partition(p);
      if (!ps) continue;
      const pl = this.#plan(p, ps);
      if (pl.kind !== 'none' && !this.#checkedFresh) needBounds = true;
      if (!this.#isReady(p, ps, pl)) {
        if (!this.#bounds && pl.kind === 'kafka') needBounds = true;
        work ??= { partition: p, view: ps, plan: pl };
      }
    }
    if (needBounds) {
      this.#phase = 'bounds';
      return { kind: 'fetch-bounds' };
    }
    if (!work) {
      if (hold) return { kind: 'ready' };
      return this.#join(view);
    }
    const { partition, view: ps, plan: pl } = work;
    switch (pl.kind) {
      case 'continuity-lost': {
        this.#s.positions.set(partition, pl.available - 1);
        this.#claims.delete(partition);
        this.#progress++;
        return {
          kind: 'continuity-lost',
          partition,
          requested: pl.requested,
          available: pl.available,
          reason: pl.reason,
        };
      }
      case 'window': {
        const records = ps.readWindow(pl.from, this.#windowChunk);
        const last = records[records.length - 1];
        // No record in [from, live] (control markers, aborted records): the
        // window covers it, so nothing is there. Otherwise up to the last read.
        const upTo = last ? last.offset : ps.live;
        if (upTo < pl.from)
          return this.#fail(
            new CatchUpError('NO_PROGRESS', `window read at ${pl.from} went back to ${upTo}`),
          );
        const kept = records.filter((r) => r.offset >= pl.from && this.#include(r));
        if (kept.length === 0) {
          // Nothing for this channel up there: move past it, and let the event loop run.
          this.#advance(partition, upTo);
          return { kind: 'yield' };
        }
        this.#pending = { partition, records: kept, next: 0, upTo, source: 'window' };
        this.#phase = 'sending';
        this.#progress++;
        return this.#decide(view, hold);
      }
      case 'kafka': {
        this.#phase = 'scan';
        return {
          kind: 'scan',
          partition,
          from: pl.from,
          to: Math.min(pl.to, pl.from + this.#kafkaChunk - 1),
        };
      }
      case 'wait': {
        // Ahead of this edge but not beyond the log (or bounds not read yet): wait for ingest.
        this.#phase = 'ingest';
        this.#aheadCheck = { partition, until: pl.until };
        return { kind: 'await-ingest', partition, until: pl.until, timeoutMs: this.#ingestWaitMs };
      }
      case 'none':
        return this.#fail(new CatchUpError('NO_PROGRESS', 'a ready partition was planned'));
    }
  }

  #join(view: CatchUpView<R>): CatchUpEffect<R> {
    const tails: Array<{ partition: number; records: R[] }> = [];
    const positions: Array<{ partition: number; offset: number }> = [];
    for (const p of this.#s.partitions) {
      const ps = view.partition(p);
      if (!ps) continue;
      const after = this.#s.positions.get(p) ?? ps.live;
      if (after < ps.live) {
        const records = ps.readWindow(after + 1, Number.POSITIVE_INFINITY).filter((r) => this.#include(r));
        if (records.length > 0) tails.push({ partition: p, records });
      }
      this.#s.positions.set(p, ps.live);
      if (ps.live > (this.#s.sent.get(p) ?? -1)) this.#s.sent.set(p, ps.live);
      positions.push({ partition: p, offset: ps.live });
    }
    this.#phase = 'joined';
    this.#progress++;
    return { kind: 'join', tails, positions };
  }

  /** Claims the log is now known to reach become acceptable acks. */
  #verifyClaims(view: CatchUpView<R>): void {
    for (const [p, claim] of this.#claims) {
      const live = view.partition(p)?.live ?? -1;
      const logEnd = this.#checkedFresh ? this.#bounds?.get(p)?.logEnd : undefined;
      if (live >= claim || (logEnd !== undefined && claim < logEnd)) {
        if (claim > (this.#s.sent.get(p) ?? -1)) this.#s.sent.set(p, claim);
        this.#claims.delete(p);
      }
    }
  }

  /** Moves a position forward (progress); never back. */
  #advance(p: number, offset: number): void {
    if (offset <= (this.#s.positions.get(p) ?? -1)) return;
    this.#s.positions.set(p, offset);
    this.#progress++;
  }

  #plan(p: number, ps: CatchUpPartitionView<R>): ReplayPlan {
    const b = this.#bounds?.get(p);
    const after = this.#s.positions.get(p) ?? ps.live;
    // The log reaches at least what this edge ingested or a scan read: a
    // log end from before those never makes a position look beyond the log.
    const logEnd = b ? Math.max(b.logEnd, ps.live + 1, (this.#seen.get(p) ?? -1) + 1) : undefined;
    return planReplay({
      after,
      live: ps.live,
      windowCovers: (from) => ps.windowCovers(from),
      ...(b && logEnd !== undefined ? { logStart: Math.min(b.logStart, logEnd), logEnd } : {}),
    });
  }

  #isReady(p: number, ps: CatchUpPartitionView<R>, pl: ReplayPlan): boolean {
    const tail = ps.live - (this.#s.positions.get(p) ?? ps.live);
    return pl.kind === 'none' || (pl.kind === 'window' && tail <= this.#syncTail);
  }

  #expect(phase: Phase): boolean {
    if (this.#phase === phase) return true;
    if (this.#phase !== 'failed')
      this.#fail(new CatchUpError('INVALID_INPUT', `input for ${phase} while ${this.#phase}`));
    return false;
  }

  #failed(err: unknown): void {
    if (this.#phase === 'failed') return;
    if (++this.#failures > this.#maxFailures) {
      this.#fail(
        new CatchUpError('SOURCE_UNAVAILABLE', `replay source failed ${this.#failures} times`, {
          cause: err,
        }),
      );
      return;
    }
    this.#phase = 'backoff-due';
    this.#pendingBackoff = this.#backoff(this.#failures);
  }

  #pendingBackoff = 0;

  #fail(error: CatchUpError): CatchUpEffect<R> {
    this.#phase = 'failed';
    this.#lastError = error;
    return { kind: 'failed', error };
  }
}

/**
 * The highest offset of `partition` a client may ack: while catching up,
 * the last offset handed to its socket (or a verified claim, or the stored
 * ack); once live, the partition's `live` (every record published went to it).
 */
export function ackLimit(
  sub: { readonly sent: ReadonlyMap<number, number>; readonly live: boolean },
  partition: number,
  live: number,
): number {
  return sub.live ? live : (sub.sent.get(partition) ?? -1);
}
