import type { Ack, Position } from '@fanout/protocol';
import type { SubscriptionImpl } from './subscription.js';
import type { Clock } from './types.js';

/**
 * Batches acks: cumulative per (channel, partition), sent after `delayMs` or
 * once `maxBatch` records were processed, whichever comes first. Only
 * processed records are added, and a subscription handles one record at a
 * time, so an ack never passes a record still being handled. An ack is also
 * held back (never dropped) while it would pass what the edge has sent on the
 * current connection, e.g. for a record buffered before a reconnect.
 */
export class AckBatcher {
  private readonly pending = new Map<SubscriptionImpl, Map<number, number>>();
  private count = 0;
  private timer: unknown;

  constructor(
    private readonly delayMs: number,
    private readonly maxBatch: number,
    private readonly clock: Clock,
    private readonly send: (ack: Ack) => void,
  ) {}

  /** A record of `sub` at (partition, offset) was processed. */
  add(sub: SubscriptionImpl, partition: number, offset: number): void {
    let parts = this.pending.get(sub);
    if (!parts) {
      parts = new Map();
      this.pending.set(sub, parts);
    }
    parts.set(partition, offset);
    if (++this.count >= this.maxBatch) this.flush();
    else this.schedule();
  }

  /** Flushes within `delayMs` if anything is pending (e.g. once a subscription is live again). */
  schedule(): void {
    if (this.timer === undefined && this.pending.size > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.delayMs);
    }
  }

  /** Sends every ack the edge can take now. */
  flush(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.count = 0;
    let held = false;
    for (const [sub, parts] of this.pending) {
      if (!sub.active) {
        this.pending.delete(sub);
        continue;
      }
      if (!sub.onEdge) continue;
      const positions: Position[] = [];
      for (const [partition, offset] of parts) {
        const covered = sub.covered.get(partition);
        if (covered === undefined) continue;
        const value = Math.min(offset, covered);
        if (value > (sub.acked.get(partition) ?? -1)) {
          positions.push({ partition, offset: value });
          sub.acked.set(partition, value);
        }
        if (value === offset) parts.delete(partition);
      }
      if (parts.size === 0) this.pending.delete(sub);
      else held = true;
      if (positions.length > 0) this.send({ channel: sub.channel, positions });
    }
    // Held back until the edge re-sends what this connection has not seen yet (a replay is on its way).
    if (held) this.schedule();
  }

  /** Forgets everything (the client closed). */
  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.count = 0;
  }
}
