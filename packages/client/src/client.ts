import type { ErrorFrame, Hello, ServerFrame, Welcome } from '@fanout/protocol';
import { ErrorCode, PROTOCOL_VERSION, Start, isRetriableError } from '@fanout/protocol';
import { AckBatcher } from './ack-batcher.js';
import type { FanoutClient, RecordHandler, SubscribeOptions, Subscription } from './api.js';
import { backoffDelay } from './backoff.js';
import { parseChannel, parseFrom } from './channel.js';
import { Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { FanoutClientError } from './errors.js';
import type { ConnectionHost, SubscriptionHost } from './hosts.js';
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { Registry } from './registry.js';
import { SessionKeeper } from './session.js';
import { SubscriptionImpl } from './subscription.js';
import type { ClientEvents, ClientState } from './types.js';
import { VERSION } from './version.js';

/** Creates a client and starts connecting (after loading its stored session, if any). */
export function createClient(options: ClientOptions): FanoutClient {
  return new ClientImpl(resolveOptions(options));
}

// Error codes that, with request_id 0 and a channel, end a subscription the
// edge holds: a restored one it cannot serve, or one a refreshed token no
// longer allows (the edge has dropped it).
const REVOKED: ReadonlySet<number> = new Set([
  ErrorCode.FORBIDDEN,
  ErrorCode.INVALID_CHANNEL,
  ErrorCode.UNKNOWN_TOPIC,
]);

class ClientImpl implements FanoutClient, ConnectionHost, SubscriptionHost {
  readonly maxBuffered: number;
  private readonly events: Emitter<ClientEvents>;
  private readonly conn: Connection;
  private readonly subs = new Registry();
  private readonly acks: AckBatcher;
  private readonly session: SessionKeeper;
  private requestId = 0;

  constructor(private readonly o: ResolvedOptions) {
    this.maxBuffered = o.maxBuffered;
    this.events = new Emitter((err) => this.log('error', { err }, 'client listener threw'));
    this.conn = new Connection(o, this, this.events);
    this.acks = new AckBatcher(o.ackDelayMs, o.ackBatch, o.clock, (ack) => this.conn.send({ ack }));
    this.session = new SessionKeeper(o, this.subs, (err) => this.log('warn', { err }, 'storage failed'));
    void this.load();
  }

  get state(): ClientState {
    return this.conn.state;
  }

  get sessionId(): string | undefined {
    return this.session.sessionId;
  }

  subscribe(channel: string, a: SubscribeOptions | RecordHandler, b?: RecordHandler): Subscription {
    const handler = typeof a === 'function' ? a : b;
    const from = (typeof a === 'function' ? undefined : a.from) ?? 'latest';
    const parsed = parseChannel(channel);
    const invalid = (message: string) => new FanoutClientError('invalid_options', message, { channel });
    if (this.state === 'closed') throw new FanoutClientError('client_closed', 'the client is closed');
    if (!parsed) throw invalid(`invalid channel ${JSON.stringify(channel)}`);
    if (typeof handler !== 'function') throw invalid('subscribe needs a handler');
    if (this.subs.get(channel)) {
      throw new FanoutClientError('already_subscribed', `already subscribed to ${channel}`, { channel });
    }
    const start = parseFrom(from);
    if (!start) throw invalid('from must be latest, earliest or { after }');
    const sub = new SubscriptionImpl(
      channel,
      parsed.topic,
      parsed.key,
      start.start,
      start.after,
      handler,
      this,
    );
    this.subs.add(sub);
    this.session.claim(sub);
    if (this.conn.ready) this.sendSubscribe(sub, 'subscribe');
    return sub;
  }

  subscription(channel: string): Subscription | undefined {
    return this.subs.get(channel);
  }

  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  reconnect(): void {
    this.acks.flush();
    this.conn.reconnect('reconnect requested');
  }

  async close(): Promise<void> {
    if (this.state !== 'closed') {
      this.acks.flush();
      this.conn.close();
    }
    await this.session.flushed();
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
    this.session.set(welcome.sessionId);
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
        this.subs.route(frame.publication);
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
    if (action === 'new-session') this.session.set(undefined);
    for (const sub of this.subs.values()) {
      this.o.clock.clearTimeout(sub.retryTimer);
      sub.detach();
    }
  }

  stopped(error: FanoutClientError | undefined): void {
    if (error?.closeCode === 4403 || error?.serverCode === ErrorCode.SESSION_FORBIDDEN) {
      this.session.sessionId = undefined;
    }
    // Persist before the subscriptions end: the next run resumes from here.
    this.session.save(true);
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
    this.session.save(false);
  }

  advanced(): void {
    this.session.save(false);
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
    this.subs.remove(sub);
    // During a resync the edge is already leaving the channel.
    if (sub.onEdge && sub.resyncId === 0 && this.conn.ready) {
      this.conn.send({ unsubscribe: { requestId: this.nextId(), channel: sub.channel } });
    }
    this.session.save(false);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    this.o.logger[level]?.({ ...fields, session_id: this.sessionId }, message);
  }

  // --- internals

  private async load(): Promise<void> {
    await this.session.load();
    if (this.state === 'closed') return;
    this.o.globalEvents?.addEventListener('pagehide', this.onPageHide);
    this.conn.start();
  }

  private sendSubscribe(sub: SubscriptionImpl, reason: string): void {
    const { start, after } = sub.startFor();
    const requestId = this.nextId();
    sub.gaps.clear();
    sub.attach(requestId, start === Start.AFTER && sub.complete ? 'resuming' : 'subscribing', reason);
    this.conn.send({ subscribe: { requestId, channel: sub.channel, start, after } });
  }

  private serverError(e: ErrorFrame): void {
    if (this.resynced(e.requestId)) return;
    const error = new FanoutClientError('server_error', e.message || `error ${e.code}`, {
      serverCode: e.code,
      retriable: e.retriable || isRetriableError(e.code),
      ...(e.channel ? { channel: e.channel } : {}),
    });
    const revoked = e.requestId === 0 && REVOKED.has(e.code) ? this.subs.get(e.channel) : undefined;
    const sub =
      revoked?.onEdge === true
        ? revoked
        : [...this.subs.values()].find(
            (s) => e.requestId !== 0 && s.onEdge && s.requestId === e.requestId && s.state !== 'subscribed',
          );
    if (!sub) {
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
      this.subs.remove(sub);
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

  private nextId(): number {
    // Non-zero uint32.
    this.requestId = (this.requestId % 0xffff_ffff) + 1;
    return this.requestId;
  }

  private readonly onPageHide = (): void => this.session.save(true);
}
