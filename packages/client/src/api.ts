import type {
  ClientEvents,
  ClientState,
  FanoutRecord,
  Position,
  SubscriptionEvents,
  SubscriptionState,
} from './types.js';

/** Handles one record; a returned promise is awaited before the next record of the subscription. */
export type RecordHandler<T = Uint8Array> = (
  record: FanoutRecord<T>,
  subscription: Subscription<T>,
) => void | Promise<void>;

/** Options of `Subscription.ready()`. */
export interface ReadyOptions {
  /** Stops waiting: the promise rejects with the signal's reason. The subscription stays. */
  signal?: AbortSignal;
  /** Stops waiting after this long: the promise rejects with a `ready_timeout` error. Default: no limit. */
  timeoutMs?: number;
}

/**
 * A handle on a subscription to one channel. It survives reconnects; it ends
 * with `unsubscribe()` or `client.close()`. Several handles on one channel
 * share one subscription on the edge: each gets every record, in lockstep (a
 * record goes to every handle, the next once every handle has finished it),
 * and acks move only once every handle has finished a record. Unsubscribing
 * the channel's last handle leaves the channel.
 */
export interface Subscription<T = Uint8Array> {
  /** The channel, `<topic>` or `<topic>:<key>`. */
  readonly channel: string;
  /** The current state (`unsubscribed` once this handle is unsubscribed, whatever other handles do). */
  readonly state: SubscriptionState;
  /** True while this handle's delivery waits for `retry()` or `skip()` after a handler failure. */
  readonly paused: boolean;
  /** Per partition, the highest offset delivered to the handlers (and completed), or covered by the start. */
  positions(): Position[];
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof SubscriptionEvents>(
    event: K,
    listener: (payload: SubscriptionEvents[K]) => void,
  ): () => void;
  /**
   * Resolves once the subscription is live (`subscribed`: the replay, if any,
   * is done), at once if it is. Rejects with the typed error when the edge
   * refuses it (`subscribe_failed`), when it is unsubscribed or its client
   * closes (`unsubscribed`, or the error that stopped the client), after
   * `timeoutMs` (`ready_timeout`), or with the signal's reason.
   */
  ready(options?: ReadyOptions): Promise<void>;
  /** After a handler failure: run the handler again on the failed record. */
  retry(): void;
  /** After a handler failure: count the failed record as processed by this handle and continue. */
  skip(): void;
  /** Releases this handle; the last handle of a channel leaves it (sends `Unsubscribe`). Final. */
  unsubscribe(): void;
}

/** Where a new subscription starts (see `SubscribeOptions.from`). */
export type StartFrom = 'latest' | 'earliest' | { after: readonly Position[] } | { timestamp: number | Date };

/** Options of `subscribe` and `records`. */
export interface SubscribeOptions<T = Uint8Array> {
  /**
   * Where the subscription starts when the client has delivered nothing of
   * its channel yet: `'latest'`: records produced from now on; `'earliest'`:
   * every record still available; `{ after }`: after these positions
   * (partitions not listed start at the latest); `{ timestamp }`: at the
   * first record whose Kafka timestamp is at or after this time (ms since
   * the epoch, or a Date), resolved by the edge with Kafka's offsets for
   * times. Ignored once the channel has delivered positions (kept in memory
   * or in storage): the subscription then resumes after them; ignored too
   * when the client already holds the channel (a new handle joins it where
   * it is). Default `'latest'`.
   */
  from?: StartFrom;
  /**
   * Turns a record's payload into its `value` (for this handle). A throw is
   * a handler failure (`decode_failed`): delivery pauses until `retry()` or
   * `skip()`. Helpers: `json`, `text`. Default: `value` is the payload bytes.
   */
  decode?: (payload: Uint8Array) => T;
}

/** Options of `records`. */
export interface RecordsOptions<T = Uint8Array> extends SubscribeOptions<T> {
  /** Aborting ends the iteration (the loop ends as if the stream was done) and releases the handle. */
  signal?: AbortSignal;
}

/**
 * The records of a channel as an async iterator: the loop's pace is the
 * delivery's pace (the next record is handed over when the loop body asks
 * for it), and a record counts as processed (is acked) once the loop body
 * that got it finishes. Leaving the loop (`break`, `return`, a throw)
 * counts the current record as processed and releases the handle.
 */
export interface RecordStream<T = Uint8Array> extends AsyncIterableIterator<FanoutRecord<T>> {
  /** The handle behind the stream (state, events, `ready()`). */
  readonly subscription: Subscription<T>;
}

/** A fanout client: one logical connection, any number of subscriptions. */
export interface FanoutClient {
  /** The connection state. */
  readonly state: ClientState;
  /** The session id, once the edge gave one (or one was loaded from storage). */
  readonly sessionId: string | undefined;
  /**
   * Subscribes to `<topic>` or `<topic>:<key>`; returns a new handle. A
   * channel the client already holds gets another handle on the same
   * subscription (see `Subscription`).
   */
  subscribe<T = Uint8Array>(
    channel: string,
    options: SubscribeOptions<T>,
    handler: RecordHandler<T>,
  ): Subscription<T>;
  subscribe(channel: string, handler: RecordHandler): Subscription;
  /** The records of `channel` as an async iterator (`for await (const record of client.records(channel))`). */
  records<T = Uint8Array>(channel: string, options?: RecordsOptions<T>): RecordStream<T>;
  /** A handle on the client's subscription to `channel`, if it holds one. */
  subscription(channel: string): Subscription<unknown> | undefined;
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void;
  /**
   * Starts connecting a client created with `autoConnect: false` (after its
   * stored session is loaded). No-op once started or closed.
   */
  connect(): void;
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
