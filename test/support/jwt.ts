import { SignJWT } from 'jose';

/** A 32+ character HS256 secret for tests. */
export const TEST_JWT_SECRET = 'fanout-test-secret-0123456789abcdef';

/** Options of {@link signToken}. */
export interface TokenOptions {
  sub: string;
  /** The `channels` claim: channel patterns the subject may subscribe to. */
  channels: string[];
  /** Expiry in seconds from now (negative: already expired). Default 3600. */
  expiresInSeconds?: number;
  /** Signing secret. Default {@link TEST_JWT_SECRET}. */
  secret?: string;
}

/** Signs an HS256 JWT with `sub`, `exp` and a `channels` claim. */
export function signToken(opts: TokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ channels: opts.channels })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(opts.sub)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (opts.expiresInSeconds ?? 3600))
    .sign(new TextEncoder().encode(opts.secret ?? TEST_JWT_SECRET));
}
