/**
 * @fanout/client: the fanout SDK for browsers and Node 20.
 *
 * `createClient()` opens one resilient connection to the edges; each
 * `subscribe()` gets every record of its channel exactly once, in partition
 * order, across reconnects and (with storage) reloads.
 */

export type {
  FanoutClient,
  ReadyOptions,
  RecordHandler,
  RecordStream,
  RecordsOptions,
  StartFrom,
  SubscribeOptions,
  Subscription,
} from './api.js';
export type { BackoffOptions } from './backoff.js';
export { createClient } from './client.js';
export { json, text } from './decode.js';
export type { ClientErrorCode, FanoutClientErrorDetail } from './errors.js';
export { FanoutClientError } from './errors.js';
export type { ClientOptions } from './options.js';
export type { WebStorageArea } from './storage.js';
export { webStorage } from './storage.js';
export type {
  ClientEvents,
  ClientState,
  ClientStateReason,
  ContinuityReasonValue,
  Header,
  Position,
  SubscriptionStateReason,
  Clock,
  ConnectedEvent,
  ContinuityLostEvent,
  FanoutRecord,
  GlobalEvents,
  Logger,
  SessionStorage,
  StateChange,
  SubscriptionErrorEvent,
  SubscriptionEvents,
  SubscriptionState,
  WebSocketCtor,
  WebSocketLike,
} from './types.js';
export { VERSION } from './version.js';
