/**
 * Write-behind of acks: coalesces them in memory ({@link AckCoalescer}) and
 * writes them to the session store in batches.
 *
 * - A write starts when `maxPending` entries are pending, or `flushIntervalMs`
 *   after the first ack added since the last write started.
 * - Never two writes in flight: acks added during a write wait for the next.
 * - A failed write's batch is merged back (keeping the maximum per key) and
 *   retried after a capped exponential backoff (`retryInitialDelayMs` doubling
 *   up to `retryMaxDelayMs`); every failure is reported to `onError`. Retries
 *   never stop on their own: acks are positions, dropping them means replaying
 *   records already processed.
 * - `flush(timeoutMs)` writes now and resolves once everything pending at the
 *   call is persisted, or rejects with a StoreError (FLUSH_TIMEOUT) at the
 *   deadline; the acks stay pending and retries go on.
 *
 * The store write must keep the maximum per key (see {@link AckCoalescer}).
 */
import type { AckBatch } from './ack-coalescer.js';
import { AckCoalescer } from './ack-coalescer.js';
import { ConfigError, StoreError, isRetriable } from './errors.js';

/** Injected timer functions (e.g. `globalThis.setTimeout`, or a fake clock's). */
export interface TimerFunctions {
  /** Calls `fn` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a pending `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** Options of {@link WriteBehind}. */
export interface WriteBehindOptions {
  /** Persists a batch (store write with max-merge). Rejects on failure. */
  write: (batch: AckBatch) => Promise<void>;
  /** Timer functions. */
  timers: TimerFunctions;
  /** Start a write as soon as this many entries are pending. Positive integer, default 1000. */
  maxPending?: number;
  /** Start a write at most this long after the first pending ack. Positive, default 100. */
  flushIntervalMs?: number;
  /** Delay before the first retry of a failed write. Positive, default 100. */
  retryInitialDelayMs?: number;
  /** Cap of the retry delay. At least `retryInitialDelayMs`, default 5000. */
  retryMaxDelayMs?: number;
  /** Told about every failed write, with the count of consecutive failures (for logs). */
  onError?: (err: unknown, consecutiveFailures: number) => void;
}

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  readonly timer: unknown;
}

function positive(name: string, v: number | undefined, dflt: number, integer = false): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !(x > 0) || (integer && !Number.isSafeInteger(x)) || !Number.isFinite(x)) {
    throw new ConfigError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
  return x;
}

/** Coalesces acks and writes them behind to the store (see the module doc). */
export class WriteBehind {
  readonly #coalescer = new AckCoalescer();
  readonly #write: (batch: AckBatch) => Promise<void>;
  readonly #timers: TimerFunctions;
  readonly #maxPending: number;
  readonly #intervalMs: number;
  readonly #retryInitialMs: number;
  readonly #retryMaxMs: number;
  readonly #onError: (err: unknown, consecutiveFailures: number) => void;
  #timer: unknown = null;
  #timerKind: 'interval' | 'retry' | null = null;
  #inFlight = false;
  #dueAfterWrite = false;
  #writesStarted = 0;
  #failures = 0;
  #lastError: unknown = null;
  #waiters: FlushWaiter[] = [];
  #closed = false;

  /** @throws ConfigError on an invalid option. */
  constructor(options: WriteBehindOptions) {
    this.#write = options.write;
    this.#timers = options.timers;
    this.#maxPending = positive('maxPending', options.maxPending, 1000, true);
    this.#intervalMs = positive('flushIntervalMs', options.flushIntervalMs, 100);
    this.#retryInitialMs = positive('retryInitialDelayMs', options.retryInitialDelayMs, 100);
    this.#retryMaxMs = positive('retryMaxDelayMs', options.retryMaxDelayMs, 5000);
    if (this.#retryMaxMs < this.#retryInitialMs) {
      throw new ConfigError('retryMaxDelayMs must be at least retryInitialDelayMs');
    }
    this.#onError = options.onError ?? (() => {});
  }

  /** Entries waiting for a write (not counting the batch in flight). */
  get pending(): number {
    return this.#coalescer.size;
  }

  /** Whether a write is in flight. */
  get writing(): boolean {
    return this.#inFlight;
  }

  /**
   * Records an ack (the maximum per key is kept) and schedules its write.
   *
   * @throws RangeError for a bad partition or offset (validate wire input first).
   */
  add(sessionId: string, channel: string, partition: number, offset: number): void {
    this.#coalescer.add(sessionId, channel, partition, offset);
    if (this.#closed || this.#timerKind === 'retry') return; // a failing store is not hammered
    if (this.#coalescer.size >= this.#maxPending) {
      if (this.#inFlight) this.#dueAfterWrite = true;
      else this.#startWrite();
    } else if (this.#timerKind === null) {
      this.#arm('interval', this.#intervalMs);
    }
  }

  /**
   * Writes everything pending now (skipping any backoff wait) and resolves
   * once everything pending at this call is persisted. Rejects with a
   * StoreError (code FLUSH_TIMEOUT, `cause` the last write error, retriable as
   * that error) after `timeoutMs`; the acks then stay pending.
   */
  flush(timeoutMs: number): Promise<void> {
    const empty = this.#coalescer.size === 0;
    if (empty && !this.#inFlight) return Promise.resolve();
    // The in-flight write holds everything when nothing else is pending;
    // otherwise the next write (which drains all, failed batches included) must succeed.
    const target = empty ? this.#writesStarted : this.#writesStarted + 1;
    const promise = new Promise<void>((resolve, reject) => {
      const waiter: FlushWaiter = {
        target,
        resolve,
        reject,
        timer: this.#timers.setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          const cause = this.#lastError;
          reject(
            new StoreError(`acks not persisted within ${timeoutMs} ms`, {
              code: 'FLUSH_TIMEOUT',
              retriable: cause === null ? true : isRetriable(cause),
              cause,
            }),
          );
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
    if (!this.#inFlight) this.#startWrite();
    return promise;
  }

  /**
   * Stops the automatic writes: no write starts on its own any more (a write
   * in flight completes). Pending acks stay pending; {@link flush} still
   * writes them (with retries until its deadline). On a graceful shutdown:
   * `await flush(deadline)`, then `close()`.
   */
  close(): void {
    this.#closed = true;
    this.#disarm();
  }

  #arm(kind: 'interval' | 'retry', ms: number): void {
    this.#disarm();
    this.#timerKind = kind;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#timerKind = null;
      if (this.#inFlight) this.#dueAfterWrite = true;
      else if (this.#coalescer.size > 0 || this.#waiters.length > 0) this.#startWrite();
    }, ms);
  }

  #disarm(): void {
    if (this.#timerKind !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerKind = null;
  }

  #startWrite(): void {
    this.#disarm();
    this.#dueAfterWrite = false;
    const batch = this.#coalescer.drain();
    const seq = ++this.#writesStarted;
    this.#inFlight = true;
    let result: Promise<void>;
    try {
      result = Promise.resolve(this.#write(batch));
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      () => this.#succeeded(seq),
      (err: unknown) => this.#failed(batch, err),
    );
  }

  #succeeded(seq: number): void {
    this.#inFlight = false;
    this.#failures = 0;
    this.#lastError = null;
    const done = this.#waiters.filter((w) => w.target <= seq);
    this.#waiters = this.#waiters.filter((w) => w.target > seq);
    for (const w of done) {
      this.#timers.clearTimeout(w.timer);
      w.resolve();
    }
    if (this.#waiters.length > 0) {
      this.#startWrite();
      return;
    }
    if (this.#closed) return;
    const size = this.#coalescer.size;
    if (size >= this.#maxPending || (this.#dueAfterWrite && size > 0)) {
      this.#startWrite();
    } else {
      this.#dueAfterWrite = false;
      if (size > 0 && this.#timerKind === null) this.#arm('interval', this.#intervalMs);
    }
  }

  #failed(batch: AckBatch, err: unknown): void {
    this.#inFlight = false;
    this.#coalescer.restore(batch);
    this.#failures++;
    this.#lastError = err;
    try {
      this.#onError(err, this.#failures);
    } catch {
      // A logging hook must not stop the retries.
    }
    if (this.#closed && this.#waiters.length === 0) return;
    const delay = Math.min(this.#retryMaxMs, this.#retryInitialMs * 2 ** (this.#failures - 1));
    this.#arm('retry', delay);
  }
}
