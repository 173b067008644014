import type { ReadyOptions, RecordHandler, Subscription } from './api.js';
import { Emitter } from './emitter.js';
import { FanoutClientError } from './errors.js';
import type { SubscriptionImpl } from './subscription.js';
import type { FanoutRecord, Position, SubscriptionEvents, SubscriptionState } from './types.js';

/** The record being handed to a subscription's handles, and the handles that have not finished it. */
export interface Round {
  item: { record: FanoutRecord };
  todo: Set<Handle<unknown>>;
}

const isPromise = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';

/**
 * One application `Subscription`: a handler (and decode) over the client's
 * shared subscription of the channel.
 */
export class Handle<T = Uint8Array> implements Subscription<T> {
  /** This handle failed on the current record and waits for `retry()` or `skip()`. */
  paused = false;
  /** Its handler is running on the current record. */
  running = false;
  private released = false;
  private readonly events: Emitter<SubscriptionEvents>;

  constructor(
    private readonly sub: SubscriptionImpl,
    private readonly handler: RecordHandler<T>,
    private readonly decode: ((payload: Uint8Array) => T) | undefined,
  ) {
    this.events = new Emitter((error) =>
      sub.host.log('error', { err: error, channel: sub.channel }, 'subscription listener threw'),
    );
  }

  private get self(): Handle<unknown> {
    return this as unknown as Handle<unknown>;
  }

  get channel(): string {
    return this.sub.channel;
  }

  get state(): SubscriptionState {
    return this.released ? 'unsubscribed' : this.sub.state;
  }

  positions(): Position[] {
    return this.sub.positions();
  }

  on<K extends keyof SubscriptionEvents>(
    event: K,
    listener: (payload: SubscriptionEvents[K]) => void,
  ): () => void {
    return this.events.on(event, listener);
  }

  /** Emits to this handle's listeners; false when it has none for `event`. */
  emit<K extends keyof SubscriptionEvents>(event: K, payload: SubscriptionEvents[K]): boolean {
    if (!this.events.has(event)) return false;
    this.events.emit(event, payload);
    return true;
  }

  ready(options: ReadyOptions = {}): Promise<void> {
    const { signal, timeoutMs } = options;
    return new Promise<void>((resolve, reject) => {
      const settled = (): boolean => {
        const state = this.state;
        if (state === 'subscribed') {
          resolve();
          return true;
        }
        if (state === 'failed' || state === 'unsubscribed') {
          reject(
            this.lastError ??
              new FanoutClientError('unsubscribed', `${this.channel} is unsubscribed`, {
                channel: this.channel,
              }),
          );
          return true;
        }
        return false;
      };
      if (signal?.aborted) return reject(signal.reason);
      if (settled()) return;
      const clock = this.sub.host.clock;
      let timer: unknown;
      const cleanup = (): void => {
        off();
        if (timer !== undefined) clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const off = this.events.on('state', () => {
        if (settled()) cleanup();
      });
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined)
        timer = clock.setTimeout(() => {
          cleanup();
          reject(
            new FanoutClientError('ready_timeout', `${this.channel} not live after ${timeoutMs} ms`, {
              channel: this.channel,
              retriable: true,
            }),
          );
        }, timeoutMs);
    });
  }

  retry(): void {
    if (!this.paused) return;
    this.paused = false;
    this.sub.wakeUp();
  }

  skip(): void {
    if (!this.paused) return;
    this.paused = false;
    this.finish();
  }

  unsubscribe(): void {
    this.release(false);
  }

  /** Leaves the channel; `finished`: the record this handle holds counts as processed by it. */
  release(finished: boolean): void {
    if (this.released) return;
    const from = this.state;
    this.released = true;
    this.sub.removeHandle(this.self, finished);
    if (from !== 'unsubscribed' && from !== 'failed')
      this.emit('state', {
        from,
        to: 'unsubscribed',
        reason: { type: 'unsubscribe' },
        message: 'unsubscribe',
      });
  }

  /** Hands the round's record to the handler; leaves `round.todo` when done (synchronously for a synchronous handler). */
  deliver(round: Round): void {
    const record = round.item.record;
    this.running = true;
    let step = 'handler';
    let result: unknown;
    try {
      step = 'decode';
      const value = this.decode ? this.decode(record.payload) : record.value;
      const own = (this.decode ? { ...record, value } : record) as FanoutRecord<T>;
      step = 'handler';
      result = this.handler(own, this);
    } catch (cause) {
      this.failed(round, step, cause);
      return;
    }
    if (!isPromise(result)) {
      this.running = false;
      this.finish(round);
      return;
    }
    result.then(
      () => {
        this.running = false;
        this.finish(round);
      },
      (cause: unknown) => this.failed(round, 'handler', cause),
    );
  }

  private get lastError(): FanoutClientError | undefined {
    return this.sub.error;
  }

  private finish(round = this.sub.currentRound): void {
    if (round?.todo.delete(this.self)) this.sub.wakeUp();
  }

  private failed(round: Round, step: string, cause: unknown): void {
    this.running = false;
    if (this.released || !round.todo.has(this.self)) return;
    this.paused = true;
    const { record } = round.item;
    const decode = step === 'decode';
    const error = new FanoutClientError(
      decode ? 'decode_failed' : 'handler_failed',
      `${decode ? 'decode' : 'handler'} failed on ${record.topic}/${record.partition}@${record.offset}`,
      { cause, channel: this.channel },
    );
    if (!this.emit('error', { error, record }))
      this.sub.host.log(
        'error',
        { err: error, channel: this.channel, offset: record.offset },
        `${decode ? 'decode' : 'handler'} failed; paused`,
      );
    this.sub.wakeUp();
  }
}
