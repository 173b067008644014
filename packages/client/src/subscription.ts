import type { ContinuityLost, Position, Publication, StartValue } from '@fanout/protocol';
import { Start } from '@fanout/protocol';
import type { FanoutClientError } from './errors.js';
import type { Handle, Round } from './handle.js';
import type { SubscriptionHost } from './hosts.js';
import { ItemQueue } from './item-queue.js';
import { subscriptionReasonText } from './reasons.js';
import type { PersistedChannel } from './storage.js';
import type {
  ContinuityLostEvent,
  FanoutRecord,
  StateChange,
  SubscriptionEvents,
  SubscriptionState,
  SubscriptionStateReason,
} from './types.js';

// A buffered item: a record, or a baseline that moves delivered positions in
// order with the records (so a reload never skips records still buffered).
type Item =
  | { record: FanoutRecord }
  | { base: readonly Position[]; complete?: boolean; lost?: ContinuityLostEvent; reset?: boolean };

const raise = (map: Map<number, number>, partition: number, offset: number): void => {
  const current = map.get(partition);
  if (current === undefined || offset > current) map.set(partition, offset);
};

/**
 * The client's one subscription to a channel, as the edge knows it: dedup,
 * positions, the record buffer and the runner that hands each record to every
 * handle (`Handle`, the application's `Subscription`s) in lockstep.
 */
export class SubscriptionImpl {
  state: SubscriptionState = 'subscribing';
  /** Partition → highest offset the application has seen (handled, skipped, or a start baseline). */
  readonly delivered = new Map<number, number>();
  /** Partition → highest offset accepted into the buffer: the dedup watermark. */
  readonly accepted = new Map<number, number>();
  /** Partitions whose records were dropped on overflow; refetched by a resync. */
  readonly gaps = new Set<number>();
  /** True once live, so `delivered` covers every partition. */
  complete = false;
  /** The pending Subscribe's request id (0: restored by the edge). */
  requestId = 0;
  /** The pending resync Unsubscribe's request id, or 0. */
  resyncId = 0;
  /** The edge holds this subscription on the current connection. */
  onEdge = false;
  /** Per connection: partition → highest offset the edge sent or declared covered (acks never pass it). */
  readonly covered = new Map<number, number>();
  /** Per connection: partition → highest offset acked. */
  readonly acked = new Map<number, number>();
  /** Subscribe retry timer and attempt count after a retriable refusal. */
  retryTimer: unknown;
  attempt = 0;
  /** The application's handles, in subscription order. */
  readonly handles = new Set<Handle<unknown>>();
  /** The error that ended the subscription, if any. */
  error: FanoutClientError | undefined;
  private readonly queue = new ItemQueue<Item>();
  private records = 0;
  private busy = false;
  /** The record being handed to the handles, and which of them still have it. */
  private round: Round | undefined;
  /** Wakes the runner when a handle finished, failed or left. */
  private wake: (() => void) | undefined;

  constructor(
    readonly channel: string,
    readonly topic: string,
    readonly key: string | undefined,
    private readonly start: StartValue,
    private readonly after: readonly Position[],
    private readonly timestampMs: number,
    readonly host: SubscriptionHost,
  ) {}

  get active(): boolean {
    return this.state !== 'unsubscribed' && this.state !== 'failed';
  }

  positions(): Position[] {
    return [...this.delivered]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, offset]) => ({ partition, offset }));
  }

  /** Adds a handle; it gets the records from the next one on. */
  addHandle(handle: Handle<unknown>): void {
    this.handles.add(handle);
  }

  /**
   * Removes a handle. `finished`: it has finished the record it holds (an
   * iterator's loop was left), which then counts as processed by it. The last
   * handle leaves the channel.
   */
  removeHandle(handle: Handle<unknown>, finished: boolean): void {
    if (!this.handles.delete(handle)) return;
    const round = this.round;
    if (round?.todo.delete(handle)) this.wakeUp();
    if (this.handles.size > 0 || !this.active) return;
    // The last handle: the record every handle has finished is processed before leaving.
    if (finished && round && round.todo.size === 0 && this.queue.peek() === round.item) {
      this.queue.shift();
      this.round = undefined;
      this.done(round.item.record);
    }
    // The host flushes this subscription's acks and sends Unsubscribe first.
    this.host.unsubscribe(this);
    this.end('unsubscribed', { type: 'unsubscribe' });
  }

  /** A handle finished, failed or was skipped past: the runner looks again. */
  wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    if (wake) wake();
    else this.pump();
  }

  /** Takes positions persisted by a previous run. */
  restore(stored: PersistedChannel): void {
    for (const p of stored.positions) {
      raise(this.delivered, p.partition, p.offset);
      raise(this.accepted, p.partition, p.offset);
    }
    this.complete ||= stored.complete;
  }

  /** Where a Subscribe starts: after what was delivered once live, else the requested start (dedup drops overlap). */
  startFor(): { start: StartValue; after: Position[]; timestampMs?: number } {
    if (this.complete) return { start: Start.AFTER, after: this.positions() };
    if (this.start === Start.TIMESTAMP)
      return { start: this.start, after: [], timestampMs: this.timestampMs };
    if (this.start !== Start.AFTER) return { start: this.start, after: [] };
    const after = new Map<number, number>();
    for (const p of this.after) raise(after, p.partition, p.offset);
    for (const [partition, offset] of this.delivered) raise(after, partition, offset);
    return { start: Start.AFTER, after: [...after].map(([partition, offset]) => ({ partition, offset })) };
  }

  /** A new edge subscription (Subscribe sent, or restored): per-connection bookkeeping restarts. */
  attach(requestId: number, state: SubscriptionState, reason: SubscriptionStateReason): void {
    this.requestId = requestId;
    this.resyncId = 0;
    this.onEdge = true;
    this.covered.clear();
    this.acked.clear();
    this.setState(state, reason);
  }

  /** The connection ended; the subscription waits to be resumed. */
  detach(): void {
    this.onEdge = false;
    this.resyncId = 0;
    // The next connection replays from the delivered positions, at or before any gap.
    this.gaps.clear();
    if (this.state === 'subscribed') this.setState('resuming', { type: 'disconnected' });
  }

  /** Offers a publication routed to this subscription. */
  offer(pub: Publication, replayed: boolean): void {
    const { partition, offset } = pub;
    raise(this.covered, partition, offset);
    const seen = this.accepted.get(partition);
    if ((seen !== undefined && offset <= seen) || this.gaps.has(partition)) return;
    if (this.records >= this.host.maxBuffered) {
      // Drop, never advance past it: the resync fetches it again.
      this.gaps.add(partition);
      if (seen === undefined) this.baseline([{ partition, offset: offset - 1 }]);
      this.host.log(
        'warn',
        { channel: this.channel, partition, offset },
        'buffer full: dropping until caught up',
      );
      return;
    }
    this.accepted.set(partition, offset);
    const { topic, key, headers, timestampMs, payload } = pub;
    // `value` is the payload for handles with no decode; the others get their own copy.
    this.queue.push({
      record: {
        channel: this.channel,
        topic,
        partition,
        offset,
        key,
        headers,
        timestampMs,
        payload,
        value: payload,
        replayed,
      },
    });
    this.records++;
    this.pump();
  }

  /** `Subscribed`: live from here; positions are the start baseline. */
  subscribed(positions: readonly Position[]): void {
    for (const p of positions) raise(this.covered, p.partition, p.offset);
    this.attempt = 0;
    this.setState('subscribed', { type: this.requestId === 0 ? 'resumed' : 'subscribed' });
    this.baseline(
      positions.filter((p) => !this.gaps.has(p.partition)),
      true,
    );
  }

  /** `ContinuityLost`: records before `availableOffset` are gone. */
  lost(c: ContinuityLost): void {
    const { partition, requestedOffset, availableOffset, reason } = c;
    // Under a gap the resync will meet the same loss and report it then.
    if (this.gaps.has(partition)) return;
    const next = availableOffset - 1;
    // A truncated or recreated log restarts lower: the watermark must follow it down.
    const reset = availableOffset < requestedOffset;
    const seen = this.accepted.get(partition);
    this.accepted.set(partition, reset || seen === undefined ? next : Math.max(seen, next));
    if (reset) {
      this.covered.set(partition, next);
      this.acked.delete(partition);
    }
    const lost = { channel: this.channel, partition, requestedOffset, availableOffset, reason };
    this.queue.push({ base: [{ partition, offset: next }], lost, reset });
    this.pump();
  }

  /** The edge refused the subscription. */
  fail(error: FanoutClientError): void {
    if (!this.active) return;
    this.end('failed', { type: 'refused' }, error);
    let told = false;
    for (const handle of this.handles) told = handle.emit('error', { error }) || told;
    if (!told) this.host.log('error', { err: error, channel: this.channel }, 'subscription failed');
  }

  /** Ends delivery: buffered records are discarded. */
  end(state: 'unsubscribed' | 'failed', reason: SubscriptionStateReason, error?: FanoutClientError): void {
    this.queue.clear();
    this.records = 0;
    this.round = undefined;
    this.onEdge = false;
    this.error ??= error;
    this.setState(state, reason, error);
    this.wakeUp();
  }

  setState(to: SubscriptionState, reason: SubscriptionStateReason, error?: FanoutClientError): void {
    if (this.state === to) return;
    const change: StateChange<SubscriptionState> = {
      from: this.state,
      to,
      reason,
      message: subscriptionReasonText(reason),
    };
    if (error) change.error = error;
    this.state = to;
    this.emit('state', change);
  }

  /** Emits to every handle. */
  emit<K extends keyof SubscriptionEvents>(event: K, payload: SubscriptionEvents[K]): void {
    for (const handle of [...this.handles]) handle.emit(event, payload);
  }

  private baseline(base: readonly Position[], complete?: boolean): void {
    for (const p of base) raise(this.accepted, p.partition, p.offset);
    this.queue.push(complete ? { base, complete } : { base });
    this.pump();
  }

  private done(record: FanoutRecord<unknown>): void {
    this.records--;
    raise(this.delivered, record.partition, record.offset);
    this.host.processed(this, record.partition, record.offset);
  }

  private pump(): void {
    if (this.busy) return;
    this.busy = true;
    void this.run();
  }

  // One runner per subscription: records of one subscription are handled in
  // order, one at a time (by every handle at once); other subscriptions are
  // not blocked.
  private async run(): Promise<void> {
    try {
      while (this.active && this.queue.size > 0) {
        const item = this.queue.peek()!;
        if ('base' in item) {
          this.queue.shift();
          for (const p of item.base) {
            if (item.reset) this.delivered.set(p.partition, p.offset);
            else raise(this.delivered, p.partition, p.offset);
          }
          if (item.complete) this.complete = true;
          if (item.lost) this.emit('continuityLost', item.lost);
          this.host.advanced(this);
          continue;
        }
        let round = this.round;
        if (round?.item !== item) {
          round = { item, todo: new Set(this.handles) };
          this.round = round;
        }
        // Synchronous handlers finish (and leave `todo`) within `deliver`.
        for (const handle of round.todo) if (!handle.paused && !handle.running) handle.deliver(round);
        if (!this.active || this.queue.peek() !== item) break;
        if (round.todo.size > 0) {
          // Every handle left holds it paused: `retry()` or `skip()` pumps again.
          if ([...round.todo].every((h) => h.paused)) break;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          continue;
        }
        this.round = undefined;
        this.queue.shift();
        this.done(item.record);
      }
    } finally {
      this.busy = false;
      this.wake = undefined;
    }
    if (this.active && this.queue.size === 0) this.host.drained(this);
  }

  /** The record being handed to the handles, if any. */
  get currentRound(): Round | undefined {
    return this.round;
  }
}
