import type { Position } from '@fanout/protocol';
import type {
  ClientEvents,
  ClientState,
  FanoutRecord,
  SubscriptionEvents,
  SubscriptionState,
} from './types.js';

/** Handles one record; a returned promise is awaited before the next record of the subscription. */
export type RecordHandler = (record: FanoutRecord, subscription: Subscription) => void | Promise<void>;

/** A subscription to one channel. It survives reconnects; it ends with `unsubscribe()` or `client.close()`. */
export interface Subscription {
  /** The channel, `<topic>` or `<topic>:<key>`. */
  readonly channel: string;
  /** The current state. */
  readonly state: SubscriptionState;
  /** True while delivery waits for `retry()` or `skip()` after a handler failure. */
  readonly paused: boolean;
  /** Per partition, the highest offset delivered to the handler (and completed), or covered by the start. */
  positions(): Position[];
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof SubscriptionEvents>(
    event: K,
    listener: (payload: SubscriptionEvents[K]) => void,
  ): () => void;
  /** After a handler failure: run the handler again on the failed record. */
  retry(): void;
  /** After a handler failure: count the failed record as processed (it is acked) and continue. */
  skip(): void;
  /** Leaves the channel (sends `Unsubscribe`); final. Buffered records are discarded. */
  unsubscribe(): void;
}

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
   * Drops the current connection and reconnects at once (to the next
   * endpoint), resuming the session: nothing is lost or repeated. For demos,
   * tests, or an app that knows its network changed. No-op once closed.
   */
  reconnect(): void;
  /**
   * Flushes pending acks, closes the connection with 1000 and stops. Records
   * still buffered or being handled are not acked: the next client of this
   * session gets them again. Resolves once storage is written.
   */
  close(): Promise<void>;
}
