import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, SourceError } from '../src/errors.js';
import type { RecordWindowOptions } from '../src/record-window.js';
import { RecordWindow } from '../src/record-window.js';

interface Rec {
  offset: number;
  bytes: number;
  timestampMs: number;
}

function rec(offset: number, bytes = 10): Rec {
  return { offset, bytes, timestampMs: 0 };
}

function setup(opts: Partial<RecordWindowOptions> = {}) {
  const clock = { t: 0 };
  const w = new RecordWindow<Rec>({
    maxRecords: 100,
    maxBytes: 10_000,
    maxAgeMs: 60_000,
    now: () => clock.t,
    ...opts,
  });
  return { w, clock };
}

const offsets = (rs: Rec[]) => rs.map((r) => r.offset);

describe('RecordWindow', () => {
  it('is empty at first', () => {
    const { w } = setup();
    expect(w.size).toBe(0);
    expect(w.byteSize).toBe(0);
    expect(w.firstOffset).toBeNull();
    expect(w.lastOffset).toBeNull();
    expect(w.readFrom(0)).toEqual([]);
    expect(w.coveredFrom).toBeNull();
    expect(w.covers(0)).toBe(false);
  });

  it('with startAfter, covers from startAfter + 1 before any record', () => {
    const { w } = setup({ startAfter: 41 });
    expect(w.coveredFrom).toBe(42);
    expect(w.covers(41)).toBe(false);
    expect(w.covers(42)).toBe(true);
    expect(w.covers(1000)).toBe(true);
    expect(w.readFrom(42)).toEqual([]);
  });

  it('without startAfter, covers from the first record appended', () => {
    const { w } = setup();
    w.append(rec(7));
    expect(w.covers(6)).toBe(false);
    expect(w.covers(7)).toBe(true);
  });

  it('appends non-dense offsets and reads from any offset, in order', () => {
    const { w } = setup({ startAfter: 9 });
    for (const o of [10, 13, 14, 20]) w.append(rec(o));
    expect(w.size).toBe(4);
    expect(w.byteSize).toBe(40);
    expect(w.firstOffset).toBe(10);
    expect(w.lastOffset).toBe(20);
    expect(offsets(w.readFrom(0))).toEqual([10, 13, 14, 20]);
    expect(offsets(w.readFrom(11))).toEqual([13, 14, 20]);
    expect(offsets(w.readFrom(14))).toEqual([14, 20]);
    expect(offsets(w.readFrom(21))).toEqual([]);
    expect(offsets(w.readFrom(11, 2))).toEqual([13, 14]);
    expect(offsets(w.readFrom(11, 0))).toEqual([]);
  });

  it('evicts by record count and covers from after the highest evicted offset', () => {
    const { w } = setup({ maxRecords: 3, startAfter: -1 });
    for (const o of [0, 5, 6, 9]) w.append(rec(o));
    expect(offsets(w.readFrom(0))).toEqual([5, 6, 9]);
    expect(w.coveredFrom).toBe(1);
    // Offsets 1..4 never existed: the window still covers from 1.
    expect(w.covers(0)).toBe(false);
    expect(w.covers(1)).toBe(true);
    w.append(rec(12));
    expect(w.coveredFrom).toBe(6);
    expect(w.covers(5)).toBe(false);
  });

  it('evicts by bytes', () => {
    const { w } = setup({ maxBytes: 25, startAfter: -1 });
    w.append(rec(0, 10));
    w.append(rec(1, 10));
    w.append(rec(2, 10));
    expect(offsets(w.readFrom(0))).toEqual([1, 2]);
    expect(w.byteSize).toBe(20);
    expect(w.coveredFrom).toBe(1);
  });

  it('does not keep a record larger than maxBytes, and coverage moves past it', () => {
    const { w } = setup({ maxBytes: 25, startAfter: -1 });
    w.append(rec(0, 10));
    w.append(rec(1, 100));
    expect(w.size).toBe(0);
    expect(w.byteSize).toBe(0);
    expect(w.covers(1)).toBe(false);
    expect(w.covers(2)).toBe(true);
    w.append(rec(2, 10));
    expect(offsets(w.readFrom(0))).toEqual([2]);
  });

  it('evicts by age on append and on evictExpired, by the injected clock', () => {
    const { w, clock } = setup({ maxAgeMs: 1000, startAfter: -1 });
    w.append(rec(0));
    clock.t = 500;
    w.append(rec(1));
    clock.t = 1000;
    w.evictExpired();
    expect(w.size).toBe(2); // exactly maxAgeMs old is kept
    clock.t = 1001;
    w.append(rec(2));
    expect(offsets(w.readFrom(0))).toEqual([1, 2]);
    clock.t = 5000;
    w.evictExpired();
    expect(w.size).toBe(0);
    expect(w.coveredFrom).toBe(3);
    expect(w.covers(3)).toBe(true);
  });

  it('ages records by ingest time, not by their Kafka timestamp', () => {
    const { w, clock } = setup({ maxAgeMs: 1000 });
    clock.t = 10_000_000;
    w.append({ offset: 0, bytes: 1, timestampMs: 0 });
    w.evictExpired();
    expect(w.size).toBe(1);
  });

  it('rejects an offset that does not increase, and one at or below startAfter', () => {
    const { w } = setup({ startAfter: 10 });
    expect(() => w.append(rec(10))).toThrow(SourceError);
    w.append(rec(11));
    let err: unknown;
    try {
      w.append(rec(11));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('OFFSET_REGRESSION');
    expect(() => w.append(rec(-1))).toThrow(SourceError);
    expect(() => w.append(rec(1.5))).toThrow(SourceError);
    expect(w.size).toBe(1);
  });

  it('reset empties the window and restarts coverage (e.g. a recreated topic)', () => {
    const { w } = setup({ startAfter: 99 });
    w.append(rec(100));
    w.reset(-1);
    expect(w.size).toBe(0);
    expect(w.byteSize).toBe(0);
    expect(w.coveredFrom).toBe(0);
    w.append(rec(0));
    expect(offsets(w.readFrom(0))).toEqual([0]);
    w.reset();
    expect(w.coveredFrom).toBeNull();
    w.append(rec(0));
    expect(w.covers(0)).toBe(true);
  });

  it('keeps working across ring growth and wrap-around', () => {
    const { w } = setup({ maxRecords: 50, startAfter: -1 });
    for (let o = 0; o < 1000; o++) w.append(rec(o * 2, 1));
    expect(w.size).toBe(50);
    expect(w.firstOffset).toBe(1900);
    expect(w.lastOffset).toBe(1998);
    expect(offsets(w.readFrom(1951))).toEqual(Array.from({ length: 24 }, (_, i) => 1952 + i * 2));
  });

  it.each([
    { maxRecords: 0 },
    { maxRecords: 1.5 },
    { maxBytes: 0 },
    { maxAgeMs: -1 },
    { maxAgeMs: Number.NaN },
    { startAfter: -2 },
    { startAfter: 0.5 },
  ])('rejects invalid options %o', (bad) => {
    expect(() => setup(bad)).toThrow(ConfigError);
  });

  it('accepts Infinity for the byte and age limits', () => {
    const { w } = setup({ maxBytes: Number.POSITIVE_INFINITY, maxAgeMs: Number.POSITIVE_INFINITY });
    w.append(rec(0, 1e12));
    expect(w.size).toBe(1);
  });

  it('behaves like a naive model under random operations (property)', () => {
    type Op =
      | { kind: 'append'; gap: number; bytes: number }
      | { kind: 'tick'; ms: number }
      | { kind: 'expire' }
      | { kind: 'read'; delta: number; limit: number | undefined };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('append' as const),
          gap: fc.integer({ min: 1, max: 4 }),
          bytes: fc.integer({ min: 0, max: 40 }),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 400 }) }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('read' as const),
          delta: fc.integer({ min: -20, max: 5 }),
          limit: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
        }),
      },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: -1, max: 5 }),
        fc.array(op, { maxLength: 150 }),
        (maxRecords, maxBytes, maxAgeMs, startAfter, ops) => {
          let t = 0;
          const w = new RecordWindow<Rec>({ maxRecords, maxBytes, maxAgeMs, now: () => t, startAfter });
          // Model: every record ever appended, with its time, and which are still held.
          const model: { r: Rec; at: number }[] = [];
          const all: Rec[] = [];
          let last = startAfter;
          let coveredFrom = startAfter + 1;
          const expire = () => {
            while (model.length > 0 && t - model[0]!.at > maxAgeMs) coveredFrom = model.shift()!.r.offset + 1;
          };
          for (const o of ops) {
            if (o.kind === 'append') {
              last += o.gap;
              const r = { offset: last, bytes: o.bytes, timestampMs: 0 };
              all.push(r);
              w.append(r);
              expire();
              if (model.length >= maxRecords) coveredFrom = model.shift()!.r.offset + 1;
              model.push({ r, at: t });
              let bytes = model.reduce((s, m) => s + m.r.bytes, 0);
              while (model.length > 0 && bytes > maxBytes) {
                const gone = model.shift()!;
                bytes -= gone.r.bytes;
                coveredFrom = gone.r.offset + 1;
              }
            } else if (o.kind === 'tick') t += o.ms;
            else if (o.kind === 'expire') {
              w.evictExpired();
              expire();
            } else {
              const from = last + o.delta;
              const want = model.map((m) => m.r).filter((r) => r.offset >= from);
              expect(w.readFrom(from, o.limit)).toEqual(
                o.limit === undefined ? want : want.slice(0, o.limit),
              );
              // covers(from) <=> every record ever appended at or after `from` is held.
              const held = new Set(model.map((m) => m.r));
              const complete = all.filter((r) => r.offset >= from).every((r) => held.has(r));
              expect(w.covers(from)).toBe(from >= coveredFrom);
              if (w.covers(from)) expect(complete).toBe(true);
            }
            expect(w.size).toBe(model.length);
            expect(w.byteSize).toBe(model.reduce((s, m) => s + m.r.bytes, 0));
            expect(w.firstOffset).toBe(model[0]?.r.offset ?? null);
            expect(w.lastOffset).toBe(model.at(-1)?.r.offset ?? null);
            expect(w.coveredFrom).toBe(coveredFrom);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('truncateBefore drops records below the new log start and moves coverage there', () => {
    const { w } = setup({ startAfter: -1 });
    for (const o of [0, 1, 2, 5, 6]) w.append(rec(o));
    w.truncateBefore(3);
    expect(offsets(w.readFrom(0))).toEqual([5, 6]);
    expect(w.covers(2)).toBe(false);
    expect(w.covers(3)).toBe(true);
    w.truncateBefore(10);
    expect(w.readFrom(0)).toEqual([]);
    expect(w.covers(9)).toBe(false);
    expect(w.covers(10)).toBe(true);
    w.append(rec(10));
    expect(offsets(w.readFrom(10))).toEqual([10]);
    // A log start below coverage changes nothing.
    w.truncateBefore(4);
    expect(offsets(w.readFrom(0))).toEqual([10]);
  });
});
