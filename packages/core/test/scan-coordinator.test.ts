import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../src/errors.js';
import type { ScanRequest, ScanSink } from '../src/scan-coordinator.js';
import { ScanCoordinator } from '../src/scan-coordinator.js';

interface Rec {
  offset: number;
}

interface Read {
  partition: number;
  from: number;
  to: number;
  sink: ScanSink<Rec>;
  cancelled: boolean;
}

function setup(keep?: { maxBytes: number; idleMs: number; now: () => number }) {
  const reads: Read[] = [];
  const tasks: (() => void)[] = [];
  const scans = new ScanCoordinator<Rec>({
    schedule: (t) => tasks.push(t),
    ...(keep ? { keep: { ...keep, sizeOf: () => 10 } } : {}),
    source: {
      read(partition, from, to, sink) {
        const r: Read = { partition, from, to, sink, cancelled: false };
        reads.push(r);
        return { cancel: () => (r.cancelled = true) };
      },
    },
  });
  const run = () => {
    while (tasks.length > 0) tasks.shift()!();
  };
  return { scans, reads, run, tasks };
}

interface Probe {
  got: number[];
  done: number;
  errors: unknown[];
}

function req(from: number, to: number): ScanRequest<Rec> & Probe {
  const p: ScanRequest<Rec> & Probe = {
    from,
    to,
    got: [],
    done: 0,
    errors: [],
    onRecord: (r) => p.got.push(r.offset),
    onDone: () => p.done++,
    onError: (e) => p.errors.push(e),
  };
  return p;
}

function feed(read: Read, ...offsets: number[]): void {
  for (const offset of offsets) read.sink.record({ offset });
}

/** Partition 0 scanned once over [0, to], reading `offsets`: what a keeping coordinator then holds. */
function scanOnce(s: ReturnType<typeof setup>, to: number, ...offsets: number[]): void {
  s.scans.request(0, req(0, to));
  s.run();
  feed(s.reads[0] as Read, ...offsets);
  s.reads[0]?.sink.end(to);
}

describe('ScanCoordinator', () => {
  it('serves one request with one scan and finishes it when the scan passes its end', () => {
    const { scans, reads, run } = setup();
    const a = req(10, 20);
    scans.request(3, a);
    expect(reads).toHaveLength(0); // started through the scheduler
    run();
    expect(reads).toMatchObject([{ partition: 3, from: 10, to: 20 }]);
    feed(reads[0]!, 10, 15, 18);
    expect(a.got).toEqual([10, 15, 18]);
    expect(a.done).toBe(0);
    feed(reads[0]!, 23); // past `to`: not delivered, but the request is complete
    expect(a.got).toEqual([10, 15, 18]);
    expect(a.done).toBe(1);
    reads[0]!.sink.end(23);
    expect(a.done).toBe(1);
    expect(scans.stats).toMatchObject({
      scansStarted: 1,
      recordsRead: 4,
      recordsDelivered: 3,
      activeScans: 0,
    });
  });

  it('finishes on the reader end when offsets are not dense (no record at `to`)', () => {
    const { scans, reads, run } = setup();
    const a = req(10, 20);
    scans.request(0, a);
    run();
    feed(reads[0]!, 12);
    reads[0]!.sink.end(20);
    expect(a).toMatchObject({ got: [12], done: 1, errors: [] });
  });

  it('finishes a request as soon as a record reaches its `to`', () => {
    const { scans, reads, run } = setup();
    const a = req(0, 5);
    const b = req(0, 9);
    scans.request(0, a);
    scans.request(0, b);
    run();
    feed(reads[0]!, 5);
    expect(a.done).toBe(1);
    expect(b.done).toBe(0);
  });

  it('shares one scan among requests made in the same tick, covering [min from, max to]', () => {
    const { scans, reads, run } = setup();
    const a = req(10, 20);
    const b = req(5, 12);
    const c = req(15, 30);
    for (const r of [a, b, c]) scans.request(0, r);
    run();
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ from: 5, to: 30 });
    feed(reads[0]!, 5, 11, 12, 16, 21, 30);
    reads[0]!.sink.end(30);
    expect(a).toMatchObject({ got: [11, 12, 16], done: 1 });
    expect(b).toMatchObject({ got: [5, 11, 12], done: 1 });
    expect(c).toMatchObject({ got: [16, 21, 30], done: 1 });
    expect(scans.stats.scansStarted).toBe(1);
  });

  it('keeps partitions independent', () => {
    const { scans, reads, run } = setup();
    scans.request(0, req(0, 5));
    scans.request(1, req(0, 5));
    run();
    expect(reads.map((r) => r.partition)).toEqual([0, 1]);
    expect(scans.stats.activeScans).toBe(2);
  });

  it('lets a request join a running scan when it starts at or past the next offset', () => {
    const { scans, reads, run } = setup();
    const a = req(0, 100);
    scans.request(0, a);
    run();
    feed(reads[0]!, 0, 3, 7);
    const b = req(8, 50); // next offset is 8
    scans.request(0, b);
    run();
    expect(reads).toHaveLength(1);
    feed(reads[0]!, 9, 50, 60);
    expect(b).toMatchObject({ got: [9, 50], done: 1 });
    reads[0]!.sink.end(100);
    expect(a).toMatchObject({ got: [0, 3, 7, 9, 50, 60], done: 1 });
    expect(scans.stats.scansStarted).toBe(1);
  });

  it('makes a request behind the scan wait for the next scan', () => {
    const { scans, reads, run } = setup();
    const a = req(0, 10);
    scans.request(0, a);
    run();
    feed(reads[0]!, 0, 4);
    const b = req(2, 6); // 2 and 4 already passed
    const c = req(3, 8);
    scans.request(0, b);
    scans.request(0, c);
    run();
    expect(reads).toHaveLength(1); // one scan per partition at a time
    expect(scans.stats.waitingRequests).toBe(2);
    feed(reads[0]!, 6, 10);
    reads[0]!.sink.end(10);
    expect(a).toMatchObject({ got: [0, 4, 6, 10], done: 1 });
    expect(b.got).toEqual([]);
    run();
    expect(reads).toHaveLength(2);
    expect(reads[1]).toMatchObject({ from: 2, to: 8 });
    feed(reads[1]!, 4, 6, 8);
    reads[1]!.sink.end(8);
    expect(b).toMatchObject({ got: [4, 6], done: 1 });
    expect(c).toMatchObject({ got: [4, 6, 8], done: 1 });
    expect(scans.stats.scansStarted).toBe(2);
  });

  it('makes a request starting past the scan end wait', () => {
    const { scans, reads, run } = setup();
    scans.request(0, req(0, 10));
    run();
    const b = req(11, 20);
    scans.request(0, b);
    feed(reads[0]!, 11); // overshoot of the first read: not for b, which did not join
    reads[0]!.sink.end(11);
    expect(b.got).toEqual([]);
    run();
    expect(reads[1]).toMatchObject({ from: 11, to: 20 });
  });

  it('serves the rest of a joined request that needs more than the scan reads in the next scan', () => {
    const { scans, reads, run } = setup();
    const a = req(0, 10);
    scans.request(0, a);
    run();
    feed(reads[0]!, 1);
    const b = req(5, 30);
    scans.request(0, b);
    feed(reads[0]!, 5, 9, 12); // a batch overshooting `to`: 12 still goes to b
    reads[0]!.sink.end(12);
    expect(a).toMatchObject({ got: [1, 5, 9], done: 1 });
    expect(b).toMatchObject({ got: [5, 9, 12], done: 0 });
    run();
    expect(reads[1]).toMatchObject({ from: 13, to: 30 });
    feed(reads[1]!, 13, 30);
    expect(b).toMatchObject({ got: [5, 9, 12, 13, 30], done: 1 });
  });

  it('continues a request after a reader that ended short of its `to`', () => {
    const { scans, reads, run } = setup();
    const a = req(0, 10);
    scans.request(0, a);
    run();
    feed(reads[0]!, 0, 2);
    reads[0]!.sink.end(4);
    expect(a.done).toBe(0);
    run();
    expect(reads[1]).toMatchObject({ from: 5, to: 10 });
    reads[1]!.sink.end(10);
    expect(a).toMatchObject({ got: [0, 2], done: 1 });
  });

  it('fails requests of a scan that ended without progress instead of looping', () => {
    const { scans, reads, run } = setup();
    const a = req(5, 10);
    scans.request(0, a);
    run();
    reads[0]!.sink.end(3);
    expect(a.errors).toHaveLength(1);
    expect((a.errors[0] as SourceError).code).toBe('SCAN_NO_PROGRESS');
    run();
    expect(reads).toHaveLength(1);
  });

  it('ignores duplicate and out-of-order records from the reader', () => {
    const { scans, reads, run } = setup();
    const a = req(0, 10);
    scans.request(0, a);
    run();
    feed(reads[0]!, 1, 3, 3, 2, 4);
    expect(a.got).toEqual([1, 3, 4]);
  });

  it('fails the attached requests on a reader error and gives waiting ones a new scan', () => {
    const { scans, reads, run } = setup();
    const a = req(0, 10);
    scans.request(0, a);
    run();
    feed(reads[0]!, 0, 5);
    const b = req(1, 10); // behind: waits
    scans.request(0, b);
    const boom = new SourceError('broker down');
    reads[0]!.sink.error(boom);
    expect(a).toMatchObject({ got: [0, 5], done: 0, errors: [boom] });
    expect(b.errors).toEqual([]);
    // Later sink calls of the dead read are ignored.
    feed(reads[0]!, 6);
    reads[0]!.sink.end(10);
    expect(a).toMatchObject({ got: [0, 5], done: 0 });
    run();
    expect(reads[1]).toMatchObject({ from: 1, to: 10 });
  });

  it('turns a throwing source.read into request errors', () => {
    const boom = new Error('cannot seek');
    const scans = new ScanCoordinator<Rec>({
      schedule: (t) => t(),
      source: {
        read() {
          throw boom;
        },
      },
    });
    const a = req(0, 1);
    scans.request(0, a);
    expect(a.errors).toEqual([boom]);
    expect(scans.stats.activeScans).toBe(0);
  });

  it('cancels the scan when its last request is withdrawn, and starts the next for the waiting', () => {
    const { scans, reads, run } = setup();
    const a = scans.request(0, req(0, 10));
    const bProbe = req(20, 30);
    const b = scans.request(0, bProbe);
    run();
    expect(reads).toHaveLength(1);
    b.cancel();
    expect(reads[0]!.cancelled).toBe(false);
    const cProbe = req(0, 5);
    feed(reads[0]!, 0, 1);
    scans.request(0, cProbe); // behind: waits
    a.cancel();
    expect(reads[0]!.cancelled).toBe(true);
    feed(reads[0]!, 2);
    expect(bProbe.got).toEqual([]);
    run();
    expect(reads[1]).toMatchObject({ from: 0, to: 5 });
    a.cancel(); // idempotent
  });

  it('withdraws a waiting request without starting a scan for it', () => {
    const { scans, reads, run } = setup();
    const a = scans.request(0, req(0, 10));
    a.cancel();
    run();
    expect(reads).toHaveLength(0);
    expect(scans.stats).toMatchObject({ scansStarted: 0, waitingRequests: 0 });
  });

  it('isolates a request whose callback throws', () => {
    const { scans, reads, run } = setup();
    const bad = req(0, 10);
    const boom = new Error('socket closed');
    bad.onRecord = () => {
      throw boom;
    };
    bad.onError = (e) => bad.errors.push(e);
    const good = req(0, 10);
    scans.request(0, bad);
    scans.request(0, good);
    run();
    feed(reads[0]!, 1, 2);
    reads[0]!.sink.end(10);
    expect(bad.errors).toEqual([boom]);
    expect(good).toMatchObject({ got: [1, 2], done: 1 });
  });

  it('copes with a synchronous source (records and end inside read)', () => {
    const log = [0, 2, 4, 6, 8].map((offset) => ({ offset }));
    const scans = new ScanCoordinator<Rec>({
      schedule: (t) => t(),
      source: {
        read(_p, from, to, sink) {
          for (const r of log) if (r.offset >= from) sink.record(r);
          sink.end(Math.max(to, 8));
          return { cancel: () => {} };
        },
      },
    });
    const a = req(1, 6);
    scans.request(0, a);
    expect(a).toMatchObject({ got: [2, 4, 6], done: 1 });
  });

  it('cancels a read that nobody needs any more even before read returns its handle', () => {
    let cancelled = 0;
    const scans = new ScanCoordinator<Rec>({
      schedule: (t) => t(),
      source: {
        read(_p, _from, _to, sink) {
          sink.record({ offset: 0 }); // its only request throws and is dropped: the scan is abandoned
          return { cancel: () => cancelled++ };
        },
      },
    });
    const a = req(0, 10);
    a.onRecord = () => {
      throw new Error('gone');
    };
    scans.request(0, a);
    expect(a.errors).toHaveLength(1);
    expect(cancelled).toBe(1);
    expect(scans.stats.activeScans).toBe(0);
  });

  it('close fails everything and refuses new requests', () => {
    const { scans, reads, run } = setup();
    const a = req(0, 10);
    const b = req(0, 10);
    scans.request(0, a);
    run();
    feed(reads[0]!, 0);
    scans.request(0, b);
    scans.close();
    expect(reads[0]!.cancelled).toBe(true);
    expect((a.errors[0] as SourceError).code).toBe('CLOSED');
    expect((b.errors[0] as SourceError).code).toBe('CLOSED');
    expect(() => scans.request(0, req(0, 1))).toThrow(SourceError);
  });

  it.each([
    [-1, 0, 0],
    [0, -1, 0],
    [0, 5, 4],
    [0, 0.5, 1],
  ])('rejects partition %d range [%d, %d]', (p, from, to) => {
    const { scans } = setup();
    expect(() => scans.request(p, req(from, to))).toThrow(RangeError);
  });

  it('delivers exactly each request range, in order, with bounded scans (property)', () => {
    // A random sparse partition, requests arriving at random moments, a reader
    // delivering random batch sizes, interleaved at random.
    const scenario = fc.record({
      gaps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 60 }),
      requests: fc.array(fc.tuple(fc.nat(200), fc.nat(200), fc.nat(30)), { minLength: 1, maxLength: 25 }),
      steps: fc.array(fc.nat(1000), { minLength: 400, maxLength: 400 }),
      // Keeping what was read, with a budget of a few records and a short idle time (the clock is the step).
      keep: fc.option(fc.record({ maxBytes: fc.nat(300), idleMs: fc.nat(60) }), { nil: undefined }),
    });
    fc.assert(
      fc.property(scenario, ({ gaps, requests, steps, keep }) => {
        const log: Rec[] = [];
        let o = 0;
        for (const g of gaps) {
          o += g;
          log.push({ offset: o });
        }
        const max = o;
        let step = 0;
        const { scans, reads, tasks } = setup(keep && { ...keep, now: () => step });
        const pos = new Map<Read, number>();
        const probes: Probe[] = [];
        const want: number[][] = [];
        const pendingArrivals = requests.map(([a, b, at]) => ({
          from: a % (max + 1),
          to: b % (max + 1),
          at,
        }));
        const tick = (r: number) => {
          for (const a of pendingArrivals.filter((x) => x.at === step)) {
            const from = Math.min(a.from, a.to);
            const to = Math.max(a.from, a.to);
            const p = req(from, to);
            probes.push(p);
            want.push(log.filter((x) => x.offset >= from && x.offset <= to).map((x) => x.offset));
            scans.request(0, p);
          }
          step++;
          if (r % 17 === 0) scans.expire();
          const live = reads.filter((x) => !x.cancelled && pos.get(x) !== -1);
          if (r % 3 === 0 && tasks.length > 0) tasks.shift()!();
          else if (live.length > 0) {
            const read = live[r % live.length]!;
            const p = pos.get(read) ?? read.from;
            const batch = log.filter((x) => x.offset >= p).slice(0, 1 + (r % 4));
            for (const x of batch) read.sink.record(x);
            const last = batch.at(-1)?.offset ?? max;
            pos.set(read, last + 1);
            if (last >= read.to || batch.length === 0) {
              pos.set(read, -1);
              read.sink.end(Math.max(last, read.to));
            }
          }
        };
        for (const r of steps) tick(r);
        for (let guard = 0; guard < 10_000 && probes.some((p) => p.done === 0); guard++) tick(guard);
        for (const [i, p] of probes.entries()) {
          expect(p.errors).toEqual([]);
          expect(p.done).toBe(1);
          expect(p.got).toEqual(want[i]);
        }
        // Never more scans than requests plus continuations of joiners.
        expect(scans.stats.scansStarted).toBeLessThanOrEqual(2 * probes.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('ScanCoordinator keeping what it read', () => {
  const forever = { maxBytes: 1e9, idleMs: 1e9, now: () => 0 };

  it('serves a request arriving after the scan ended from memory, with no second scan', () => {
    const { scans, reads, run } = setup(forever);
    const a = req(10, 20);
    scans.request(0, a);
    run();
    feed(reads[0]!, 10, 14, 20);
    reads[0]!.sink.end(20);
    const b = req(12, 20);
    scans.request(0, b);
    expect(b.got).toEqual([]); // not in the caller's stack
    run();
    expect(b).toMatchObject({ got: [14, 20], done: 1, errors: [] });
    expect(reads).toHaveLength(1);
    expect(scans.stats).toMatchObject({
      scansStarted: 1,
      recordsRead: 3,
      recordsFromKept: 2,
      keptRecords: 3,
    });
  });

  it('serves a request behind a running scan from memory, then attaches it to that scan', () => {
    const { scans, reads, run } = setup(forever);
    const a = req(0, 10);
    scans.request(0, a);
    run();
    feed(reads[0]!, 0, 4);
    const b = req(2, 10); // 4 already passed: without memory it would wait for a second scan
    scans.request(0, b);
    run();
    expect(b.got).toEqual([4]);
    feed(reads[0]!, 6, 10);
    reads[0]!.sink.end(10);
    expect(a).toMatchObject({ got: [0, 4, 6, 10], done: 1 });
    expect(b).toMatchObject({ got: [4, 6, 10], done: 1 });
    run();
    expect(scans.stats.scansStarted).toBe(1);
  });

  it('reads only the part past the kept segment, and extends the segment', () => {
    const kept = setup(forever);
    const { scans, reads, run } = kept;
    scanOnce(kept, 5, 0, 5);
    const b = req(3, 9);
    scans.request(0, b);
    run();
    expect(b.got).toEqual([5]);
    run();
    expect(reads[1]).toMatchObject({ from: 6, to: 9 });
    feed(reads[1]!, 8);
    reads[1]!.sink.end(9);
    expect(b).toMatchObject({ got: [5, 8], done: 1 });
    const c = req(0, 9);
    scans.request(0, c);
    run();
    expect(c).toMatchObject({ got: [0, 5, 8], done: 1 });
    expect(scans.stats.scansStarted).toBe(2);
  });

  it('serves a request that waited for the next scan from what the running one kept', () => {
    const { scans, reads, run } = setup(forever);
    scans.request(0, req(5, 10));
    run();
    const early = req(0, 10); // before the segment: waits
    scans.request(0, early);
    run();
    feed(reads[0]!, 5, 10);
    reads[0]!.sink.end(10);
    run();
    expect(reads[1]).toMatchObject({ from: 0, to: 10 }); // starts before the segment: a new one
    feed(reads[1]!, 1, 5, 10);
    reads[1]!.sink.end(10);
    expect(early).toMatchObject({ got: [1, 5, 10], done: 1 });
    const late = req(0, 10);
    scans.request(0, late);
    run();
    expect(late).toMatchObject({ got: [1, 5, 10], done: 1 });
    expect(scans.stats.scansStarted).toBe(2);
  });

  it('keeps at most maxBytes, the oldest records first out, other partitions before', () => {
    const { scans, reads, run } = setup({ maxBytes: 30, idleMs: 1e9, now: () => 0 });
    scans.request(1, req(0, 0));
    run();
    feed(reads[0]!, 0);
    reads[0]!.sink.end(0);
    expect(scans.stats.keptBytes).toBe(10);
    scans.request(0, req(0, 9));
    run();
    feed(reads[1]!, 0, 1, 2, 3);
    expect(scans.stats).toMatchObject({ keptBytes: 30, keptRecords: 3 }); // partition 1's went first
    reads[1]!.sink.end(9);
    const b = req(0, 9);
    scans.request(0, b);
    run();
    run();
    expect(reads[2]).toMatchObject({ partition: 0, from: 0, to: 9 }); // 0 was dropped: read again
    feed(reads[2]!, 0, 1, 2, 3);
    reads[2]!.sink.end(9);
    expect(b).toMatchObject({ got: [0, 1, 2, 3], done: 1 });
  });

  it('drops a segment unused for idleMs', () => {
    let now = 0;
    const kept = setup({ maxBytes: 1e9, idleMs: 100, now: () => now });
    const { scans, reads, run } = kept;
    scanOnce(kept, 3, 0, 3);
    now = 100;
    scans.expire();
    expect(scans.stats.keptRecords).toBe(2);
    now = 201;
    scans.expire();
    expect(scans.stats).toMatchObject({ keptRecords: 0, keptBytes: 0 });
    const b = req(0, 3);
    scans.request(0, b);
    run();
    expect(reads).toHaveLength(2);
  });

  it('fails a request served from memory whose callback throws, and no other', () => {
    const kept = setup(forever);
    const { scans, reads, run } = kept;
    scanOnce(kept, 3, 0, 3);
    const bad = req(0, 3);
    bad.onRecord = () => {
      throw new Error('boom');
    };
    const good = req(0, 3);
    scans.request(0, bad);
    scans.request(0, good);
    run();
    expect(bad.errors).toHaveLength(1);
    expect(good).toMatchObject({ got: [0, 3], done: 1 });
  });

  it('withdraws a request waiting to be served from memory', () => {
    const kept = setup(forever);
    const { scans, reads, run } = kept;
    scanOnce(kept, 3, 0, 3);
    const b = req(0, 3);
    scans.request(0, b).cancel();
    run();
    expect(b).toMatchObject({ got: [], done: 0, errors: [] });
    expect(scans.stats.recordsFromKept).toBe(0);
  });

  it('close clears what it kept', () => {
    const kept = setup(forever);
    const { scans, reads, run } = kept;
    scanOnce(kept, 3, 0, 3);
    const b = req(0, 3);
    scans.request(0, b);
    scans.close();
    expect(b.errors).toHaveLength(1);
    expect(scans.stats).toMatchObject({ keptRecords: 0, keptBytes: 0 });
  });

  it('a storm of identical requests arriving at random moments costs one scan (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(60), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(1000), { minLength: 200, maxLength: 200 }),
        (arrivals, steps) => {
          const log = Array.from({ length: 30 }, (_, i) => ({ offset: 100 + 2 * i }));
          const { scans, reads, tasks } = setup(forever);
          const probes: Probe[] = [];
          const pos = new Map<Read, number>();
          const tick = (step: number, r: number) => {
            for (const at of arrivals)
              if (at === step) {
                const p = req(100, 159);
                probes.push(p);
                scans.request(0, p);
              }
            const live = reads.filter((x) => !x.cancelled && pos.get(x) !== -1);
            if (r % 2 === 0 && tasks.length > 0) tasks.shift()!();
            else if (live.length > 0) {
              const read = live[0]!;
              const batch = log.filter((x) => x.offset >= (pos.get(read) ?? read.from)).slice(0, 1 + (r % 5));
              for (const x of batch) read.sink.record(x);
              const last = batch.at(-1)?.offset ?? 159;
              pos.set(read, last + 1);
              if (last >= read.to || batch.length === 0) {
                pos.set(read, -1);
                read.sink.end(Math.max(last, read.to));
              }
            } else if (tasks.length > 0) tasks.shift()!();
          };
          steps.forEach((r, i) => tick(i, r));
          for (let g = 0; g < 10_000 && (tasks.length > 0 || probes.some((p) => p.done === 0)); g++)
            tick(1000 + g, g);
          for (const p of probes)
            expect(p).toMatchObject({ got: log.map((x) => x.offset), done: 1, errors: [] });
          expect(scans.stats.scansStarted).toBe(1);
          expect(scans.stats.recordsRead).toBe(log.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
