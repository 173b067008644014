import type { ContinuityReasonValue, Header, Position } from '@fanout/protocol';

export type { ContinuityReasonValue, Header, Position } from '@fanout/protocol';
import type { FanoutClientError } from './errors.js';

/** The transport's event handler type; declared bivariant so DOM's and `ws`'s WebSocket both fit. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** What the SDK needs of a WebSocket: the browser's, or `ws`'s in Node. */
export interface WebSocketLike {
  binaryType: string;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor (`globalThis.WebSocket`, or `import { WebSocket } from 'ws'`). */
export type WebSocketCtor = new (url: string) => WebSocketLike;

/** Time source and timers; injectable so tests drive time. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A pino-like logger: `logger.warn({ fields }, 'message')`. Every method is optional. */
export interface Logger {
  debug?(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
  warn?(fields: Record<string, unknown>, message: string): void;
  error?(fields: Record<string, unknown>, message: string): void;
}

/**
 * Where the client keeps its session id and delivered positions between runs
 * (page reloads, CLI restarts). Methods may be synchronous or return promises.
 */
export interface SessionStorage {
  get(key: string): string | null | Promise<string | null>;
  set(key: string, value: string): void | Promise<void>;
  remove(key: string): void | Promise<void>;
}

/** Something that emits `online`, `offline` and `pagehide` (the browser's `window`). */
export interface GlobalEvents {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** One Kafka record, as handed to a subscription's handler; `value` is the payload as decoded by the subscription's `decode` (the bytes without one). */
export interface FanoutRecord<T = Uint8Array> {
  /** The subscription's channel. */
  channel: string;
  /** Kafka topic. */
  topic: string;
  /** Kafka partition. */
  partition: number;
  /** Kafka offset: the record's position in its partition. */
  offset: number;
  /** Record key bytes; null for a null key. */
  key: Uint8Array | null;
  /** Record headers, in order. */
  headers: readonly Header[];
  /** Kafka timestamp, ms since the epoch. */
  timestampMs: number;
  /** Record value bytes, untouched. */
  payload: Uint8Array;
  /** The payload through the subscription's `decode` option; the payload bytes without one. */
  value: T;
  /** True when the record came from a replay (resume, catch-up), false when live. */
  replayed: boolean;
}

/**
 * Connection states:
 * `idle` (created with `autoConnect: false`, until `connect()`) →
 * `connecting` (first attempt) → `connected` (Welcome received) →
 * `reconnecting` (waiting or retrying) → `connected` → … → `closed` (final).
 */
export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Why the connection changed state: a discriminated union on `type`. */
export type ClientStateReason =
  /** `connect()` was called on a client created with `autoConnect: false`. */
  | { type: 'connect' }
  /** The edge answered Hello with Welcome (`resumed`: the previous session was resumed). */
  | { type: 'welcome'; resumed: boolean }
  /** The socket closed (by the edge or the network) with this WebSocket close code. */
  | { type: 'closed'; code: number; reason: string }
  /** No frame arrived within the edge's heartbeat interval plus the grace. */
  | { type: 'heartbeat-timeout' }
  /** No Welcome within `connectTimeoutMs`. */
  | { type: 'connect-timeout' }
  /** The edge asked clients to leave (deploy, shutdown). */
  | { type: 'go-away'; message: string }
  /** The platform reported the network offline. */
  | { type: 'offline' }
  /** The application called `close()` or `reconnect()`. */
  | { type: 'manual'; action: 'close' | 'reconnect' }
  /** `getToken()` threw or rejected. */
  | { type: 'token-failed' }
  /** The edge sent bytes that are not a valid frame. */
  | { type: 'malformed-frame' }
  /** The WebSocket could not even be created (bad URL, refused by the platform). */
  | { type: 'unreachable' }
  /** No WebSocket implementation was found when connecting (see `ClientOptions.WebSocket`). */
  | { type: 'no-websocket' };

/** Why a subscription changed state: a discriminated union on `type`. */
export type SubscriptionStateReason =
  /** A Subscribe was sent (first time, new session, retry after a refusal, or after an overflow). */
  | { type: 'subscribe'; cause: 'new' | 'new-session' | 'not-in-session' | 'retry' | 'resync' }
  /** The edge restored the subscription with the resumed session. */
  | { type: 'session-resumed' }
  /** The edge confirmed the subscription: live from here. */
  | { type: 'subscribed' }
  /** The edge confirmed the subscription it restored with the resumed session: live again. */
  | { type: 'resumed' }
  /** The connection dropped; the subscription resumes on the next one. */
  | { type: 'disconnected' }
  /** Records were dropped on buffer overflow: leaving and re-subscribing after the delivered ones. */
  | { type: 'overflow' }
  /** The application unsubscribed (this handle, or the channel's last one). */
  | { type: 'unsubscribe' }
  /** The client was closed by the application. */
  | { type: 'client-closed' }
  /** The client stopped for good (see the state change's `error`). */
  | { type: 'connection-stopped' }
  /** The edge refused the subscription (see the state change's `error`). */
  | { type: 'refused' };

/**
 * Subscription states: `subscribing` (Subscribe sent, replay in progress),
 * `resuming` (restored by the edge or re-subscribed after its last position;
 * also while disconnected), `subscribed` (live), `unsubscribed` (final),
 * `failed` (the edge refused it; final).
 */
export type SubscriptionState = 'subscribing' | 'resuming' | 'subscribed' | 'unsubscribed' | 'failed';

/** A state change: emitted once per transition. */
export interface StateChange<S, R = [S] extends [ClientState] ? ClientStateReason : SubscriptionStateReason> {
  from: S;
  to: S;
  /** Why, typed (a discriminated union on `reason.type`). */
  reason: R;
  /** The same, as text for logs (e.g. `closed 1006`, `heartbeat timeout`). */
  message: string;
  /** The error that caused a final state, if any. */
  error?: FanoutClientError;
}

/** Records of a subscription that no longer exist (see `ContinuityLost` in the .proto). */
export interface ContinuityLostEvent {
  channel: string;
  partition: number;
  /** The first offset that was needed. */
  requestedOffset: number;
  /** The first offset still available: delivery continues there. */
  availableOffset: number;
  /** Records in [requestedOffset, availableOffset) are lost (empty when the log was truncated). */
  reason: ContinuityReasonValue;
}

/** A handler failure or a refused subscription. */
export interface SubscriptionErrorEvent {
  error: FanoutClientError;
  /** The record whose handler failed (code `handler_failed`). */
  record?: FanoutRecord;
}

/** Events of a subscription. */
export interface SubscriptionEvents {
  /** The subscription changed state. */
  state: StateChange<SubscriptionState>;
  /** Records this subscription needed are gone; delivery continues at `availableOffset`. Emitted in order with the records. */
  continuityLost: ContinuityLostEvent;
  /** The handler failed on `record` (delivery pauses until `retry()` or `skip()`), or the edge refused the subscription. */
  error: SubscriptionErrorEvent;
}

/** Sent once per Welcome. */
export interface ConnectedEvent {
  sessionId: string;
  /** True when the edge resumed the previous session. */
  resumed: boolean;
  /** The edge node (for logs). */
  nodeId: string;
  /** The endpoint connected to. */
  endpoint: string;
}

/** Events of a client. */
export interface ClientEvents {
  /** The connection changed state. */
  state: StateChange<ClientState>;
  /** A connection was established (Welcome received). */
  connected: ConnectedEvent;
  /** A non-fatal error: an `Error` frame from the edge, a malformed frame, a failing `getToken()`. */
  error: FanoutClientError;
}

/** A subscription's delivered positions per partition. */
export type Positions = readonly Position[];
