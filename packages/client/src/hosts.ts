// Internal interfaces between the client and its parts (not exported from index.ts).
import type { Hello, ServerFrame, Welcome } from '@fanout/protocol';
import type { FanoutClientError } from './errors.js';
import type { SubscriptionImpl } from './subscription.js';
import type { Clock } from './types.js';

/** What the connection needs from the client. */
export interface ConnectionHost {
  /** The Hello to send on a new socket. */
  hello(token: string): Partial<Hello>;
  /** A Welcome arrived: restore or re-send subscriptions. */
  welcome(welcome: Welcome): void;
  /** Any other frame (publications, subscribed, errors...). */
  frame(frame: ServerFrame): void;
  /** The connection ended and another will follow. */
  lost(action: 'resume' | 'new-session' | 'refresh-token'): void;
  /** The client is closed for good (by `close()`, a permanent close code, or the edge's 1000). */
  stopped(error: FanoutClientError | undefined): void;
}

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  readonly maxBuffered: number;
  readonly clock: Clock;
  /** A record's handler completed (or it was skipped). */
  processed(sub: SubscriptionImpl, partition: number, offset: number): void;
  /** Delivered positions moved without a record (start, continuity lost). */
  advanced(sub: SubscriptionImpl): void;
  /** The buffer is empty and delivery is not paused. */
  drained(sub: SubscriptionImpl): void;
  /** The application left the channel. */
  unsubscribe(sub: SubscriptionImpl): void;
  /** Something worth a log line. */
  log(level: 'warn' | 'error', fields: Record<string, unknown>, message: string): void;
}
