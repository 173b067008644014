import { type Acl, AuthError, compileAcl } from '@fanout/core';
import {
  type JWTPayload,
  type JWTVerifyGetKey,
  createLocalJWKSet,
  importSPKI,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import type { Logger } from 'pino';
import type { AuthConfig } from './config.js';
import { KeysUnavailableError, createJwksUrlResolver } from './jwks-url.js';

/** Who a token says the client is, and what it may subscribe to. */
export interface Principal {
  subject: string;
  acl: Acl;
  /** Expiry, ms since the epoch; undefined when the token has no exp. */
  expiresAtMs?: number;
}

const REASON_CODES = {
  expired: 'TOKEN_EXPIRED',
  invalid: 'TOKEN_INVALID',
  unavailable: 'AUTH_UNAVAILABLE',
} as const;

/**
 * Why authentication failed: `expired` tokens may be renewed, `invalid` ones
 * not; `unavailable`: the token's key cannot be had right now (JWKS URL down),
 * retriable.
 */
export class TokenError extends AuthError {
  constructor(
    readonly reason: keyof typeof REASON_CODES,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, { code: REASON_CODES[reason], retriable: reason === 'unavailable', ...options });
  }
}

/** Verifies Hello and Refresh tokens. */
export interface Authenticator {
  readonly insecure: boolean;
  authenticate(token: string): Promise<Principal>;
}

const ALGORITHMS = ['HS256', 'RS256', 'ES256'];

/** Creates the authenticator of a config (JWT with jose, or insecure). */
export async function createAuthenticator(
  config: AuthConfig,
  deps: { logger?: Logger } = {},
): Promise<Authenticator> {
  if (config.mode === 'insecure') {
    const acl = compileAcl(['*'], 'anonymous');
    return {
      insecure: true,
      async authenticate(token) {
        if (token) {
          // Still honour a subject in an unverified token so demos can use several subjects.
          const sub = unverifiedSubject(token);
          if (sub) return { subject: sub, acl: compileAcl(['*'], sub) };
        }
        return { subject: 'anonymous', acl };
      },
    };
  }
  const keys: Array<{ key: CryptoKey | Uint8Array | JWTVerifyGetKey; algorithms: string[] }> = [];
  if (config.hs256Secret)
    keys.push({ key: new TextEncoder().encode(config.hs256Secret), algorithms: ['HS256'] });
  if (config.publicKeyPem) {
    const pem = config.publicKeyPem;
    for (const alg of ['RS256', 'ES256']) {
      const key = await importSPKI(pem, alg).catch(() => undefined);
      if (key) keys.push({ key, algorithms: [alg] });
    }
    if (!keys.some((k) => k.algorithms[0] !== 'HS256'))
      throw new AuthError('JWT_PUBLIC_KEY_FILE holds no RS256/ES256 SPKI public key');
  }
  if (config.jwks)
    keys.push({ key: createLocalJWKSet(config.jwks as never), algorithms: ['RS256', 'ES256'] });
  if (config.jwksUrl) {
    const resolver = createJwksUrlResolver({
      ...config.jwksUrl,
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
    await resolver.warm();
    keys.push({ key: resolver, algorithms: ['RS256', 'ES256'] });
  }

  return {
    insecure: false,
    async authenticate(token) {
      if (!token) throw new TokenError('invalid', 'token missing');
      let payload: JWTPayload | undefined;
      let lastError: unknown;
      let unavailable: KeysUnavailableError | undefined;
      for (const { key, algorithms } of keys) {
        try {
          const result = await jwtVerify(token, key as Uint8Array, {
            algorithms: algorithms.filter((a) => ALGORITHMS.includes(a)),
            ...(config.issuer ? { issuer: config.issuer } : {}),
            ...(config.audience ? { audience: config.audience } : {}),
          });
          payload = result.payload;
          break;
        } catch (err) {
          if (err instanceof joseErrors.JWTExpired)
            throw new TokenError('expired', 'token expired', { cause: err });
          if (err instanceof KeysUnavailableError) unavailable = err;
          lastError = err;
        }
      }
      if (!payload && unavailable)
        throw new TokenError('unavailable', `token not verifiable now: ${unavailable.message}`, {
          cause: unavailable,
        });
      if (!payload)
        throw new TokenError('invalid', `token rejected: ${(lastError as Error)?.message ?? 'no key'}`, {
          cause: lastError,
        });
      if (typeof payload.sub !== 'string' || payload.sub.length === 0)
        throw new TokenError('invalid', 'token has no sub');
      const claim = payload[config.channelsClaim];
      const patterns = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
      if (!patterns.every((p): p is string => typeof p === 'string')) {
        throw new TokenError('invalid', `claim ${config.channelsClaim} must list strings`);
      }
      let acl: Acl;
      try {
        acl = compileAcl(
          patterns.filter((p) => p.length > 0),
          payload.sub,
        );
      } catch (err) {
        throw new TokenError('invalid', `claim ${config.channelsClaim}: ${(err as Error).message}`, {
          cause: err,
        });
      }
      return {
        subject: payload.sub,
        acl,
        ...(payload.exp !== undefined ? { expiresAtMs: payload.exp * 1000 } : {}),
      };
    },
  };
}

function unverifiedSubject(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const json = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof json.sub === 'string' && json.sub.length > 0 && json.sub.length <= 256
      ? json.sub
      : undefined;
  } catch {
    return undefined;
  }
}
