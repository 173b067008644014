import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AckBatch } from '../src/ack-coalescer.js';
import { AckCoalescer, ackBatchSize } from '../src/ack-coalescer.js';

function flat(batch: AckBatch): [string, string, number, number][] {
  const out: [string, string, number, number][] = [];
  for (const [s, channels] of batch)
    for (const [c, parts] of channels) for (const [p, o] of parts) out.push([s, c, p, o]);
  return out.sort();
}

describe('AckCoalescer', () => {
  it('starts empty and drains an empty batch', () => {
    const c = new AckCoalescer();
    expect(c.size).toBe(0);
    expect(c.drain().size).toBe(0);
  });

  it('keeps the highest offset per (session, channel, partition)', () => {
    const c = new AckCoalescer();
    c.add('s1', 'prices', 0, 5);
    c.add('s1', 'prices', 0, 9);
    c.add('s1', 'prices', 0, 7); // lower: ignored
    c.add('s1', 'prices', 1, 2);
    c.add('s1', 'prices:AAPL', 0, 3);
    c.add('s2', 'prices', 0, 1);
    expect(c.size).toBe(4);
    const batch = c.drain();
    expect(flat(batch)).toEqual([
      ['s1', 'prices', 0, 9],
      ['s1', 'prices', 1, 2],
      ['s1', 'prices:AAPL', 0, 3],
      ['s2', 'prices', 0, 1],
    ]);
    expect(ackBatchSize(batch)).toBe(4);
    expect(c.size).toBe(0);
    expect(c.drain().size).toBe(0);
  });

  it('restores a failed batch without overwriting a newer ack', () => {
    const c = new AckCoalescer();
    c.add('s', 'ch', 0, 10);
    c.add('s', 'ch', 1, 10);
    const failed = c.drain();
    c.add('s', 'ch', 0, 12); // newer, arrived during the write
    c.add('s', 'other', 0, 1);
    c.restore(failed);
    expect(flat(c.drain())).toEqual([
      ['s', 'ch', 0, 12],
      ['s', 'ch', 1, 10],
      ['s', 'other', 0, 1],
    ]);
  });

  it('does not share state with a drained batch', () => {
    const c = new AckCoalescer();
    c.add('s', 'ch', 0, 1);
    const batch = c.drain();
    c.add('s', 'ch', 0, 2);
    expect(flat(batch)).toEqual([['s', 'ch', 0, 1]]);
  });

  it.each([
    [-1, 0],
    [0, -1],
    [0.5, 0],
    [0, Number.NaN],
    [0, 2 ** 53],
  ])('rejects partition %d offset %d', (p, o) => {
    expect(() => new AckCoalescer().add('s', 'ch', p, o)).toThrow(RangeError);
  });

  it('equals the max of everything added, whatever drains and restores happen (property)', () => {
    const key = fc.tuple(fc.constantFrom('s1', 's2'), fc.constantFrom('a', 'a:k'), fc.nat(2));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), key, offset: fc.nat(100) }),
      fc.record({ kind: fc.constant('drain' as const), fails: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const c = new AckCoalescer();
        const model = new Map<string, number>(); // max of all adds
        const pending = new Map<string, number>(); // what the coalescer should hold
        const persisted = new Map<string, number>(); // a max-merge store
        const merge = (m: Map<string, number>, k: string, off: number) =>
          m.set(k, Math.max(m.get(k) ?? -1, off));
        for (const o of ops) {
          if (o.kind === 'add') {
            const k = o.key.join('|');
            merge(model, k, o.offset);
            merge(pending, k, o.offset);
            c.add(o.key[0], o.key[1], o.key[2], o.offset);
          } else {
            const batch = c.drain();
            const drained = new Map(flat(batch).map(([s, ch, p, off]) => [`${s}|${ch}|${p}`, off]));
            expect(drained).toEqual(pending);
            if (o.fails) c.restore(batch);
            else {
              for (const [k, off] of drained) merge(persisted, k, off);
              pending.clear();
            }
          }
          expect(c.size).toBe(pending.size);
        }
        for (const [s, ch, p, off] of flat(c.drain())) merge(persisted, `${s}|${ch}|${p}`, off);
        expect(persisted).toEqual(model);
      }),
    );
  });
});
