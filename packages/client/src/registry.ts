import type { Publication } from '@fanout/protocol';
import { decodeKey } from './channel.js';
import type { SubscriptionImpl } from './subscription.js';

/**
 * The client's subscriptions by channel and by topic, and the routing of
 * publications to them (see "Live and replayed publications" in the .proto).
 */
export class Registry {
  private readonly byChannel = new Map<string, SubscriptionImpl>();
  private readonly byTopic = new Map<string, Set<SubscriptionImpl>>();

  get(channel: string): SubscriptionImpl | undefined {
    return this.byChannel.get(channel);
  }

  values(): IterableIterator<SubscriptionImpl> {
    return this.byChannel.values();
  }

  add(sub: SubscriptionImpl): void {
    this.byChannel.set(sub.channel, sub);
    let set = this.byTopic.get(sub.topic);
    if (!set) {
      set = new Set();
      this.byTopic.set(sub.topic, set);
    }
    set.add(sub);
  }

  remove(sub: SubscriptionImpl): void {
    if (this.byChannel.get(sub.channel) === sub) this.byChannel.delete(sub.channel);
    this.byTopic.get(sub.topic)?.delete(sub);
  }

  /**
   * A replayed publication (channel set) goes to that subscription only; a
   * live one to every live subscription of its topic whose key matches. Each
   * subscription then drops what it already has, per partition.
   */
  route(pub: Publication): void {
    if (pub.channel) {
      const sub = this.byChannel.get(pub.channel);
      if (sub?.onEdge) sub.offer(pub, true);
      return;
    }
    const subs = this.byTopic.get(pub.topic);
    if (!subs) return;
    let key: string | null | undefined;
    for (const sub of subs) {
      // Until `Subscribed`, a subscription's records come from its replay only.
      if (sub.state !== 'subscribed') continue;
      if (sub.key !== undefined) {
        if (key === undefined) key = decodeKey(pub.key);
        if (key !== sub.key) continue;
      }
      sub.offer(pub, false);
    }
  }
}
