/** Backoff bounds, in milliseconds. */
export interface BackoffOptions {
  /** The first reconnect waits up to this long. Default 500. */
  minMs?: number;
  /** No reconnect waits longer than this. Default 20000. */
  maxMs?: number;
}

/**
 * Capped exponential backoff with full jitter (centrifuge-js style):
 * `random() * min(maxMs, minMs * 2 ** attempt)`, attempt counted from 0.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  return Math.floor(random() * backoffCap(attempt, minMs, maxMs));
}

/** The upper bound of the delay for `attempt`. */
export function backoffCap(attempt: number, minMs: number, maxMs: number): number {
  // 2 ** attempt overflows to Infinity after ~1000 attempts; min() keeps it finite.
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt, 64));
}

/**
 * Round robin over the endpoints, skipping those that failed within the last
 * `windowMs`. When every endpoint failed recently, the one that failed
 * longest ago is tried.
 */
export class EndpointPicker {
  private next = 0;
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly endpoints: readonly string[]) {}

  /** The endpoint to try now. */
  pick(now: number, windowMs: number): string {
    const n = this.endpoints.length;
    let oldest: { url: string; index: number; at: number } | undefined;
    for (let i = 0; i < n; i++) {
      const index = (this.next + i) % n;
      const url = this.endpoints[index]!;
      const at = this.failedAt.get(url);
      if (at === undefined || now - at >= windowMs) {
        this.next = index + 1;
        return url;
      }
      if (!oldest || at < oldest.at) oldest = { url, index, at };
    }
    // n >= 1, so oldest is set when the loop found nothing.
    this.next = oldest!.index + 1;
    return oldest!.url;
  }

  /** Records that `url` failed (could not connect, died, or asked us to leave). */
  failed(url: string, now: number): void {
    this.failedAt.set(url, now);
  }
}
