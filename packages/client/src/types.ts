import type { ContinuityReasonValue, Header, Position } from '@fanout/protocol';
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

/** One Kafka record, as handed to a subscription's handler. */
export interface FanoutRecord {
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
  /** True when the record came from a replay (resume, catch-up), false when live. */
  replayed: boolean;
}

/**
 * Connection states:
 * `connecting` (first attempt) → `connected` (Welcome received) →
 * `reconnecting` (waiting or retrying) → `connected` → … → `closed` (final).
 */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/**
 * Subscription states: `subscribing` (Subscribe sent, replay in progress),
 * `resuming` (restored by the edge or re-subscribed after its last position;
 * also while disconnected), `subscribed` (live), `unsubscribed` (final),
 * `failed` (the edge refused it; final).
 */
export type SubscriptionState = 'subscribing' | 'resuming' | 'subscribed' | 'unsubscribed' | 'failed';

/** A state change: emitted once per transition. */
export interface StateChange<S> {
  from: S;
  to: S;
  /** Why, for logs and UIs (e.g. `welcome`, `closed 1006`, `heartbeat timeout`). */
  reason: string;
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
