import type { ContinuityLost, Position, Publication, StartValue } from '@fanout/protocol';
import { Start } from '@fanout/protocol';
import type { RecordHandler, Subscription } from './api.js';
import { Emitter } from './emitter.js';
import { FanoutClientError } from './errors.js';
import type { SubscriptionHost } from './hosts.js';
import { ItemQueue } from './item-queue.js';
import type { PersistedChannel } from './storage.js';
import type {
  ContinuityLostEvent,
  FanoutRecord,
  StateChange,
  SubscriptionEvents,
  SubscriptionState,
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

export class SubscriptionImpl implements Subscription {
  state: SubscriptionState = 'subscribing';
  paused = false;
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
  private readonly queue = new ItemQueue<Item>();
  private records = 0;
  private busy = false;
  private readonly events: Emitter<SubscriptionEvents>;

  constructor(
    readonly channel: string,
    readonly topic: string,
    readonly key: string | undefined,
    private readonly start: StartValue,
    private readonly after: readonly Position[],
    private readonly handler: RecordHandler,
    private readonly host: SubscriptionHost,
  ) {
    this.events = new Emitter((error) =>
      host.log('error', { err: error, channel }, 'subscription listener threw'),
    );
  }

  get active(): boolean {
    return this.state !== 'unsubscribed' && this.state !== 'failed';
  }

  positions(): Position[] {
    return [...this.delivered]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, offset]) => ({ partition, offset }));
  }

  on<K extends keyof SubscriptionEvents>(
    event: K,
    listener: (payload: SubscriptionEvents[K]) => void,
  ): () => void {
    return this.events.on(event, listener);
  }

  retry(): void {
    if (!this.paused) return;
    this.paused = false;
    this.pump();
  }

  skip(): void {
    const item = this.queue.peek();
    if (!this.paused || !item || !('record' in item)) return;
    this.paused = false;
    this.queue.shift();
    this.done(item.record);
    this.pump();
  }

  unsubscribe(): void {
    if (!this.active) return;
    // The host flushes this subscription's acks and sends Unsubscribe first.
    this.host.unsubscribe(this);
    this.end('unsubscribed', 'unsubscribe');
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
  startFor(): { start: StartValue; after: Position[] } {
    if (this.complete) return { start: Start.AFTER, after: this.positions() };
    if (this.start !== Start.AFTER) return { start: this.start, after: [] };
    const after = new Map<number, number>();
    for (const p of this.after) raise(after, p.partition, p.offset);
    for (const [partition, offset] of this.delivered) raise(after, partition, offset);
    return { start: Start.AFTER, after: [...after].map(([partition, offset]) => ({ partition, offset })) };
  }

  /** A new edge subscription (Subscribe sent, or restored): per-connection bookkeeping restarts. */
  attach(requestId: number, state: SubscriptionState, reason: string): void {
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
    if (this.state === 'subscribed') this.setState('resuming', 'disconnected');
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
    this.setState('subscribed', this.requestId === 0 ? 'resumed' : 'subscribed');
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
    this.end('failed', error.message, error);
    if (this.events.has('error')) this.events.emit('error', { error });
    else this.host.log('error', { err: error, channel: this.channel }, 'subscription failed');
  }

  /** Ends delivery: buffered records are discarded. */
  end(state: 'unsubscribed' | 'failed', reason: string, error?: FanoutClientError): void {
    this.queue.clear();
    this.records = 0;
    this.onEdge = false;
    this.setState(state, reason, error);
  }

  setState(to: SubscriptionState, reason: string, error?: FanoutClientError): void {
    if (this.state === to) return;
    const change: StateChange<SubscriptionState> = { from: this.state, to, reason };
    if (error) change.error = error;
    this.state = to;
    this.events.emit('state', change);
  }

  private baseline(base: readonly Position[], complete?: boolean): void {
    for (const p of base) raise(this.accepted, p.partition, p.offset);
    this.queue.push(complete ? { base, complete } : { base });
    this.pump();
  }

  private done(record: FanoutRecord): void {
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
  // order, one at a time; other subscriptions are not blocked.
  private async run(): Promise<void> {
    try {
      while (!this.paused && this.active && this.queue.size > 0) {
        const item = this.queue.peek()!;
        if ('base' in item) {
          this.queue.shift();
          for (const p of item.base) {
            if (item.reset) this.delivered.set(p.partition, p.offset);
            else raise(this.delivered, p.partition, p.offset);
          }
          if (item.complete) this.complete = true;
          if (item.lost) this.events.emit('continuityLost', item.lost);
          this.host.advanced(this);
          continue;
        }
        try {
          const result = this.handler(item.record, this);
          if (result && typeof result.then === 'function') await result;
        } catch (cause) {
          if (this.active && this.queue.peek() === item) this.failed(item.record, cause);
          break;
        }
        // Unsubscribed or closed meanwhile: nothing more is acked.
        if (!this.active || this.queue.peek() !== item) break;
        this.queue.shift();
        this.done(item.record);
      }
    } finally {
      this.busy = false;
    }
    if (this.active && !this.paused && this.queue.size === 0) this.host.drained(this);
  }

  private failed(record: FanoutRecord, cause: unknown): void {
    this.paused = true;
    const error = new FanoutClientError(
      'handler_failed',
      `handler failed on ${record.topic}/${record.partition}@${record.offset}`,
      {
        cause,
        channel: this.channel,
      },
    );
    if (this.events.has('error')) this.events.emit('error', { error, record });
    else
      this.host.log(
        'error',
        { err: error, channel: this.channel, offset: record.offset },
        'handler failed; paused',
      );
  }
}
