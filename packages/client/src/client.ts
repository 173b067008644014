import type { ErrorFrame, Hello, ServerFrame, Welcome } from '@fanout/protocol';
import { ErrorCode, PROTOCOL_VERSION, Start, isRetriableError } from '@fanout/protocol';
import { AckBatcher } from './ack-batcher.js';
import type {
  FanoutClient,
  RecordHandler,
  RecordStream,
  RecordsOptions,
  SubscribeOptions,
  Subscription,
} from './api.js';
import { backoffDelay } from './backoff.js';
import { parseChannel, parseFrom } from './channel.js';
import { Connection } from './connection.js';
import { Emitter } from './emitter.js';
import { FanoutClientError } from './errors.js';
import { Handle } from './handle.js';
import type { ConnectionHost, SubscriptionHost } from './hosts.js';
import { type ClientOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { RecordStreamImpl } from './record-stream.js';
import { Registry } from './registry.js';
import { SessionKeeper } from './session.js';
import { SubscriptionImpl } from './subscription.js';
import type { ClientEvents, ClientState, Clock, SubscriptionStateReason, WebSocketCtor } from './types.js';
import { VERSION } from './version.js';

/**
 * Creates a client and starts connecting (after loading its stored session,
 * if any), unless `autoConnect` is false. Throws `invalid_options` naming
 * every invalid option.
 */
export function createClient(options: ClientOptions): FanoutClient {
  return new ClientImpl(resolveOptions(options));
}

/** `createClient` with a fallback WebSocket loader (the Node entry's `ws`). */
export function createClientWith(
  options: ClientOptions,
  loadWebSocket: () => Promise<WebSocketCtor>,
): FanoutClient {
  return new ClientImpl(resolveOptions(options, loadWebSocket));
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
  readonly clock: Clock;
  private started = false;
  private loaded: Promise<void>;
  private readonly events: Emitter<ClientEvents>;
  private readonly conn: Connection;
  private readonly subs = new Registry();
  private readonly acks: AckBatcher;
  private readonly session: SessionKeeper;
  private requestId = 0;

  constructor(private readonly o: ResolvedOptions) {
    this.maxBuffered = o.maxBuffered;
    this.clock = o.clock;
    this.events = new Emitter((err) => this.log('error', { err }, 'client listener threw'));
    this.conn = new Connection(o, this, this.events);
    this.acks = new AckBatcher(o.ackDelayMs, o.ackBatch, o.clock, (ack) => this.conn.send({ ack }));
    this.session = new SessionKeeper(o, this.subs, (err) => this.log('warn', { err }, 'storage failed'));
    this.loaded = this.load();
    if (o.autoConnect) this.connect();
  }

  get state(): ClientState {
    return this.conn.state;
  }

  get sessionId(): string | undefined {
    return this.session.sessionId;
  }

  subscribe<T>(
    channel: string,
    a: SubscribeOptions<T> | RecordHandler<T>,
    b?: RecordHandler<T>,
  ): Subscription<T> {
    const handler = typeof a === 'function' ? a : b;
    const options = typeof a === 'function' ? {} : (a ?? {});
    return this.handle(channel, options, handler);
  }

  records<T = Uint8Array>(channel: string, options: RecordsOptions<T> = {}): RecordStream<T> {
    const { signal, ...subscribeOptions } = options;
    return new RecordStreamImpl<T>((handler) => this.handle(channel, subscribeOptions, handler), signal);
  }

  subscription(channel: string): Subscription<unknown> | undefined {
    const [first] = this.subs.get(channel)?.handles ?? [];
    return first;
  }

  connect(): void {
    if (this.started || this.state === 'closed') return;
    this.started = true;
    void this.loaded.then(() => {
      if (this.state === 'closed') return;
      this.o.globalEvents?.addEventListener('pagehide', this.onPageHide);
      this.conn.start();
    });
  }

  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  reconnect(): void {
    this.acks.flush();
    this.conn.reconnect();
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
      if (restored.delete(sub.channel)) sub.attach(0, 'resuming', { type: 'session-resumed' });
      else this.sendSubscribe(sub, welcome.resumed ? 'not-in-session' : 'new-session');
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
      sub.end('unsubscribed', { type: error ? 'connection-stopped' : 'client-closed' }, error);
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
    sub.setState('resuming', { type: 'overflow' });
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
  }

  /** A new handle on the channel's subscription, made on first use. */
  private handle<T>(
    channel: string,
    options: SubscribeOptions<T>,
    handler: RecordHandler<T> | undefined,
  ): Handle<T> {
    const parsed = parseChannel(channel);
    const invalid = (message: string) => new FanoutClientError('invalid_options', message, { channel });
    if (this.state === 'closed') throw new FanoutClientError('client_closed', 'the client is closed');
    if (!parsed) throw invalid(`invalid channel ${JSON.stringify(channel)}`);
    if (typeof handler !== 'function') throw invalid('subscribe needs a handler');
    if (options.decode !== undefined && typeof options.decode !== 'function')
      throw invalid('decode must be a function');
    const start = parseFrom(options.from);
    if (!start)
      throw invalid('from must be latest, earliest, { after } or { timestamp } (ms >= 0 or a Date)');
    let sub = this.subs.get(channel);
    const fresh = !sub;
    if (!sub) {
      sub = new SubscriptionImpl(
        channel,
        parsed.topic,
        parsed.key,
        start.start,
        start.after,
        start.timestampMs,
        this,
      );
      this.subs.add(sub);
      this.session.claim(sub);
    }
    const handle = new Handle<T>(sub, handler, options.decode);
    sub.addHandle(handle as unknown as Handle<unknown>);
    if (fresh && this.conn.ready) this.sendSubscribe(sub, 'new');
    return handle;
  }

  private sendSubscribe(
    sub: SubscriptionImpl,
    cause: Extract<SubscriptionStateReason, { type: 'subscribe' }>['cause'],
  ): void {
    const { start, after, timestampMs } = sub.startFor();
    const requestId = this.nextId();
    sub.gaps.clear();
    sub.attach(requestId, start === Start.AFTER && sub.complete ? 'resuming' : 'subscribing', {
      type: 'subscribe',
      cause,
    });
    this.conn.send({
      subscribe: { requestId, channel: sub.channel, start, after, ...(timestampMs ? { timestampMs } : {}) },
    });
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
