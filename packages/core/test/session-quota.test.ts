import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type QuotaSession, admitSession, boundedForLog } from '../src/index.js';

const quota = { maxSessions: 3, perSecond: 2 };
const s = (id: string, activeAt: number, live = false): QuotaSession => ({ id, activeAt, live });

describe('admitSession', () => {
  it('admits within the quota and evicts nothing', () => {
    expect(admitSession([s('a', 1)], undefined, 5_000, quota)).toEqual({
      kind: 'admitted',
      evict: [],
      rate: { second: 5, created: 1 },
    });
  });

  it('refuses past the creations per second, and admits again the next second', () => {
    const rate = { second: 5, created: 2 };
    expect(admitSession([], rate, 5_999, quota)).toEqual({ kind: 'refused', reason: 'rate' });
    expect(admitSession([], rate, 6_000, quota).kind).toBe('admitted');
  });

  it('evicts the oldest idle sessions, never a connected one', () => {
    const sessions = [s('old-live', 1, true), s('old', 2), s('mid', 3), s('new', 4)];
    const d = admitSession(sessions, undefined, 10_000, quota);
    expect(d).toMatchObject({ kind: 'admitted', evict: ['old', 'mid'] });
  });

  it('creates anyway when every session is connected', () => {
    const sessions = [s('a', 1, true), s('b', 2, true), s('c', 3, true)];
    expect(admitSession(sessions, undefined, 10_000, quota)).toMatchObject({ kind: 'admitted', evict: [] });
  });

  it('keeps at most maxSessions idle + the new one (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ activeAt: fc.nat(1000), live: fc.boolean() }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 8 }),
        (raw, maxSessions) => {
          const sessions = raw.map((r, i) => s(`s${i}`, r.activeAt, r.live));
          const d = admitSession(sessions, undefined, 0, { maxSessions, perSecond: 1 });
          if (d.kind !== 'admitted') return false;
          const kept = sessions.filter((x) => !d.evict.includes(x.id));
          const live = sessions.filter((x) => x.live).length;
          // Fits, unless the connected sessions alone exceed it; evicted ones are idle and oldest.
          expect(kept.length + 1).toBeLessThanOrEqual(Math.max(maxSessions, live + 1));
          const evicted = sessions.filter((x) => d.evict.includes(x.id));
          for (const e of evicted) {
            expect(e.live).toBe(false);
            for (const k of kept) if (!k.live) expect(e.activeAt).toBeLessThanOrEqual(k.activeAt);
          }
          return true;
        },
      ),
    );
  });
});

describe('boundedForLog', () => {
  it('keeps short strings and cuts long ones with a marker', () => {
    expect(boundedForLog('fanout-js')).toBe('fanout-js');
    const long = 'x'.repeat(60_000);
    const cut = boundedForLog(long);
    expect(cut.length).toBeLessThan(100);
    expect(cut).toBe(`${'x'.repeat(64)}…[59936 more]`);
  });
});
