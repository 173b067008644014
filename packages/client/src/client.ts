import type {
  ErrorFrame,
  Hello,
  Position,
  Publication,
  ServerFrame,
  StartValue,
  Welcome,
} from '@fanout/protocol';
import { ErrorCode, isRetriableError, PROTOCOL_VERSION, Start } from '@fanout/protocol';
import { AckBatcher } from './ack-batcher.js';
import { backoffDelay } from './backoff.js';
import { decodeKey, parseChannel } from './channel.js';
import { Connection, type ConnectionHost } from './connection.js';
import { Emitter } from './emitter.js';
import { FanoutClientError } from './errors.js';
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type PersistedChannel, type PersistedSession, Persister } from './storage.js';
import {
  type RecordHandler,
  type Subscription,
  type SubscriptionHost,
  SubscriptionImpl,
} from './subscription.js';
import type { ClientEvents, ClientState } from './types.js';
import { VERSION } from './version.js';

/** Where a new subscription starts when the client has delivered nothing of its channel yet. */
export interface SubscribeOptions {
  /**
   * `'latest'`: records produced from now on; `'earliest'`: every record still
   * available; `{ after }`: after these positions (partitions not listed start
   * at the latest). Ignored once the channel has delivered positions (kept in
   * memory or in storage): the subscription then resumes after them.
   * Default `'latest'`.
   */
  from?: 'latest' | 'earliest' | { after: readonly Position[] };
}

/** A fanout client: one logical connection, any number of subscriptions. */
export interface FanoutClient {
  /** The connection state. */
  readonly state: ClientState;
  /** The session id, once the edge gave one (or one was loaded from storage). */
  readonly sessionId: string | undefined;
  /** Subscribes to `<topic>` or `<topic>:<key>`; throws `already_subscribed` if the client holds it. */
  subscribe(channel: string, options: SubscribeOptions, handler: RecordHandler): Subscription;
  subscribe(channel: string, handler: RecordHandler): Subscription;
  /** The live subscription to `channel`, if any. */
  subscription(channel: string): Subscription | undefined;
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void;
  /**
   * Flushes pending acks, closes the connection with 1000 and stops. Records
   * still buffered or being handled are not acked: the next client of this
   * session gets them again. Resolves once storage is written.
   */
  close(): Promise<void>;
}

/** Creates a client and starts connecting (after loading its stored session, if any). */
export function createClient(options: ClientOptions): FanoutClient {
  return new ClientImpl(resolveOptions(options));
}

// Error codes that, with request_id 0, refuse a subscription the edge restored.
const REFUSALS: ReadonlySet<number> = new Set([
  ErrorCode.FORBIDDEN,
  ErrorCode.INVALID_CHANNEL,
  ErrorCode.UNKNOWN_TOPIC,
  ErrorCode.TOO_MANY_SUBSCRIPTIONS,
  ErrorCode.INVALID_POSITION,
]);

class ClientImpl implements FanoutClient, ConnectionHost, SubscriptionHost {
  sessionId: string | undefined;
  readonly maxBuffered: number;
  private readonly events: Emitter<ClientEvents>;
  private readonly conn: Connection;
  private readonly subs = new Map<string, SubscriptionImpl>();
  private readonly byTopic = new Map<string, Set<SubscriptionImpl>>();
  private readonly acks: AckBatcher;
  private readonly persister: Persister | undefined;
  // Channels loaded from storage that no subscription has claimed yet.
  private stored = new Map<string, PersistedChannel>();
  private loaded = false;
  private requestId = 0;

  constructor(private readonly o: ResolvedOptions) {
    this.maxBuffered = o.maxBuffered;
    this.events = new Emitter((err) => this.log('error', { err }, 'client listener threw'));
    this.conn = new Connection(o, this, this.events);
    this.acks = new AckBatcher(o.ackDelayMs, o.ackBatch, o.clock, (ack) => this.conn.send({ ack }));
    const onError = (err: unknown): void => this.log('warn', { err }, 'storage failed');
    this.persister =
      o.storage &&
      new Persister(o.storage, `fanout:${o.name}`, o.persistDelayMs, o.clock, () => this.snapshot(), onError);
    void this.load();
  }

  get state(): ClientState {
    return this.conn.state;
  }

  subscribe(channel: string, a: SubscribeOptions | RecordHandler, b?: RecordHandler): Subscription {
    const handler = typeof a === 'function' ? a : b;
    const from = (typeof a === 'function' ? undefined : a.from) ?? 'latest';
    const parsed = parseChannel(channel);
    const invalid = (message: string) => new FanoutClientError('invalid_options', message, { channel });
    if (this.state === 'closed') throw new FanoutClientError('client_closed', 'the client is closed');
    if (!parsed) throw invalid(`invalid channel ${JSON.stringify(channel)}`);
    if (typeof handler !== 'function') throw invalid('subscribe needs a handler');
    if (this.subs.has(channel)) {
      throw new FanoutClientError('already_subscribed', `already subscribed to ${channel}`, { channel });
    }
    let start: StartValue = Start.LATEST;
    let after: readonly Position[] = [];
    if (from === 'earliest') start = Start.EARLIEST;
    else if (typeof from === 'object' && Array.isArray(from.after))
      [start, after] = [Start.AFTER, from.after];
    else if (from !== 'latest') throw invalid('from must be latest, earliest or { after }');
    const sub = new SubscriptionImpl(channel, parsed.topic, parsed.key, start, after, handler, this);
    this.subs.set(channel, sub);
    let set = this.byTopic.get(parsed.topic);
    if (!set) {
      set = new Set();
      this.byTopic.set(parsed.topic, set);
    }
    set.add(sub);
    this.claim(sub);
    if (this.conn.ready) this.sendSubscribe(sub, 'subscribe');
    return sub;
  }

  subscription(channel: string): Subscription | undefined {
    return this.subs.get(channel);
  }

  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  async close(): Promise<void> {
    if (this.state !== 'closed') {
      this.acks.flush();
      this.conn.close();
    }
    await this.persister?.flushed();
  }

  // --- ConnectionHost

  hello(token: string): Partial<Hello> {
    const delivered = [...this.subs.values()]
      .map((sub) => ({ channel: sub.channel, positions: sub.positions() }))
      .filter((d) => d.positions.length > 0);
    return {
      token,
      sessionId: this.sessionId ?? '',
      delivered,
      clientName: 'fanout-js',
      clientVersion: VERSION,
      protocolVersion: PROTOCOL_VERSION,
    };
  }

  welcome(welcome: Welcome): void {
    if (this.sessionId !== welcome.sessionId) {
      this.sessionId = welcome.sessionId;
      this.persist(true);
    }
    const restored = new Map(
      welcome.resumed ? welcome.subscriptions.map((s) => [s.channel, s] as const) : [],
    );
    for (const sub of this.subs.values()) {
      if (restored.delete(sub.channel)) sub.attach(0, 'resuming', 'session resumed');
      else this.sendSubscribe(sub, welcome.resumed ? 'not in the session' : 'new session');
    }
    // The session holds channels this client no longer wants.
    for (const channel of restored.keys())
      this.conn.send({ unsubscribe: { requestId: this.nextId(), channel } });
  }

  frame(frame: ServerFrame): void {
    switch (frame.kind) {
      case 'publication':
        this.route(frame.publication);
        return;
      case 'subscribed': {
        const { channel, requestId, positions } = frame.subscribed;
        const sub = this.subs.get(channel);
        if (sub?.onEdge && sub.requestId === requestId && sub.state !== 'subscribed') {
          sub.subscribed(positions);
          this.acks.schedule();
        }
        return;
      }
      case 'unsubscribed':
        this.resynced(frame.unsubscribed.requestId);
        return;
      case 'continuityLost': {
        const sub = this.subs.get(frame.continuityLost.channel);
        if (sub?.onEdge) sub.lost(frame.continuityLost);
        return;
      }
      case 'error':
        this.serverError(frame.error);
        return;
    }
  }

  lost(action: 'resume' | 'new-session' | 'refresh-token'): void {
    if (action === 'new-session' && this.sessionId !== undefined) {
      this.sessionId = undefined;
      this.persist(true);
    }
    for (const sub of this.subs.values()) {
      this.o.clock.clearTimeout(sub.retryTimer);
      sub.detach();
    }
  }

  stopped(error: FanoutClientError | undefined): void {
    if (error?.closeCode === 4403 || error?.serverCode === ErrorCode.SESSION_FORBIDDEN)
      this.sessionId = undefined;
    // Persist before the subscriptions end: the next run resumes from here.
    this.persist(true);
    this.o.globalEvents?.removeEventListener('pagehide', this.onPageHide);
    this.acks.clear();
    for (const sub of this.subs.values()) {
      this.o.clock.clearTimeout(sub.retryTimer);
      sub.end('unsubscribed', error ? 'connection stopped' : 'client closed', error);
    }
  }

  // --- SubscriptionHost

  processed(sub: SubscriptionImpl, partition: number, offset: number): void {
    this.acks.add(sub, partition, offset);
    this.persist(false);
  }

  advanced(): void {
    this.persist(false);
  }

  drained(sub: SubscriptionImpl): void {
    // Records were dropped on overflow: leave and re-subscribe after what was delivered.
    if (sub.gaps.size === 0 || sub.state !== 'subscribed' || !sub.onEdge || !this.conn.ready) return;
    this.acks.flush();
    sub.resyncId = this.nextId();
    sub.setState('resuming', 'resync after overflow');
    this.conn.send({ unsubscribe: { requestId: sub.resyncId, channel: sub.channel } });
  }

  unsubscribe(sub: SubscriptionImpl): void {
    this.acks.flush();
    this.o.clock.clearTimeout(sub.retryTimer);
    this.forget(sub);
    if (sub.onEdge && this.conn.ready)
      this.conn.send({ unsubscribe: { requestId: this.nextId(), channel: sub.channel } });
    this.persist(false);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    this.o.logger[level]?.({ ...fields, session_id: this.sessionId }, message);
  }

  // --- internals

  private async load(): Promise<void> {
    const session = await this.persister?.load();
    if (session) {
      this.sessionId ??= session.sessionId || undefined;
      this.stored = session.channels;
      for (const sub of this.subs.values()) this.claim(sub);
    }
    this.loaded = true;
    if (this.state === 'closed') return;
    this.o.globalEvents?.addEventListener('pagehide', this.onPageHide);
    this.conn.start();
  }

  private claim(sub: SubscriptionImpl): void {
    const stored = this.stored.get(sub.channel);
    if (!stored) return;
    this.stored.delete(sub.channel);
    sub.restore(stored);
  }

  private sendSubscribe(sub: SubscriptionImpl, reason: string): void {
    const { start, after } = sub.startFor();
    const requestId = this.nextId();
    sub.gaps.clear();
    sub.attach(requestId, start === Start.AFTER && sub.complete ? 'resuming' : 'subscribing', reason);
    this.conn.send({ subscribe: { requestId, channel: sub.channel, start, after } });
  }

  private route(pub: Publication): void {
    if (pub.channel) {
      const sub = this.subs.get(pub.channel);
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

  private serverError(e: ErrorFrame): void {
    if (this.resynced(e.requestId)) return;
    const error = new FanoutClientError('server_error', e.message || `error ${e.code}`, {
      serverCode: e.code,
      retriable: e.retriable || isRetriableError(e.code),
      ...(e.channel ? { channel: e.channel } : {}),
    });
    const sub =
      e.requestId !== 0
        ? [...this.subs.values()].find((s) => s.onEdge && s.requestId === e.requestId)
        : REFUSALS.has(e.code)
          ? this.subs.get(e.channel)
          : undefined;
    if (!sub || sub.state === 'subscribed' || sub.requestId !== e.requestId) {
      this.events.emit('error', error);
      return;
    }
    const refusal = new FanoutClientError(
      'subscribe_failed',
      `subscribe ${sub.channel} refused: ${error.message}`,
      {
        serverCode: e.code,
        retriable: error.retriable,
        channel: sub.channel,
      },
    );
    if (!refusal.retriable) {
      this.forget(sub);
      sub.fail(refusal);
      return;
    }
    sub.onEdge = false;
    const delay = backoffDelay(sub.attempt++, this.o.minMs, this.o.maxMs, this.o.random);
    this.log('warn', { channel: sub.channel, err: refusal, delay }, 'subscribe refused; retrying');
    sub.retryTimer = this.o.clock.setTimeout(() => {
      if (this.conn.ready && this.subs.get(sub.channel) === sub && !sub.onEdge)
        this.sendSubscribe(sub, 'retry');
    }, delay);
  }

  /** Continues a resync once its Unsubscribe is answered. */
  private resynced(requestId: number): boolean {
    if (requestId === 0) return false;
    for (const sub of this.subs.values()) {
      if (sub.resyncId === requestId) {
        this.sendSubscribe(sub, 'resync');
        return true;
      }
    }
    return false;
  }

  private forget(sub: SubscriptionImpl): void {
    this.subs.delete(sub.channel);
    this.byTopic.get(sub.topic)?.delete(sub);
  }

  private nextId(): number {
    // Non-zero uint32.
    this.requestId = (this.requestId % 0xffff_ffff) + 1;
    return this.requestId;
  }

  private persist(now: boolean): void {
    if (!this.persister || !this.loaded) return;
    if (now) this.persister.flush();
    else this.persister.schedule();
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

  private readonly onPageHide = (): void => this.persister?.flush();
}
