import type { Acl, Channel } from '@fanout/core';
import { type ErrorCodeValue, type ServerFrameInput, encodeServerFrame } from '@fanout/protocol';
import type { Logger } from 'pino';
import type { WebSocket } from 'uWebSockets.js';

/** With WS_COMPRESSION, frames shorter than this go uncompressed (deflate would not pay). */
export const COMPRESS_MIN_BYTES = 128;

/** The live topics of a connection on none (shared: a connection's set is replaced, never changed). */
const NO_TOPICS: ReadonlySet<string> = new Set<string>();

/** Per-socket user data handed to uWS at upgrade. */
export interface SocketData {
  conn?: Connection;
  origin: string;
  remote: string;
}

/** Observes what a connection sends (metrics); optional. */
export interface ConnectionObserver {
  errorSent(code: number): void;
}

/** One subscription of one connection. */
export interface Subscription {
  readonly channel: Channel;
  /** The partitions the channel lives in (all for `<topic>`, one for `<topic>:<key>`). */
  partitions: number[];
  /**
   * While not live: per partition, the last offset sent (or covered by the
   * start). While live this is stale: the sent position is the partition's
   * `live` offset, since every record published went to the socket.
   */
  readonly positions: Map<number, number>;
  state: 'replaying' | 'live';
  cancelled: boolean;
  /** `Subscribed` still to send when the subscription first goes live (null once sent, or for catch-ups). */
  announce: { requestId: number; resumed: boolean } | null;
  /** Whether a catch-up (`bringLive`) is running for it. */
  catchingUp: boolean;
}

/**
 * One WebSocket connection. Holds what the edge knows of it; the handlers
 * live in `session-handler.ts`. `ws` may be used only while `!closed`.
 */
export class Connection {
  closed = false;
  helloState: 'none' | 'pending' | 'done' = 'none';
  subject = '';
  acl: Acl | undefined;
  expiresAtMs: number | undefined;
  sessionId = '';
  /** The owner epoch of the session this connection claimed (its writes carry it). */
  epoch = 0;
  /** Taken over (or its session vanished): its acks and subscriptions are ignored. */
  fenced = false;
  readonly subs = new Map<string, Subscription>();
  /** uWS topics this socket is subscribed to (the covering set of its live subscriptions). Replaced, never mutated. */
  liveTopics: ReadonlySet<string> = NO_TOPICS;
  /** Off live delivery because its unsent buffer passed the limit, until caught up as a whole. */
  lagging = false;
  /** Whether `catchUpConnection` runs for it. */
  catchUpRunning = false;
  /** When the socket last made progress draining (or was put behind). */
  lastProgressAt: number;
  lastSeenAt: number;
  framesThisSecond = 0;
  frameSecond = 0;
  /** Why the edge closed it (undefined: the client closed, or the socket dropped). */
  closeReason: string | undefined;
  /** Made on the first wait (most connections never wait for a drain). */
  #drainWaiters: Array<() => void> | undefined;

  #logger: Logger;
  /** Fields `bindLog` added (the session id), made on the first bind. */
  #logBindings: Record<string, unknown> | undefined;

  constructor(
    readonly ws: WebSocket<SocketData>,
    readonly id: string,
    logger: Logger,
    readonly openedAt: number,
    private readonly observer?: ConnectionObserver,
    /** permessage-deflate on (uWS compresses only where the client negotiated it). */
    private readonly compress = false,
  ) {
    this.#logger = logger;
    this.lastSeenAt = openedAt;
    this.lastProgressAt = openedAt;
  }

  /**
   * The connection's logger (conn_id, session_id). Made on each use rather
   * than kept: a pino child per idle connection costs more memory than the
   * rest of the connection, and connections log rarely.
   */
  get log(): Logger {
    return this.#logger.child({ conn_id: this.id, ...this.#logBindings });
  }

  /** Adds fields to every later log line of this connection. */
  bindLog(bindings: Record<string, unknown>): void {
    this.#logBindings = { ...this.#logBindings, ...bindings };
  }

  /** Sends an encoded frame; returns uWS's status (1 sent, 0 buffered, 2 dropped) or 2 when closed. */
  sendBytes(frame: Uint8Array): number {
    if (this.closed) return 2;
    return this.ws.send(frame, true, this.compress && frame.length >= COMPRESS_MIN_BYTES);
  }

  send(frame: ServerFrameInput): number {
    return this.sendBytes(encodeServerFrame(frame));
  }

  error(
    code: ErrorCodeValue,
    message: string,
    extra: { requestId?: number; channel?: string; retriable?: boolean } = {},
  ): void {
    this.send({ kind: 'error', error: { code, message, ...extra } });
    this.observer?.errorSent(code);
  }

  /** Closes with a code (after an optional Error frame already sent). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closeReason ??= reason;
    this.log.debug({ code, reason }, 'closing connection');
    this.ws.end(code, reason.slice(0, 120));
  }

  bufferedAmount(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }

  /** Resolves once the socket's buffer drained below `belowBytes`, or the connection closed. */
  drained(belowBytes: number): Promise<void> {
    if (this.closed || this.ws.getBufferedAmount() < belowBytes) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drainWaiters ??= [];
      this.#drainWaiters.push(resolve);
    });
  }

  /** Called from uWS's drain handler and on close. */
  onDrain(): void {
    this.lastProgressAt = Date.now();
    const waiters = this.#drainWaiters;
    if (!waiters) return;
    this.#drainWaiters = undefined;
    for (const w of waiters) w();
  }
}
