import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordWindow } from '../src/record-window.js';
import type { ReplayInput } from '../src/replay-planner.js';
import { planReplay } from '../src/replay-planner.js';
import type { ScanSink } from '../src/scan-coordinator.js';
import { ScanCoordinator } from '../src/scan-coordinator.js';

/** A window predicate covering from `coveredFrom` (null: covers nothing). */
function coversFrom(coveredFrom: number | null): (from: number) => boolean {
  return (from) => coveredFrom !== null && from >= coveredFrom;
}

function plan(p: Partial<ReplayInput> & Pick<ReplayInput, 'after' | 'live'>) {
  return planReplay({ windowCovers: coversFrom(null), ...p });
}

describe('planReplay', () => {
  it('is none when the position is live', () => {
    expect(plan({ after: 10, live: 10 })).toEqual({ kind: 'none' });
    expect(plan({ after: -1, live: -1 })).toEqual({ kind: 'none' });
  });

  it('waits when the client is ahead of this edge but within the log', () => {
    expect(plan({ after: 15, live: 10, logStart: 0, logEnd: 20 })).toEqual({ kind: 'wait', until: 15 });
    expect(plan({ after: 15, live: 10 })).toEqual({ kind: 'wait', until: 15 });
    expect(plan({ after: 19, live: 10, logEnd: 20 })).toEqual({ kind: 'wait', until: 19 });
  });

  it('serves from the window when it covers after + 1', () => {
    expect(plan({ after: 10, live: 20, windowCovers: coversFrom(5) })).toEqual({ kind: 'window', from: 11 });
    expect(plan({ after: 10, live: 20, windowCovers: coversFrom(11) })).toEqual({ kind: 'window', from: 11 });
  });

  it('reads Kafka up to just before what the window covers', () => {
    expect(plan({ after: 10, live: 20, windowCovers: coversFrom(12) })).toEqual({
      kind: 'kafka',
      from: 11,
      to: 11,
    });
    expect(plan({ after: 10, live: 100, windowCovers: coversFrom(50) })).toEqual({
      kind: 'kafka',
      from: 11,
      to: 49,
    });
  });

  it('reads Kafka up to live when the window covers nothing', () => {
    expect(plan({ after: 10, live: 20 })).toEqual({ kind: 'kafka', from: 11, to: 20 });
    expect(plan({ after: -1, live: 0 })).toEqual({ kind: 'kafka', from: 0, to: 0 });
    // The window covers only past live (everything evicted): Kafka up to live.
    expect(plan({ after: 10, live: 20, windowCovers: coversFrom(21) })).toEqual({
      kind: 'kafka',
      from: 11,
      to: 20,
    });
  });

  it('declares deleted records lost and continues from the log start', () => {
    expect(plan({ after: 3, live: 20, logStart: 10, logEnd: 21, windowCovers: coversFrom(15) })).toEqual({
      kind: 'continuity-lost',
      requested: 4,
      available: 10,
      reason: 'deleted',
      continueWith: { kind: 'kafka', from: 10, to: 14 },
    });
    expect(plan({ after: -1, live: 20, logStart: 10, windowCovers: coversFrom(10) })).toEqual({
      kind: 'continuity-lost',
      requested: 0,
      available: 10,
      reason: 'deleted',
      continueWith: { kind: 'window', from: 10 },
    });
  });

  it('does not declare a loss at the log start exactly', () => {
    expect(plan({ after: 9, live: 20, logStart: 10, windowCovers: coversFrom(10) })).toEqual({
      kind: 'window',
      from: 10,
    });
  });

  it('declares a position beyond the log end lost (truncated or recreated) and continues from the log start', () => {
    expect(plan({ after: 500, live: 4, logStart: 0, logEnd: 5, windowCovers: coversFrom(0) })).toEqual({
      kind: 'continuity-lost',
      requested: 501,
      available: 0,
      reason: 'ahead-of-log',
      continueWith: { kind: 'window', from: 0 },
    });
    // The log start defaults to 0 when unknown.
    expect(plan({ after: 500, live: -1, logEnd: 0 })).toMatchObject({ reason: 'ahead-of-log', available: 0 });
  });

  it('treats after + 1 == logEnd (the latest record processed) as no loss', () => {
    expect(plan({ after: 4, live: 4, logStart: 0, logEnd: 5 })).toEqual({ kind: 'none' });
  });

  it('checks the log bounds before `after >= live`', () => {
    // Recreated topic: the client is far ahead and the edge restarted at 4.
    expect(plan({ after: 4000, live: 4000, logStart: 0, logEnd: 10 })).toMatchObject({
      kind: 'continuity-lost',
    });
  });

  it.each([
    { after: -2, live: 0 },
    { after: 0.5, live: 1 },
    { after: 0, live: Number.NaN },
    { after: 0, live: 1, logStart: -1 },
    { after: 0, live: 1, logEnd: 2 ** 53 },
  ])('rejects bad offsets %o', (bad) => {
    expect(() => plan(bad)).toThrow(RangeError);
  });

  it('returns a plan that is never thenable (safe to return from async code)', async () => {
    const lost = plan({ after: 0, live: 20, logStart: 10 });
    await expect(Promise.resolve(lost)).resolves.toBe(lost);
  });

  it('plans a contiguous, in-range read (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 200 }),
        fc.integer({ min: -1, max: 200 }),
        fc.option(fc.integer({ min: 0, max: 220 })),
        (after, live, coveredFrom) => {
          const p = planReplay({ after, live, windowCovers: coversFrom(coveredFrom) });
          if (after === live) expect(p).toEqual({ kind: 'none' });
          else if (after > live) expect(p).toEqual({ kind: 'wait', until: after });
          else if (p.kind === 'window') {
            expect(p.from).toBe(after + 1);
            expect(coveredFrom).not.toBeNull();
            expect(after + 1).toBeGreaterThanOrEqual(coveredFrom!);
          } else if (p.kind === 'kafka') {
            expect(p.from).toBe(after + 1);
            expect(p.to).toBeGreaterThanOrEqual(p.from);
            expect(p.to).toBeLessThanOrEqual(live);
            // Hand-over: the window covers to + 1 (or to is live), and not to.
            expect(p.to === live || coversFrom(coveredFrom)(p.to + 1)).toBe(true);
            expect(coversFrom(coveredFrom)(p.to)).toBe(false);
          } else throw new Error(`unexpected ${p.kind}`);
        },
      ),
    );
  });
});

/**
 * The switch-over under a steady live stream: a partition keeps growing, the
 * edge ingests it (window append + live publish in one step), and clients
 * resume from random positions, following the plans with a shared Kafka
 * reader, while everything interleaves at random. Each must receive exactly
 * the partition's records after its position (or after the loss it was told
 * of), in order, no gap, no duplicate.
 */
describe('switch-over to live (simulation)', () => {
  interface Rec {
    offset: number;
    bytes: number;
  }

  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
  }

  const seen = new Map<string, number>();
  const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);

  function simulate(seed: number): void {
    const rand = rng(seed);
    const int = (n: number) => Math.floor(rand() * n);
    // The partition: non-dense offsets; the first `deleted` records are gone (retention).
    const log: Rec[] = [];
    for (let o = 0, i = 0; i < 120; i++, o += 1 + int(3)) log.push({ offset: o, bytes: 1 });
    const deleted = int(10);
    let produced = 30 + int(30);
    const startIdx = produced; // the edge starts at the latest offset
    const startAfter = log[startIdx - 1]!.offset;
    const window = new RecordWindow<Rec>({
      maxRecords: 3 + int(20),
      maxBytes: Number.POSITIVE_INFINITY,
      maxAgeMs: Number.POSITIVE_INFINITY,
      now: () => 0,
      startAfter,
    });
    let ingested = startIdx;
    let live = startAfter;
    const logStart = log[deleted]!.offset;
    const logEnd = () => log[produced - 1]!.offset + 1;

    interface Read {
      pos: number;
      to: number;
      sink: ScanSink<Rec>;
      cancelled: boolean;
    }
    const reads: Read[] = [];
    const tasks: (() => void)[] = [];
    const scans = new ScanCoordinator<Rec>({
      schedule: (t) => tasks.push(t),
      source: {
        read(_p, from, to, sink) {
          const r: Read = { pos: from, to, sink, cancelled: false };
          reads.push(r);
          return { cancel: () => (r.cancelled = true) };
        },
      },
    });

    interface Client {
      start: number;
      after: number;
      state: 'idle' | 'reading' | 'waiting' | 'live';
      received: number[];
      lostUntil: number | null;
    }
    const clients: Client[] = [];
    for (let i = 0; i < 6; i++) {
      const roll = rand();
      const start =
        roll < 0.1
          ? -1
          : roll < 0.15
            ? log[produced - 1]!.offset + 50
            : log[int(produced + 20)]!.offset - int(2);
      clients.push({ start, after: start, state: 'idle', received: [], lostUntil: null });
    }
    const deliver = (c: Client, r: Rec) => {
      c.received.push(r.offset);
      c.after = r.offset;
    };

    const ingest = () => {
      const r = log[ingested++]!;
      window.append(r);
      live = r.offset;
      for (const c of clients) if (c.state === 'live') deliver(c, r);
    };

    const step = (c: Client) => {
      let p = planReplay({
        after: c.after,
        live,
        windowCovers: (f) => window.covers(f),
        logStart,
        logEnd: logEnd(),
      });
      count(p.kind === 'continuity-lost' ? p.reason : p.kind);
      if (p.kind === 'continuity-lost') {
        expect(c.lostUntil).toBeNull();
        expect(p.requested).toBe(c.after + 1);
        c.lostUntil = p.available;
        c.after = p.available - 1;
        p = p.continueWith;
      }
      switch (p.kind) {
        case 'none':
          c.state = 'live';
          break;
        case 'wait':
          c.state = 'waiting';
          break;
        case 'window':
          // One synchronous step: window read, then live.
          for (const r of window.readFrom(p.from)) deliver(c, r);
          expect(c.after).toBe(live);
          c.state = 'live';
          break;
        case 'kafka': {
          c.state = 'reading';
          const to = p.to;
          scans.request(0, {
            from: p.from,
            to,
            onRecord: (r) => deliver(c, r),
            onDone: () => {
              c.after = to;
              c.state = 'idle';
            },
            onError: (e) => {
              throw e;
            },
          });
          break;
        }
      }
    };

    const sourceStep = (r: Read) => {
      // Deliver a batch of up to 3 records, like a kafkajs batch.
      const batch = log
        .slice(0, produced)
        .filter((x) => x.offset >= r.pos && x.offset >= logStart)
        .slice(0, 1 + int(3));
      if (batch.length === 0) return;
      for (const x of batch) r.sink.record(x);
      r.pos = batch.at(-1)!.offset + 1;
      if (r.pos - 1 >= r.to) {
        reads.splice(reads.indexOf(r), 1);
        r.sink.end(r.pos - 1);
      }
    };

    for (let guard = 0; guard < 100_000; guard++) {
      const active = reads.filter((r) => !r.cancelled);
      const busy = clients.some((c) => c.state !== 'live');
      if (!busy && ingested === log.length && tasks.length === 0 && active.length === 0) break;
      const roll = rand();
      if (roll < 0.15 && produced < log.length) produced++;
      else if (roll < 0.35 && ingested < produced) ingest();
      else if (roll < 0.45 && tasks.length > 0) tasks.shift()!();
      else if (roll < 0.75 && active.length > 0) sourceStep(active[int(active.length)]!);
      else {
        const ready = clients.filter((c) => c.state === 'idle' || (c.state === 'waiting' && live >= c.after));
        if (ready.length > 0) step(ready[int(ready.length)]!);
        else if (produced < log.length) produced++;
        else if (ingested < produced) ingest();
      }
    }

    for (const [i, c] of clients.entries()) {
      const from = c.lostUntil ?? c.start + 1;
      const want = log.filter((r) => r.offset >= from && r.offset >= logStart).map((r) => r.offset);
      expect(c.state, `client ${i}`).toBe('live');
      expect(c.received, `client ${i} from ${c.start}`).toEqual(want);
      if (c.start + 1 < logStart) expect(c.lostUntil).toBe(logStart);
      else if (c.start + 1 <= log[startIdx - 1]!.offset + 1) expect(c.lostUntil).toBeNull();
      else expect([null, logStart]).toContain(c.lostUntil); // ahead of the log when it planned, or not
    }
  }

  it('delivers exactly the records after each position, across random interleavings (property)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => simulate(seed)),
      // A fixed seed: the coverage check below must not depend on luck.
      { numRuns: 300, seed: 20261122 },
    );
    // Every kind of plan was exercised.
    for (const kind of ['none', 'wait', 'window', 'kafka', 'deleted', 'ahead-of-log']) {
      expect(seen.get(kind) ?? 0, kind).toBeGreaterThan(10);
    }
  });
});
