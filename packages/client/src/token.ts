/** Reads the `exp` claim (seconds since the epoch) of a JWT without verifying it. */
export function tokenExpiry(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const exp: unknown = JSON.parse(json).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** Refresh no sooner than this after the previous one, so a token that does not change cannot spin. */
export const MIN_REFRESH_DELAY_MS = 5_000;

/**
 * When to renew a token expiring at `exp` (seconds), as a delay from `now`
 * (ms): at 85% of its remaining lifetime or 30 s before it expires, whichever
 * comes first, and not sooner than `MIN_REFRESH_DELAY_MS`. Undefined when the
 * token has no `exp`. Assumes the client's clock roughly agrees with the issuer's.
 */
export function refreshDelay(token: string, now: number): number | undefined {
  const exp = tokenExpiry(token);
  if (exp === undefined) return undefined;
  const remaining = exp * 1000 - now;
  return Math.max(MIN_REFRESH_DELAY_MS, Math.min(remaining * 0.85, remaining - 30_000));
}
