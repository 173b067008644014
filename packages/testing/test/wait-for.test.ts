import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/wait-for.js';

describe('waitFor', () => {
  it('returns the first value that is not undefined or false, retrying errors', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        if (calls === 2) return false;
        return calls === 3 ? undefined : calls;
      },
      { intervalMs: 1 },
    );
    expect(value).toBe(4);
  });

  it('times out naming what it waited for, with the last error as cause', async () => {
    const cause = new Error('connection refused');
    const error = await waitFor(
      () => {
        throw cause;
      },
      { timeoutMs: 30, intervalMs: 5, description: 'the broker' },
    ).catch((err: unknown) => err as Error);
    expect(error.message).toMatch(/timed out after 30 ms waiting for the broker: connection refused/);
    expect(error.cause).toBe(cause);
  });

  it('stops early when its signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('process died');
    setTimeout(() => controller.abort(reason), 10);
    await expect(
      waitFor(() => false, { timeoutMs: 10_000, intervalMs: 5, signal: controller.signal }),
    ).rejects.toBe(reason);
  });
});
