import { describe, expect, it } from 'vitest';
import { EndpointPicker, backoffCap, backoffDelay } from '../src/backoff.js';

describe('backoffDelay', () => {
  it('is 0 with random 0 and just under the cap with random ~1, for many attempts', () => {
    for (let attempt = 0; attempt < 2000; attempt++) {
      const cap = Math.min(20_000, 500 * 2 ** attempt);
      expect(backoffDelay(attempt, 500, 20_000, () => 0)).toBe(0);
      const high = backoffDelay(attempt, 500, 20_000, () => 0.999_999);
      expect(high).toBeLessThan(cap);
      expect(high).toBeGreaterThanOrEqual(Math.floor(cap * 0.999));
      expect(Number.isFinite(high)).toBe(true);
    }
  });

  it('doubles the cap from minMs up to maxMs', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((a) => backoffCap(a, 500, 20_000))).toEqual([
      500, 1000, 2000, 4000, 8000, 16_000, 20_000, 20_000,
    ]);
    expect(backoffCap(10_000, 500, 20_000)).toBe(20_000);
  });

  it('spreads delays uniformly over [0, cap) (full jitter)', () => {
    const values = [0, 0.25, 0.5, 0.75].map((r) => backoffDelay(2, 500, 20_000, () => r));
    expect(values).toEqual([0, 500, 1000, 1500]);
  });
});

describe('EndpointPicker', () => {
  it('goes round robin', () => {
    const picker = new EndpointPicker(['a', 'b', 'c']);
    expect([1, 2, 3, 4, 5].map(() => picker.pick(0, 1000))).toEqual(['a', 'b', 'c', 'a', 'b']);
  });

  it('skips an endpoint that failed within the window, and takes it back after', () => {
    const picker = new EndpointPicker(['a', 'b', 'c']);
    picker.failed('b', 1000);
    expect(picker.pick(1500, 1000)).toBe('a');
    expect(picker.pick(1500, 1000)).toBe('c');
    expect(picker.pick(1500, 1000)).toBe('a');
    expect(picker.pick(2000, 1000)).toBe('b');
  });

  it('when every endpoint failed recently, tries the one that failed longest ago', () => {
    const picker = new EndpointPicker(['a', 'b', 'c']);
    picker.failed('a', 300);
    picker.failed('b', 100);
    picker.failed('c', 200);
    expect(picker.pick(400, 1000)).toBe('b');
    picker.failed('b', 400);
    expect(picker.pick(450, 1000)).toBe('c');
  });
});
