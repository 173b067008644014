import type { RecordStream, Subscription } from './api.js';
import type { Handle } from './handle.js';
import type { FanoutRecord } from './types.js';

type Waiter<T> = {
  resolve: (result: IteratorResult<FanoutRecord<T>>) => void;
  reject: (error: unknown) => void;
};

/**
 * `client.records()`: a handle whose handler hands each record to the loop
 * and stays pending until the loop asks for the next one, so the loop body's
 * pace is the delivery's pace and its end is the record's ack.
 */
export class RecordStreamImpl<T> implements RecordStream<T> {
  /** A record handed over before the loop asked for it. */
  private handed: FanoutRecord<T> | undefined;
  /** A `next()` waiting for a record. */
  private waiter: Waiter<T> | undefined;
  /** Completes the handler's promise of the record the loop holds. */
  private release: (() => void) | undefined;
  private ended = false;
  private failure: unknown;
  readonly subscription: Subscription<T>;

  constructor(
    subscribe: (handler: (record: FanoutRecord<T>) => Promise<void>) => Handle<T>,
    signal: AbortSignal | undefined,
  ) {
    const handle = subscribe(
      (record) =>
        new Promise<void>((resolve) => {
          this.release = resolve;
          const waiter = this.waiter;
          this.waiter = undefined;
          if (waiter) waiter.resolve({ value: record, done: false });
          else this.handed = record;
        }),
    );
    this.subscription = handle;
    handle.on('state', (change) => {
      if (change.to === 'failed' || change.to === 'unsubscribed') this.end(change.error);
    });
    if (signal?.aborted) this.abort();
    else signal?.addEventListener('abort', () => this.abort(), { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<FanoutRecord<T>>> {
    // Asking for the next record: the loop body is done with the previous one.
    this.complete();
    const handed = this.handed;
    if (handed) {
      this.handed = undefined;
      return Promise.resolve({ value: handed, done: false });
    }
    if (this.ended) {
      const failure = this.failure;
      this.failure = undefined;
      return failure === undefined ? Promise.resolve(done()) : Promise.reject(failure);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** `break`, `return` or a throw out of the loop: the current record counts as processed. */
  return(): Promise<IteratorResult<FanoutRecord<T>>> {
    this.complete();
    this.leave(true);
    return Promise.resolve(done());
  }

  private abort(): void {
    // The loop body may still be working on its record: it is not counted.
    this.release = undefined;
    this.handed = undefined;
    this.leave(false);
  }

  private leave(finished: boolean): void {
    if (!this.ended) (this.subscription as Handle<T>).release(finished);
    this.end(undefined);
  }

  private complete(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  private end(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!waiter) {
      this.failure = error;
      return;
    }
    if (error === undefined) waiter.resolve(done());
    else waiter.reject(error);
  }
}

const done = <T>(): IteratorResult<FanoutRecord<T>> => ({ value: undefined, done: true });
