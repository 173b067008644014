/**
 * What went wrong, as a stable string:
 * - `invalid_options`: `createClient` or `subscribe` options are invalid;
 * - `no_websocket`: connecting found no WebSocket implementation (see `ClientOptions.WebSocket`);
 * - `connection_stopped`: the edge closed with a permanent code (4400-4499), or
 *   the token could not be renewed; the client will not reconnect;
 * - `server_error`: the edge answered with an `Error` frame not tied to a subscription;
 * - `subscribe_failed`: the edge refused a subscription (forbidden, invalid channel...);
 * - `handler_failed`: the application's handler threw or rejected;
 * - `decode_failed`: the subscription's `decode` threw on a record's payload;
 * - `ready_timeout`: `ready({ timeoutMs })` timed out before the subscription was live;
 * - `unsubscribed`: `ready()` on a subscription that was unsubscribed or whose client closed;
 * - `token_failed`: `getToken()` threw or rejected;
 * - `malformed_frame`: the edge sent bytes that are not a valid frame;
 * - `client_closed`: the operation needs an open client.
 */
export type ClientErrorCode =
  | 'invalid_options'
  | 'no_websocket'
  | 'connection_stopped'
  | 'server_error'
  | 'subscribe_failed'
  | 'handler_failed'
  | 'decode_failed'
  | 'ready_timeout'
  | 'unsubscribed'
  | 'token_failed'
  | 'malformed_frame'
  | 'client_closed';

/** Extra detail of a `FanoutClientError`. */
export interface FanoutClientErrorDetail {
  /** Whether the same operation may succeed later. Default false. */
  retriable?: boolean;
  /** The underlying error, passed through. */
  cause?: unknown;
  /** The wire `ErrorCode` of the edge's `Error` frame, when one came. */
  serverCode?: number;
  /** The WebSocket close code, when the error ended a connection. */
  closeCode?: number;
  /** The channel concerned, if any. */
  channel?: string;
}

/** Every error the SDK surfaces: a stable `code`, `retriable`, and the `cause` passed through. */
export class FanoutClientError extends Error {
  override readonly name = 'FanoutClientError';
  /** What went wrong (stable). */
  readonly code: ClientErrorCode;
  /** Whether the same operation may succeed later. */
  readonly retriable: boolean;
  /** The wire `ErrorCode` from the edge's `Error` frame, when one came. */
  readonly serverCode: number | undefined;
  /** The WebSocket close code, when the error ended a connection. */
  readonly closeCode: number | undefined;
  /** The channel concerned, if any. */
  readonly channel: string | undefined;

  constructor(code: ClientErrorCode, message: string, detail: FanoutClientErrorDetail = {}) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
    this.code = code;
    this.retriable = detail.retriable ?? false;
    this.serverCode = detail.serverCode;
    this.closeCode = detail.closeCode;
    this.channel = detail.channel;
  }
}
