import {
  type ChannelPositions,
  type ClientFrameInput,
  type ContinuityLost,
  type ErrorFrame,
  type GoAway,
  PROTOCOL_VERSION,
  type Position,
  type Publication,
  type ServerFrame,
  Start,
  type StartValue,
  type Subscribed,
  type Welcome,
  decodeServerFrame,
  encodeClientFrame,
} from '@fanout/protocol';
import { type ClientOptions, WebSocket } from 'ws';

/** One publication as a subscription received it. */
export interface Received {
  partition: number;
  offset: number;
  /** The key as UTF-8, or null. */
  key: string | null;
  /** The payload's first 64 bytes as UTF-8 (tests put an id there). */
  payload: string;
  /** True when it came as a replayed publication (channel set). */
  replayed: boolean;
  /** The whole publication, with `keepPublications`. */
  pub?: Publication;
}

/** One subscription as the SDK would route it. */
export interface SubscriptionState {
  readonly channel: string;
  readonly topic: string;
  /** The channel's key, or null for `<topic>`. */
  readonly key: string | null;
  /** After its `Subscribed`: live publications are routed to it. */
  live: boolean;
  subscribed: Subscribed | undefined;
  readonly received: Received[];
  /** Per partition, the last offset received on this connection. */
  readonly last: Map<number, number>;
}

/** The edge's Error frame, thrown by `hello()`. */
export class EdgeErrorFrame extends Error {
  constructor(readonly frame: ErrorFrame) {
    super(`edge error ${frame.code}: ${frame.message}`);
  }
}

/** Options of {@link RawClient.connect}. */
export interface RawClientOptions {
  /** Answer the edge's Ping with Pong (default true). */
  autoPong?: boolean;
  /** Keep the payloads' text in `Received.payload` (default true). */
  keepPayload?: boolean;
  /** Keep every publication whole in `Received.pub` (default false). */
  keepPublications?: boolean;
  /** Name for failure messages. */
  name?: string;
  /** Options for `ws` (e.g. `perMessageDeflate: true`, `ca`, `createConnection`); permessage-deflate is off unless given. */
  ws?: ClientOptions;
}

interface Waiter {
  check(): boolean;
  resolve(): void;
  reject(err: Error): void;
}

const utf8 = new TextDecoder();

function splitChannel(channel: string): { topic: string; key: string | null } {
  const i = channel.indexOf(':');
  return i < 0 ? { topic: channel, key: null } : { topic: channel.slice(0, i), key: channel.slice(i + 1) };
}

/**
 * A protocol-level test client: speaks raw frames over `ws` and routes
 * publications exactly as the SDK will (live ones, with an empty `channel`,
 * to every live subscription whose channel matches; replayed ones to the one
 * subscription they name), without any dedup. It records protocol violations
 * instead of hiding them: an offset that does not strictly increase per
 * (subscription, partition) on this connection, a replayed publication for an
 * unknown subscription, a live one after the socket holds no matching live
 * subscription.
 */
export class RawClient {
  readonly subs = new Map<string, SubscriptionState>();
  /** Every frame but publications and pings, in arrival order. */
  readonly events: ServerFrame[] = [];
  readonly errors: ErrorFrame[] = [];
  readonly continuityLost: ContinuityLost[] = [];
  readonly goAways: GoAway[] = [];
  /** Broken promises of the protocol, as text. */
  readonly violations: string[] = [];
  /** Undecodable frames. */
  readonly malformed: string[] = [];
  publications = 0;
  /** Live publications that matched no live subscription (not a violation by itself). */
  unrouted = 0;
  welcome: Welcome | undefined;
  close: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly name: string;
  #requestId = 0;
  #waiters = new Set<Waiter>();
  readonly #autoPong: boolean;
  readonly #keepPayload: boolean;
  readonly #keepPublications: boolean;

  private constructor(
    readonly ws: WebSocket,
    opts: RawClientOptions,
  ) {
    this.name = opts.name ?? 'client';
    this.#autoPong = opts.autoPong ?? true;
    this.#keepPayload = opts.keepPayload ?? true;
    this.#keepPublications = opts.keepPublications ?? false;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.close = { code, reason: reason.toString() };
        resolve(this.close);
        this.#settle(true);
      });
    });
    ws.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
  }

  /** Opens a WebSocket to the edge. */
  static connect(url: string, opts: RawClientOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, ...opts.ws });
      ws.binaryType = 'nodebuffer';
      const client = new RawClient(ws, opts);
      ws.once('open', () => resolve(client));
      ws.once('error', (err) => reject(err));
      ws.on('error', () => undefined);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
      );
    });
  }

  /** Sends a frame. */
  send(frame: ClientFrameInput): void {
    this.sendBytes(encodeClientFrame(frame));
  }

  /** Sends raw bytes as a binary message. */
  sendBytes(bytes: Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(bytes, { binary: true });
  }

  /** Sends a text message (a protocol error). */
  sendText(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text, { binary: false });
  }

  /**
   * Sends Hello; resolves with Welcome, rejects with {@link EdgeErrorFrame}
   * (or when the connection closes first). For a resume, the session's
   * subscriptions named in Welcome are set up (not live until their
   * `Subscribed`).
   */
  async hello(
    opts: { sessionId?: string; delivered?: ChannelPositions[]; token?: string } = {},
  ): Promise<Welcome> {
    const errorsBefore = this.errors.length;
    this.send({
      hello: {
        token: opts.token ?? '',
        sessionId: opts.sessionId ?? '',
        delivered: opts.delivered ?? [],
        clientName: 'raw-client',
        clientVersion: '0',
        protocolVersion: PROTOCOL_VERSION,
      },
    });
    await this.waitFor(() => this.welcome !== undefined || this.errors.length > errorsBefore, 'Welcome');
    if (this.welcome) return this.welcome;
    throw new EdgeErrorFrame(this.errors[errorsBefore] as ErrorFrame);
  }

  /** Subscribes; resolves with `Subscribed` or the `Error` answering this request. */
  async subscribe(
    channel: string,
    start: StartValue = Start.LATEST,
    after: Position[] = [],
    timeoutMs = 60_000,
  ): Promise<Subscribed | ErrorFrame> {
    const requestId = ++this.#requestId;
    if (!this.subs.has(channel)) this.subs.set(channel, newSub(channel));
    this.send({ subscribe: { requestId, channel, start, after } });
    let answer: Subscribed | ErrorFrame | undefined;
    await this.waitFor(
      () => {
        for (let i = this.events.length - 1; i >= 0; i--) {
          const f = this.events[i] as ServerFrame;
          if (f.kind === 'subscribed' && f.subscribed.requestId === requestId) answer = f.subscribed;
          else if (f.kind === 'error' && f.error.requestId === requestId) answer = f.error;
          if (answer) return true;
        }
        return false;
      },
      `answer to Subscribe ${channel}`,
      timeoutMs,
    );
    if (answer && 'code' in answer && this.subs.get(channel)?.subscribed === undefined)
      this.subs.delete(channel);
    return answer as Subscribed | ErrorFrame;
  }

  /** Acks positions of a channel. */
  ack(channel: string, positions: Position[]): void {
    this.send({ ack: { channel, positions } });
  }

  /** Per subscribed channel, the last offset received per partition on this connection. */
  delivered(): ChannelPositions[] {
    return [...this.subs.values()]
      .filter((s) => s.last.size > 0)
      .map((s) => ({
        channel: s.channel,
        positions: [...s.last].map(([partition, offset]) => ({ partition, offset })),
      }));
  }

  /** Acks everything received so far, per subscription. */
  ackAll(): void {
    for (const d of this.delivered()) this.ack(d.channel, d.positions);
  }

  /** Stops reading from the socket (the edge's send buffer fills up). */
  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /** Closes normally and waits for the close. */
  async end(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(1000);
    else if (this.ws.readyState === WebSocket.CLOSED) return;
    const timer = setTimeout(() => this.ws.terminate(), 5000);
    await this.closed;
    clearTimeout(timer);
  }

  /** Drops the TCP connection without a close handshake. */
  terminate(): void {
    this.ws.terminate();
  }

  /**
   * Resolves once `check()` holds (checked after every frame and on close);
   * rejects after `timeoutMs`, or when the connection closed without it.
   */
  waitFor(check: () => boolean, description: string, timeoutMs = 30_000): Promise<void> {
    if (check()) return Promise.resolve();
    if (this.close)
      return Promise.reject(new Error(`${this.name}: closed (${this.close.code}) before ${description}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `${this.name}: timed out after ${timeoutMs} ms waiting for ${description} (${this.summary()})`,
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Waits for the connection to close; resolves with its code. */
  async waitForClose(timeoutMs = 30_000): Promise<{ code: number; reason: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name}: not closed after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A one-line state summary for failure messages. */
  summary(): string {
    const subs = [...this.subs.values()]
      .map((s) => `${s.channel}${s.live ? '' : '(not live)'}=${s.received.length}`)
      .join(' ');
    const errs = this.errors.map((e) => `${e.code}:${e.message}`).join('; ');
    return `subs ${subs || 'none'}; errors [${errs}]; close ${this.close?.code ?? 'open'}; violations ${this.violations.length}; publications ${this.publications} (${this.unrouted} unrouted)`;
  }

  #settle(closed: boolean): void {
    for (const w of [...this.#waiters]) {
      let ok = false;
      try {
        ok = w.check();
      } catch (err) {
        this.#waiters.delete(w);
        w.reject(err as Error);
        continue;
      }
      if (ok) {
        this.#waiters.delete(w);
        w.resolve();
      } else if (closed) {
        this.#waiters.delete(w);
        w.reject(new Error(`${this.name}: closed (${this.close?.code}) while waiting (${this.summary()})`));
      }
    }
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      this.malformed.push(`text message: ${data.toString().slice(0, 100)}`);
      return;
    }
    const decoded = decodeServerFrame(data);
    if (!decoded.ok) {
      this.malformed.push(decoded.error.message);
      return;
    }
    const frame = decoded.frame;
    switch (frame.kind) {
      case 'publication':
        this.#onPublication(frame.publication);
        break;
      case 'ping':
        if (this.#autoPong) this.send({ pong: {} });
        break;
      case 'welcome':
        this.events.push(frame);
        this.welcome = frame.welcome;
        for (const s of frame.welcome.subscriptions)
          if (!this.subs.has(s.channel)) this.subs.set(s.channel, newSub(s.channel));
        break;
      case 'subscribed': {
        this.events.push(frame);
        const sub = this.subs.get(frame.subscribed.channel);
        if (!sub) this.violations.push(`Subscribed for unknown channel ${frame.subscribed.channel}`);
        else {
          for (const p of frame.subscribed.positions) {
            const last = sub.last.get(p.partition);
            if (last !== undefined && last > p.offset)
              this.violations.push(
                `${sub.channel} p${p.partition}: Subscribed at ${p.offset} after replaying up to ${last}`,
              );
          }
          sub.subscribed = frame.subscribed;
          sub.live = true;
        }
        break;
      }
      case 'error':
        this.events.push(frame);
        this.errors.push(frame.error);
        break;
      case 'continuityLost':
        this.events.push(frame);
        this.continuityLost.push(frame.continuityLost);
        break;
      case 'goAway':
        this.events.push(frame);
        this.goAways.push(frame.goAway);
        break;
      default:
        this.events.push(frame);
    }
    this.#settle(false);
  }

  #onPublication(pub: Publication): void {
    this.publications++;
    const key = pub.key === null ? null : utf8.decode(pub.key);
    const payload = this.#keepPayload ? utf8.decode(pub.payload.subarray(0, 64)) : '';
    if (pub.channel !== '') {
      const sub = this.subs.get(pub.channel);
      if (!sub) {
        this.violations.push(`replayed publication for unknown subscription ${pub.channel}`);
        return;
      }
      // A live subscription may get replayed publications again: a slow client's catch-up.
      this.#deliver(sub, pub, key, payload, true);
      return;
    }
    let routed = false;
    for (const sub of this.subs.values()) {
      if (!sub.live || sub.topic !== pub.topic) continue;
      if (sub.key !== null && sub.key !== key) continue;
      routed = true;
      this.#deliver(sub, pub, key, payload, false);
    }
    if (!routed) this.unrouted++;
  }

  #deliver(
    sub: SubscriptionState,
    pub: Publication,
    key: string | null,
    payload: string,
    replayed: boolean,
  ): void {
    const last = sub.last.get(pub.partition);
    if (last !== undefined && pub.offset <= last)
      this.violations.push(
        `${sub.channel} p${pub.partition}: offset ${pub.offset} after ${last} (${replayed ? 'replayed' : 'live'})`,
      );
    if (sub.key !== null && sub.key !== key)
      this.violations.push(`${sub.channel}: got a record with key ${key}`);
    sub.last.set(pub.partition, pub.offset);
    sub.received.push({
      partition: pub.partition,
      offset: pub.offset,
      key,
      payload,
      replayed,
      ...(this.#keepPublications ? { pub } : {}),
    });
  }
}

function newSub(channel: string): SubscriptionState {
  const { topic, key } = splitChannel(channel);
  return { channel, topic, key, live: false, subscribed: undefined, received: [], last: new Map() };
}

/** Whether an answer to Subscribe is an Error. */
export function isError(answer: Subscribed | ErrorFrame): answer is ErrorFrame {
  return 'code' in answer;
}

/**
 * Pings through `client` every `everyMs` and tracks the slowest round trip:
 * how long the edge's event loop kept a bystander waiting.
 */
export function pinger(client: RawClient, everyMs: number) {
  let sent = 0;
  let slowest = 0;
  const pending: number[] = [];
  let answered = 0;
  client.ws.on('message', () => {
    const pongs = client.events.filter((e) => e.kind === 'pong').length;
    while (answered < pongs && pending.length > 0) {
      slowest = Math.max(slowest, Date.now() - (pending.shift() as number));
      answered++;
    }
  });
  const timer = setInterval(() => {
    pending.push(Date.now());
    sent++;
    client.send({ ping: {} });
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await client.waitFor(() => client.events.filter((e) => e.kind === 'pong').length >= sent, 'every pong');
      return { sent, slowestMs: slowest };
    },
  };
}
