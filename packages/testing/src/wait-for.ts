import { setTimeout as delay } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. Default 10,000. */
  timeoutMs?: number;
  /** Pause between two attempts, in milliseconds. Default 100. */
  intervalMs?: number;
  /** What is awaited, for the timeout error's message. */
  description?: string;
  /** Aborts the wait early (the signal's reason is thrown). */
  signal?: AbortSignal;
}

/**
 * Polls `attempt` until it returns a value other than `undefined`/`false`
 * (a thrown error counts as "not yet"), and returns that value. Past the
 * deadline it throws, with the last error as `cause`.
 */
export async function waitFor<T>(
  attempt: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 100, description = 'condition', signal } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await attempt();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${reason}`, {
        cause: lastError,
      });
    }
    try {
      await delay(Math.min(intervalMs, left), undefined, signal ? { signal } : undefined);
    } catch (err) {
      // timers/promises rejects with a generic AbortError: surface the signal's reason
      throw signal?.aborted ? signal.reason : err;
    }
  }
}
