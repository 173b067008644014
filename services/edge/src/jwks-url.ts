import { AuthError } from '@fanout/core';
import {
  type ExportedJWKSCache,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  jwksCache,
} from 'jose';
import type { Logger } from 'pino';

/** Options of {@link createJwksUrlResolver}. */
export interface JwksUrlOptions {
  /** The identity provider's JWKS URL (http or https). */
  url: string;
  /**
   * After a fetch (or a failed one), an unknown `kid` triggers no new fetch
   * for this long: a flood of forged `kid`s cannot hammer the provider.
   */
  cooldownMs: number;
  /** Keys older than this are refetched before use (when the provider answers). */
  cacheMaxAgeMs: number;
  /** One fetch of the JWKS gives up after this long. */
  timeoutMs: number;
  logger?: Logger;
  /** Clock (ms since the epoch); `Date.now` by default. */
  now?: () => number;
}

/**
 * The token's key is not cached and the provider's key set cannot be fetched:
 * retriable (wire: Error AUTH_UNAVAILABLE, close 4007).
 */
export class KeysUnavailableError extends AuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'AUTH_UNAVAILABLE', retriable: true, ...options });
  }
}

/** A key resolver for jose's `jwtVerify`, plus a warm-up fetch. */
export interface JwksUrlResolver extends JWTVerifyGetKey {
  /** Fetches the key set once (at startup, so the first Hellos need not wait). */
  warm(): Promise<void>;
}

/** What the provider answered, as opposed to not answering at all. */
function isAnswer(err: unknown): boolean {
  return (
    err instanceof joseErrors.JWKSNoMatchingKey ||
    err instanceof joseErrors.JWKSMultipleMatchingKeys ||
    err instanceof joseErrors.JOSENotSupported
  );
}

/**
 * Resolves JWT verification keys from a JWKS URL with jose's remote key set
 * (cache, cooldown, refetch on an unknown `kid`), made to survive a provider
 * outage: jose alone refetches once its cache is older than cacheMaxAge and
 * then fails every token. Here the last key set fetched keeps verifying the
 * tokens it can while the provider is down; only a `kid` it does not hold
 * fails, with {@link KeysUnavailableError}. Failed fetches are also held to
 * the cooldown (jose counts it from the last success only). A `kid` missing
 * from a key set fetched just now, or one the provider served and dropped
 * since, is an answer (the token is invalid); a new one while the cooldown
 * forbids a refetch is retriable, so a client whose token carries a freshly
 * rotated key retries instead of stopping.
 */
export function createJwksUrlResolver(o: JwksUrlOptions): JwksUrlResolver {
  const now = o.now ?? Date.now;
  // jose writes every successful fetch here (its documented export hook).
  const cache: ExportedJWKSCache | Record<string, never> = {};
  const remote = createRemoteJWKSet(new URL(o.url), {
    cooldownDuration: o.cooldownMs,
    cacheMaxAge: o.cacheMaxAgeMs,
    timeoutDuration: o.timeoutMs,
    [jwksCache]: cache,
  });
  let lastGood: { uat: number; resolve: ReturnType<typeof createLocalJWKSet> } | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;

  // Kids the provider served once and dropped since: retired, never retriable.
  const seen = new Set<string>();
  const retired = new Set<string>();
  const snapshot = () => {
    const c = cache as Partial<ExportedJWKSCache>;
    if (c.uat === undefined || !c.jwks || c.uat === lastGood?.uat) return;
    lastGood = { uat: c.uat, resolve: createLocalJWKSet(c.jwks as JSONWebKeySet) };
    const current = new Set(c.jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string'));
    for (const kid of seen) if (!current.has(kid)) retired.add(kid);
    for (const kid of current) {
      seen.add(kid);
      retired.delete(kid);
    }
  };
  const fromCache = async (
    ...args: Parameters<JWTVerifyGetKey>
  ): Promise<Awaited<ReturnType<JWTVerifyGetKey>>> => {
    if (!lastGood) throw new KeysUnavailableError('the JWKS URL has not answered yet');
    try {
      return await lastGood.resolve(...args);
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey)
        throw new KeysUnavailableError("the token's key is not cached and the JWKS URL does not answer", {
          cause: err,
        });
      throw err;
    }
  };

  const resolve = async (...args: Parameters<JWTVerifyGetKey>) => {
    // Within the cooldown of a failed fetch: cached keys only, no new fetch.
    if (now() - failedAt < o.cooldownMs) return fromCache(...args);
    // jose refetches on an unknown kid only outside the cooldown: a kid
    // unknown while cooling down may be a key the provider just rotated in.
    const coolingDown = remote.coolingDown;
    try {
      const key = await remote(...args);
      snapshot();
      return key;
    } catch (err) {
      snapshot();
      const kid = args[0].kid;
      if (err instanceof joseErrors.JWKSNoMatchingKey && coolingDown && !(kid && retired.has(kid)))
        throw new KeysUnavailableError(
          "the token's key is not in the key set fetched last; the JWKS URL is refetched after the cooldown",
          { cause: err },
        );
      if (isAnswer(err)) throw err;
      failedAt = now();
      o.logger?.warn({ err, url: o.url }, 'JWKS fetch failed; verifying with the cached keys');
      return fromCache(...args);
    }
  };
  return Object.assign(resolve, {
    async warm() {
      try {
        await remote.reload();
        snapshot();
        o.logger?.info({ url: o.url, keys: lastGood ? 'cached' : 'none' }, 'JWKS fetched');
      } catch (err) {
        failedAt = now();
        o.logger?.warn({ err, url: o.url }, 'JWKS fetch failed at startup; retrying on the first token');
      }
    },
  }) as JwksUrlResolver;
}
