import type { Acl, Channel } from '@fanout/core';
import { CloseCode, type ErrorCodeValue, type ServerFrameInput, encodeServerFrame } from '@fanout/protocol';
import type { Logger } from 'pino';
import type { WebSocket } from 'uWebSockets.js';
import { SubscriptionMap } from './subscription-map.js';

/** With WS_COMPRESSION, frames shorter than this go uncompressed (deflate would not pay). */
export const COMPRESS_MIN_BYTES = 128;

/** The live topics of a connection on none (shared: a connection's set is replaced, never changed). */
export const NO_TOPICS: ReadonlySet<string> = new Set<string>();

/** Per-socket user data handed to uWS at upgrade. */
export interface SocketData {
  conn?: Connection;
  origin: string;
  remote: string;
}

/** uWS's answer to a send: 1 sent, 0 buffered (goes out as the client reads), 2 dropped. */
export type SendStatus = 0 | 1 | 2;

/** A frame that is not a publication (the send policy's subject; see `Connection.sendControl`). */
export type ControlKind = Exclude<NonNullable<ServerFrameInput['kind']>, 'publication'>;

/** Observes what a connection sends (metrics); optional. */
export interface ConnectionObserver {
  errorSent(code: number): void;
  /** A control frame uWS dropped; the connection is being closed with CONTROL_FRAME_DROPPED. */
  controlDropped?(kind: ControlKind): void;
  /** A replayed publication uWS dropped; the connection is being closed with SLOW_CONSUMER. */
  publicationDropped?(): void;
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
  /**
   * While not live: per partition, the last offset actually handed to the
   * socket (or stored as acked, or a claimed position the log is known to
   * reach): the ack limit. Moved frame by frame by the catch-up.
   */
  readonly sent: Map<number, number>;
  /**
   * Positions the client claimed (Hello `delivered`, Subscribe AFTER) beyond
   * `sent`, not yet verified; undefined when there are none (most
   * subscriptions: an empty Map is 184 bytes of heap per subscription). Only
   * the catch-up machine removes entries; a recreated topic drops them all.
   */
  claims: Map<number, number> | undefined;
  /** `pending`: registered while its start is read (an Unsubscribe meanwhile cancels it). */
  state: 'pending' | 'replaying' | 'live';
  cancelled: boolean;
  /** `Subscribed` still to send when the subscription first goes live (null once sent, or for catch-ups). */
  announce: { requestId: number; resumed: boolean } | null;
  /** Whether a catch-up (`bringLive`) is running for it. */
  catchingUp: boolean;
}

/**
 * One WebSocket connection. Holds what the edge knows of it; the handlers
 * live in `session-handler.ts`. `ws` may be used only while `!closed`.
 *
 * Who writes which field: `closed` the uWS close handler (ws-behaviour.ts);
 * `helloState`, `subject`, `acl`, `expiresAtMs`, `sessionId`, `epoch`,
 * `subs` (entries), `lastSeenAt` and the frame counters the session handlers;
 * `fenced` the session owners; `liveTopics` live delivery; `lagging` live
 * delivery (set) and the catch-up's switch-over (cleared); `catchUpRunning`
 * the catch-up; `lastProgressAt` and `closeReason` this class (and live
 * delivery when it puts the connection behind).
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
  /** Its subscriptions by channel name (one held inline: most connections have one). */
  readonly subs = new SubscriptionMap<Subscription>();
  /** uWS topics this socket is subscribed to (the covering set of its live subscriptions). Replaced, never mutated. */
  liveTopics: ReadonlySet<string> = NO_TOPICS;
  /** Off live delivery because its unsent buffer passed the limit, until caught up as a whole. */
  lagging = false;
  /** Whether `catchUpConnection` runs for it. */
  catchUpRunning = false;
  /** When the socket last made progress draining, or fell behind (see `behind`). */
  lastProgressAt: number;
  /** Its buffer at the last maintenance pass while behind; -1 while not behind. */
  #behindBuffered = -1;
  lastSeenAt: number;
  framesThisSecond = 0;
  frameSecond = 0;
  /** Why the edge closed it (undefined: the client closed, or the socket dropped). */
  closeReason: string | undefined;
  /** Made on the first wait (most connections never wait for a drain). */
  #drainWaiters: Array<() => void> | undefined;

  #logger: Logger;

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
   * The connection's logger (conn_id, and session_id once it has one). Made
   * on each use rather than kept: a pino child per idle connection costs
   * more memory than the rest of the connection, and connections log rarely.
   * Its fields are read from the connection, not kept in a bindings object.
   */
  get log(): Logger {
    return this.#logger.child(
      this.sessionId ? { conn_id: this.id, session_id: this.sessionId } : { conn_id: this.id },
    );
  }

  /**
   * Sends an encoded publication (a replayed record); returns uWS's status
   * (1 sent, 0 buffered, 2 dropped) or 2 when closed. A dropped publication
   * is a gap in what the client receives: the slow-client rule applies (the
   * hard limit was passed), the connection is closed with SLOW_CONSUMER
   * (4002, transient) and the client resumes from what it received.
   */
  sendBytes(frame: Uint8Array): number {
    if (this.closed) return 2;
    const status = this.ws.send(frame, true, this.compress && frame.length >= COMPRESS_MIN_BYTES);
    if (status === 2) {
      this.observer?.publicationDropped?.();
      this.close(CloseCode.SLOW_CONSUMER, 'send buffer full');
    }
    return status;
  }

  /** Sends a control frame under the send policy (see `sendControl`). */
  send(frame: ServerFrameInput): number {
    return this.sendControl(frame.kind as ControlKind, encodeServerFrame(frame));
  }

  /**
   * The edge's one send policy for control frames (every frame but a
   * publication: Welcome, Subscribed, Unsubscribed, ContinuityLost, Error,
   * GoAway, Ping, Pong). Sent (1) or buffered (0, it goes out in order as the
   * client reads) is fine. Dropped (2: the unsent bytes passed
   * maxBackpressure) would leave the client waiting for a frame that never
   * comes (a subscription resuming forever, a range lost without a word), so
   * the connection is closed with CONTROL_FRAME_DROPPED (4008, transient):
   * the client reconnects and resumes, which announces everything again.
   * Logged and counted (`fanout_control_frames_dropped_total`), never silent.
   * Publications keep the slow-client handling (flow control). Returns the
   * status; 2 without a close when the connection was already closed.
   */
  sendControl(kind: ControlKind, frame: Uint8Array): number {
    if (this.closed) return 2;
    const status = this.ws.send(frame, true, this.compress && frame.length >= COMPRESS_MIN_BYTES);
    if (status === 2) {
      this.log.warn(
        { frame: kind, buffered: this.bufferedAmount() },
        'control frame dropped; closing to resume',
      );
      this.observer?.controlDropped?.(kind);
      this.close(CloseCode.CONTROL_FRAME_DROPPED, `${kind} frame dropped`);
    }
    return status;
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

  /**
   * From the maintenance pass: `buffered` while the connection is behind
   * (undefined: it is not). Returns when it last made progress: falling
   * behind and its buffer shrinking since the last pass count.
   */
  behind(buffered: number | undefined, now: number): number {
    if (buffered === undefined) this.#behindBuffered = -1;
    else {
      if (this.#behindBuffered < 0 || buffered < this.#behindBuffered) this.lastProgressAt = now;
      this.#behindBuffered = buffered;
    }
    return this.lastProgressAt;
  }

  /** Replayed frames were handed to the socket (it had room: the client read). */
  progressed(now: number): void {
    this.lastProgressAt = now;
  }

  /** Called from uWS's drain handler and on close. */
  onDrain(): void {
    this.lastProgressAt = Date.now();
    this.wakeDrainWaiters();
  }

  /** Lets catch-ups waiting for a drain look at the buffer again. */
  wakeDrainWaiters(): void {
    const waiters = this.#drainWaiters;
    if (!waiters) return;
    this.#drainWaiters = undefined;
    for (const w of waiters) w();
  }
}
