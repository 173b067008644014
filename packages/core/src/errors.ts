/**
 * In-process errors of fanout. Every error carries a stable string `code` (for
 * logs, metrics and mapping to wire codes) and `retriable` (whether the same
 * operation may succeed later). The wire has its own numeric codes (see the
 * protocol package); these are for code running inside one process.
 *
 * One subclass per category; each has a default `code` and `retriable` that a
 * caller may override with a more specific code.
 */

/** Options common to every {@link FanoutError}. */
export interface FanoutErrorOptions {
  /** A stable, machine-readable code (UPPER_SNAKE_CASE). Defaults to the category's code. */
  code?: string;
  /** Whether retrying the same operation later may succeed. Defaults to the category's value. */
  retriable?: boolean;
  /** The underlying error, passed through untouched. */
  cause?: unknown;
}

/** Base class of every fanout in-process error. */
export class FanoutError extends Error {
  /** Stable, machine-readable code. */
  readonly code: string;
  /** True when the same operation may succeed if retried later. */
  readonly retriable: boolean;

  /**
   * @param message Human-readable detail; never put tokens or payloads in it.
   * @param options Code, retriability and cause.
   */
  constructor(message: string, options: FanoutErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? 'FANOUT_ERROR';
    this.retriable = options.retriable ?? false;
  }
}

/** Invalid configuration or options (a constructor argument out of range, a bad env value). Not retriable. */
export class ConfigError extends FanoutError {
  /** @see FanoutError */
  constructor(message: string, options: FanoutErrorOptions = {}) {
    super(message, { code: 'CONFIG_INVALID', retriable: false, ...options });
  }
}

/** Authentication or authorization failed (bad token, bad permission pattern, forbidden). Not retriable. */
export class AuthError extends FanoutError {
  /** @see FanoutError */
  constructor(message: string, options: FanoutErrorOptions = {}) {
    super(message, { code: 'AUTH_FAILED', retriable: false, ...options });
  }
}

/** The record source (Kafka) failed or misbehaved. Retriable by default. */
export class SourceError extends FanoutError {
  /** @see FanoutError */
  constructor(message: string, options: FanoutErrorOptions = {}) {
    super(message, { code: 'SOURCE_UNAVAILABLE', retriable: true, ...options });
  }
}

/** The session store (Redis or in-memory) failed. Retriable by default. */
export class StoreError extends FanoutError {
  /** @see FanoutError */
  constructor(message: string, options: FanoutErrorOptions = {}) {
    super(message, { code: 'STORE_UNAVAILABLE', retriable: true, ...options });
  }
}

/**
 * Whether an arbitrary thrown value is worth retrying: a {@link FanoutError}
 * answers itself; anything else (an unknown failure of a client library) is
 * treated as retriable.
 */
export function isRetriable(err: unknown): boolean {
  return err instanceof FanoutError ? err.retriable : true;
}
