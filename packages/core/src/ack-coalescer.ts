/**
 * In-memory coalescing of acks before they are written behind to the
 * session store. Acks are cumulative per (session, channel, partition), so
 * only the highest offset matters: the coalescer keeps one entry per key,
 * the maximum seen.
 *
 * The coalescer does not remember what was already written. A store write
 * must therefore keep the maximum itself (e.g. a Redis script that sets a
 * field only when the new offset is higher): an older edge flushing late
 * after the session resumed elsewhere must not move an ack backwards.
 */

/** Acks by session id, then channel name, then partition: the highest offset acked. */
export type AckBatch = Map<string, Map<string, Map<number, number>>>;

/** Number of (session, channel, partition) entries in a batch. */
export function ackBatchSize(batch: AckBatch): number {
  let n = 0;
  for (const channels of batch.values()) for (const partitions of channels.values()) n += partitions.size;
  return n;
}

/** Keeps the highest pending ack per (session, channel, partition). */
export class AckCoalescer {
  #acks: AckBatch = new Map();
  #size = 0;

  /** Number of pending (session, channel, partition) entries. */
  get size(): number {
    return this.#size;
  }

  /**
   * Records an ack; keeps the maximum for its key.
   *
   * @throws RangeError when partition or offset is not a non-negative safe integer.
   */
  add(sessionId: string, channel: string, partition: number, offset: number): void {
    if (!Number.isSafeInteger(partition) || partition < 0) throw new RangeError(`bad partition ${partition}`);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
    let channels = this.#acks.get(sessionId);
    if (channels === undefined) {
      channels = new Map();
      this.#acks.set(sessionId, channels);
    }
    let partitions = channels.get(channel);
    if (partitions === undefined) {
      partitions = new Map();
      channels.set(channel, partitions);
    }
    const prev = partitions.get(partition);
    if (prev === undefined) {
      this.#size++;
      partitions.set(partition, offset);
    } else if (offset > prev) partitions.set(partition, offset);
  }

  /** Takes every pending ack out (the coalescer is empty afterwards). The batch is the caller's. */
  drain(): AckBatch {
    const batch = this.#acks;
    this.#acks = new Map();
    this.#size = 0;
    return batch;
  }

  /**
   * Merges a batch back (after its write failed), keeping the maximum per
   * key, so an ack added since the drain is not replaced by an older one.
   */
  restore(batch: AckBatch): void {
    for (const [sessionId, channels] of batch) {
      for (const [channel, partitions] of channels) {
        for (const [partition, offset] of partitions) this.add(sessionId, channel, partition, offset);
      }
    }
  }
}
