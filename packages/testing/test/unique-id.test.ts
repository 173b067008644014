import { describe, expect, it } from 'vitest';
import { uniqueId } from '../src/unique-id.js';

describe('uniqueId', () => {
  it('prefixes a random suffix valid in Kafka names', () => {
    expect(uniqueId('t')).toMatch(/^t-[0-9a-f]{12}$/);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => uniqueId('g')));
    expect(ids.size).toBe(10_000);
  });
});
