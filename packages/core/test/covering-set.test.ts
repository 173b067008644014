import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coveringDiff, coveringTopics } from '../src/covering-set.js';

describe('coveringTopics', () => {
  it('is empty for no channels', () => {
    expect(coveringTopics([])).toEqual(new Set());
  });

  it('keeps key channels of topics not held whole', () => {
    expect(coveringTopics(['prices:AAPL', 'prices:MSFT', 'orders'])).toEqual(
      new Set(['prices:AAPL', 'prices:MSFT', 'orders']),
    );
  });

  it('drops every key channel of a topic held whole, whatever the order', () => {
    expect(coveringTopics(['prices:AAPL', 'prices', 'prices:a:b'])).toEqual(new Set(['prices']));
    expect(coveringTopics(['prices', 'prices:AAPL'])).toEqual(new Set(['prices']));
  });

  it('does not confuse a topic with a prefix of another', () => {
    expect(coveringTopics(['price', 'prices:AAPL', 'prices.eu:X'])).toEqual(
      new Set(['price', 'prices:AAPL', 'prices.eu:X']),
    );
  });

  it('covers every channel exactly once (property)', () => {
    const name = fc
      .tuple(fc.constantFrom('a', 'b', 'c'), fc.option(fc.constantFrom('k', 'l', 'm:n')))
      .map(([t, k]) => (k === null ? t : `${t}:${k}`));
    fc.assert(
      fc.property(fc.array(name, { maxLength: 12 }), (channels) => {
        const cover = coveringTopics(channels);
        for (const c of cover) expect(channels).toContain(c);
        for (const c of channels) {
          const topic = c.split(':')[0]!;
          const routes = [cover.has(topic), c !== topic && cover.has(c)].filter(Boolean).length;
          expect(routes).toBe(1); // reached through exactly one uWS topic
        }
      }),
    );
  });
});

describe('coveringDiff', () => {
  it('lists what to add and remove', () => {
    expect(coveringDiff(new Set(['prices:AAPL', 'orders']), new Set(['prices', 'orders']))).toEqual({
      add: ['prices'],
      remove: ['prices:AAPL'],
    });
    expect(coveringDiff(new Set(['a']), new Set(['a']))).toEqual({ add: [], remove: [] });
  });

  it('turns before into after (property)', () => {
    const set = fc
      .uniqueArray(fc.constantFrom('a', 'b', 'a:x', 'b:y', 'c'), { maxLength: 5 })
      .map((a) => new Set<string>(a));
    fc.assert(
      fc.property(set, set, (before, after) => {
        const { add, remove } = coveringDiff(before, after);
        const result = new Set(before);
        for (const t of remove) result.delete(t);
        for (const t of add) {
          expect(result.has(t)).toBe(false);
          result.add(t);
        }
        expect(result).toEqual(after);
      }),
    );
  });
});
