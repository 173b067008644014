/**
 * Numeric codes of the wire protocol, mirrored from the .proto enums (a test
 * checks they match the generated code, so they cannot drift).
 */

/** Protocol version this package speaks (`Hello.protocol_version`). */
export const PROTOCOL_VERSION = 1;

/** `Error.code` values; see `ErrorCode` in the .proto for each meaning. */
export const ErrorCode = {
  UNSPECIFIED: 0,
  MALFORMED_FRAME: 100,
  FRAME_TOO_LARGE: 101,
  UNKNOWN_FRAME: 102,
  HELLO_REQUIRED: 103,
  HELLO_REPEATED: 104,
  UNSUPPORTED_VERSION: 105,
  RATE_LIMITED: 106,
  UNAUTHENTICATED: 200,
  TOKEN_EXPIRED: 201,
  FORBIDDEN: 202,
  SESSION_FORBIDDEN: 203,
  SUBJECT_MISMATCH: 204,
  AUTH_UNAVAILABLE: 205,
  INVALID_CHANNEL: 300,
  UNKNOWN_TOPIC: 301,
  TOO_MANY_SUBSCRIPTIONS: 302,
  ALREADY_SUBSCRIBED: 303,
  NOT_SUBSCRIBED: 304,
  INVALID_POSITION: 305,
  ACK_BEYOND_DELIVERED: 306,
  SESSION_NOT_FOUND: 400,
  STORE_UNAVAILABLE: 401,
  SESSION_TAKEN_OVER: 402,
  SLOW_CONSUMER: 500,
  INTERNAL: 600,
  SOURCE_UNAVAILABLE: 601,
  SHUTTING_DOWN: 602,
} as const;
/** One of the `ErrorCode` values. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes used by the edge; see `CloseCode` in the .proto. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  SHUTDOWN: 4000,
  HEARTBEAT_TIMEOUT: 4001,
  SLOW_CONSUMER: 4002,
  INTERNAL: 4003,
  STORE_UNAVAILABLE: 4004,
  SOURCE_UNAVAILABLE: 4005,
  RATE_LIMITED: 4006,
  AUTH_UNAVAILABLE: 4007,
  CONTROL_FRAME_DROPPED: 4008,
  SESSION_NOT_FOUND: 4100,
  SESSION_TAKEN_OVER: 4101,
  TOKEN_EXPIRED: 4200,
  PROTOCOL_ERROR: 4400,
  UNAUTHENTICATED: 4401,
  SESSION_FORBIDDEN: 4403,
  FRAME_TOO_LARGE: 4409,
  UNSUPPORTED_VERSION: 4410,
} as const;
/** One of the `CloseCode` values. */
export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];

/** `Subscribe.start` values. */
export const Start = { LATEST: 0, EARLIEST: 1, AFTER: 2, TIMESTAMP: 3 } as const;
/** One of the `Start` values. */
export type StartValue = (typeof Start)[keyof typeof Start];

/** `ContinuityLost.reason` values. */
export const ContinuityReason = { UNSPECIFIED: 0, DELETED: 1, AHEAD_OF_LOG: 2, TOPIC_RECREATED: 3 } as const;
/** One of the `ContinuityReason` values. */
export type ContinuityReasonValue = (typeof ContinuityReason)[keyof typeof ContinuityReason];

/** `GoAway.reason` values. */
export const GoAwayReason = { UNSPECIFIED: 0, SHUTDOWN: 1, SLOW_CONSUMER: 2 } as const;
/** One of the `GoAwayReason` values. */
export type GoAwayReasonValue = (typeof GoAwayReason)[keyof typeof GoAwayReason];

/**
 * What a client does after the connection closed with `code`:
 * - `resume`: reconnect with backoff and resume the session;
 * - `new-session`: reconnect without a session id, re-subscribe from the
 *   positions it delivered itself;
 * - `refresh-token`: get a new token, then reconnect and resume;
 * - `stop`: do not reconnect; surface the error;
 * - `closed`: a normal closure (1000), nothing to do.
 */
export type CloseAction = 'resume' | 'new-session' | 'refresh-token' | 'stop' | 'closed';

/** Maps a WebSocket close code to what the client should do (see the .proto). */
export function closeAction(code: number): CloseAction {
  if (code === CloseCode.NORMAL) return 'closed';
  // 1009: the WebSocket layer refused a frame far above the edge's limit.
  if (code === 1009) return 'stop';
  if (code >= 4100 && code <= 4199) return 'new-session';
  if (code >= 4200 && code <= 4299) return 'refresh-token';
  if (code >= 4400 && code <= 4499) return 'stop';
  // 1001, 1005, 1006, 1011, 1012, 1013, 4000-4099 and anything unknown:
  // transient; resuming is always safe.
  return 'resume';
}

/** Whether an `Error` with this code may succeed when retried later. */
export function isRetriableError(code: number): boolean {
  return (
    code === ErrorCode.STORE_UNAVAILABLE ||
    code === ErrorCode.SOURCE_UNAVAILABLE ||
    code === ErrorCode.AUTH_UNAVAILABLE ||
    code === ErrorCode.INTERNAL ||
    code === ErrorCode.SHUTTING_DOWN ||
    code === ErrorCode.RATE_LIMITED ||
    code === ErrorCode.SLOW_CONSUMER
  );
}
