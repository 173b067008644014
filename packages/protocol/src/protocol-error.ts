import type { ErrorCodeValue } from './codes.js';

/**
 * A frame could not be decoded or is invalid. `code` is the wire `ErrorCode`
 * to answer with (MALFORMED_FRAME or UNKNOWN_FRAME). Never retriable: the same
 * bytes fail the same way.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** The wire error code. */
  readonly code: ErrorCodeValue;
  /** Always false: resending the same bytes fails again. */
  readonly retriable = false;

  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The result of decoding untrusted bytes: a frame, or a typed error. Never throws. */
export type DecodeResult<T> = { ok: true; frame: T } | { ok: false; error: ProtocolError };
