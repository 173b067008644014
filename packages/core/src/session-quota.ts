/**
 * Session quotas per subject (pure rules; the stores execute them, the Redis
 * store in a script that mirrors {@link admitSession}).
 *
 * - New sessions per second per subject: at most `perSecond` are created in
 *   one wall-clock second; more are refused (RATE_LIMITED, retriable).
 * - Sessions per subject: at most `maxSessions` are kept. Creating one more
 *   evicts the subject's oldest idle sessions (least recently active, not
 *   held by a connection) until the count fits. When every session is held
 *   by a connection nothing is evicted and the new session is still created:
 *   connected sessions are bounded by the edges' connection limits, and
 *   refusing would lock a subject out behind its own open tabs.
 */

/** The quota limits. */
export interface SessionQuota {
  /** Most sessions a subject keeps; older idle ones are evicted. Positive integer. */
  maxSessions: number;
  /** Most sessions a subject creates per second. Positive integer. */
  perSecond: number;
}

/** One of a subject's sessions as the quota sees it. */
export interface QuotaSession {
  id: string;
  /** Last activity (created, resumed, released), ms since the epoch. */
  activeAt: number;
  /** Held by a connection now. */
  live: boolean;
}

/** The rate state of a subject: creations counted in the second `second`. */
export interface QuotaRate {
  second: number;
  created: number;
}

/** The decision for one creation. */
export type AdmitDecision =
  | { kind: 'refused'; reason: 'rate' }
  | { kind: 'admitted'; evict: string[]; rate: QuotaRate };

/**
 * Decides whether a subject may create a session now, and which of its
 * sessions (ids, oldest first) to evict to stay within `maxSessions` once the
 * new one is added.
 */
export function admitSession(
  sessions: readonly QuotaSession[],
  rate: QuotaRate | undefined,
  nowMs: number,
  quota: SessionQuota,
): AdmitDecision {
  const second = Math.floor(nowMs / 1000);
  const created = rate && rate.second === second ? rate.created : 0;
  if (created >= quota.perSecond) return { kind: 'refused', reason: 'rate' };
  const excess = sessions.length + 1 - quota.maxSessions;
  const evict =
    excess > 0
      ? [...sessions]
          .filter((s) => !s.live)
          .sort((a, b) => a.activeAt - b.activeAt || (a.id < b.id ? -1 : 1))
          .slice(0, excess)
          .map((s) => s.id)
      : [];
  return { kind: 'admitted', evict, rate: { second, created: created + 1 } };
}

/**
 * A string from a client, bounded for logs: at most `max` UTF-16 units, with
 * a marker saying how much was cut.
 */
export function boundedForLog(value: string, max = 64): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max)}…[${value.length - max} more]`;
}
