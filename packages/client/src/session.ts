import type { ResolvedOptions } from './options.js';
import type { Registry } from './registry.js';
import { type PersistedChannel, type PersistedSession, Persister } from './storage.js';
import type { SubscriptionImpl } from './subscription.js';

/**
 * The client's session id and the persisted positions of its channels.
 * Storage policy: delivered positions are written at most every
 * `persistDelayMs` while records flow, and at once when the session changes,
 * on `pagehide` and on close. A reload therefore replays at most the records
 * handled in the last `persistDelayMs` whose acks had not reached the edge
 * either: the SDK's dedup cannot drop records from before the reload, since
 * it never saw them.
 */
export class SessionKeeper {
  sessionId: string | undefined;
  // Channels loaded from storage that no subscription has claimed yet; kept
  // (and written back) so a channel subscribed later still resumes.
  private stored = new Map<string, PersistedChannel>();
  private loaded = false;
  private readonly persister: Persister | undefined;

  constructor(
    o: ResolvedOptions,
    private readonly subs: Registry,
    onError: (error: unknown) => void,
  ) {
    this.persister =
      o.storage &&
      new Persister(o.storage, `fanout:${o.name}`, o.persistDelayMs, o.clock, () => this.snapshot(), onError);
  }

  /** Reads the stored session; subscriptions made meanwhile take their positions. */
  async load(): Promise<void> {
    const session = await this.persister?.load();
    if (session) {
      this.sessionId ??= session.sessionId || undefined;
      this.stored = session.channels;
      for (const sub of this.subs.values()) this.claim(sub);
    }
    this.loaded = true;
  }

  /** Gives a new subscription the positions stored for its channel, if any. */
  claim(sub: SubscriptionImpl): void {
    const stored = this.stored.get(sub.channel);
    if (!stored) return;
    this.stored.delete(sub.channel);
    sub.restore(stored);
  }

  /** Sets (or forgets, with undefined) the session id; written at once. */
  set(sessionId: string | undefined): void {
    if (this.sessionId === sessionId) return;
    this.sessionId = sessionId;
    this.save(true);
  }

  /** Positions changed: write now, or coalesced within `persistDelayMs`. */
  save(now: boolean): void {
    if (!this.persister || !this.loaded) return;
    if (now) this.persister.flush();
    else this.persister.schedule();
  }

  /** Resolves once every write issued so far has completed. */
  async flushed(): Promise<void> {
    await this.persister?.flushed();
  }

  private snapshot(): PersistedSession | undefined {
    const channels = new Map(this.stored);
    for (const sub of this.subs.values()) {
      if (sub.delivered.size > 0)
        channels.set(sub.channel, { positions: sub.positions(), complete: sub.complete });
    }
    if (this.sessionId === undefined && channels.size === 0) return undefined;
    return { sessionId: this.sessionId ?? '', channels };
  }
}
