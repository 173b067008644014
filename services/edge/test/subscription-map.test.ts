import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SubscriptionMap } from '../src/subscription-map.js';

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string } | { kind: 'clear' };

const key = fc.constantFrom('t', 't:a', 't:b', 'u');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({ kind: fc.constant('clear' as const) }),
);

describe('SubscriptionMap', () => {
  it('answers as a Map does, after any sequence of sets, deletes and clears', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const model = new Map<string, number>();
        const m = new SubscriptionMap<number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            expect(m.set(o.key, o.value)).toBe(m);
            model.set(o.key, o.value);
          } else if (o.kind === 'delete') expect(m.delete(o.key)).toBe(model.delete(o.key));
          else {
            m.clear();
            model.clear();
          }
          expect(m.size).toBe(model.size);
          expect([...m]).toEqual([...model]);
          expect([...m.entries()]).toEqual([...model.entries()]);
          expect([...m.keys()]).toEqual([...model.keys()]);
          expect([...m.values()]).toEqual([...model.values()]);
          for (const k of ['t', 't:a', 't:b', 'u']) {
            expect(m.has(k)).toBe(model.has(k));
            expect(m.get(k)).toBe(model.get(k));
          }
        }
      }),
    );
  });

  it('lets entries be deleted while it is iterated', () => {
    for (const keys of [['t'], ['t', 't:a', 't:b']]) {
      const m = new SubscriptionMap<string>();
      for (const k of keys) m.set(k, k);
      const seen: string[] = [];
      for (const v of m.values()) {
        seen.push(v);
        m.delete(v);
      }
      expect(seen).toEqual(keys);
      expect(m.size).toBe(0);
    }
  });
});
