import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AckBatch } from '../src/ack-coalescer.js';
import { ConfigError, StoreError } from '../src/errors.js';
import type { WriteBehindOptions } from '../src/write-behind.js';
import { WriteBehind } from '../src/write-behind.js';
import { FakeClock, flushMicrotasks } from './helpers/fake-clock.js';

interface Call {
  batch: AckBatch;
  at: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function flat(batch: AckBatch): string[] {
  const out: string[] = [];
  for (const [s, channels] of batch)
    for (const [c, parts] of channels) for (const [p, o] of parts) out.push(`${s}/${c}/${p}=${o}`);
  return out.sort();
}

function setup(opts: Partial<WriteBehindOptions> = {}) {
  const clock = new FakeClock();
  const calls: Call[] = [];
  const errors: [unknown, number][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const wb = new WriteBehind({
    timers: clock,
    maxPending: 3,
    flushIntervalMs: 100,
    retryInitialDelayMs: 50,
    retryMaxDelayMs: 400,
    onError: (e, n) => errors.push([e, n]),
    write: (batch) =>
      new Promise<void>((resolve, reject) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const settle = (f: () => void) => () => {
          inFlight--;
          f();
        };
        calls.push({
          batch,
          at: clock.nowMs,
          resolve: settle(resolve),
          reject: (e) => settle(() => reject(e))(),
        });
      }),
    ...opts,
  });
  return { wb, clock, calls, errors, maxInFlight: () => maxInFlight };
}

describe('WriteBehind', () => {
  it('writes flushIntervalMs after the first pending ack, coalesced', async () => {
    const { wb, clock, calls } = setup();
    wb.add('s', 'c', 0, 1);
    await clock.advance(60);
    wb.add('s', 'c', 0, 2);
    expect(calls).toHaveLength(0);
    await clock.advance(40);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.at).toBe(100);
    expect(flat(calls[0]!.batch)).toEqual(['s/c/0=2']);
    expect(wb.pending).toBe(0);
    expect(wb.writing).toBe(true);
  });

  it('writes at once when maxPending entries are pending', async () => {
    const { wb, calls } = setup();
    wb.add('s', 'c', 0, 1);
    wb.add('s', 'c', 1, 1);
    expect(calls).toHaveLength(0);
    wb.add('s', 'c', 2, 1);
    expect(calls).toHaveLength(1);
    expect(flat(calls[0]!.batch)).toHaveLength(3);
  });

  it('never has two writes in flight; acks added meanwhile go in the next write', async () => {
    const { wb, clock, calls, maxInFlight } = setup();
    for (let p = 0; p < 3; p++) wb.add('s', 'c', p, 1);
    expect(calls).toHaveLength(1);
    for (let p = 0; p < 5; p++) wb.add('s', 'c', p, 2); // past maxPending, but a write is in flight
    await clock.advance(1000);
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await flushMicrotasks();
    expect(calls).toHaveLength(2);
    expect(flat(calls[1]!.batch)).toEqual(['s/c/0=2', 's/c/1=2', 's/c/2=2', 's/c/3=2', 's/c/4=2']);
    expect(maxInFlight()).toBe(1);
  });

  it('writes what the interval made due once the write in flight ends', async () => {
    const { wb, clock, calls } = setup();
    wb.add('s', 'c', 0, 1);
    await clock.advance(100);
    wb.add('s', 'c', 1, 1); // first ack after the write started
    await clock.advance(100); // its interval elapses during the write
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await flushMicrotasks();
    expect(calls).toHaveLength(2);
    expect(flat(calls[1]!.batch)).toEqual(['s/c/1=1']);
  });

  it('does nothing when idle', async () => {
    const { clock, calls } = setup();
    await clock.advance(10_000);
    expect(calls).toHaveLength(0);
    expect(clock.pendingAt).toEqual([]);
  });

  it('retries a failed write with capped exponential backoff, reporting each failure', async () => {
    const { wb, clock, calls, errors } = setup();
    wb.add('s', 'c', 0, 1);
    await clock.advance(100);
    const boom = new StoreError('redis down');
    for (const delay of [50, 100, 200, 400, 400, 400]) {
      calls.at(-1)!.reject(boom);
      await clock.advance(delay - 1);
      const before = calls.length;
      await clock.advance(1);
      expect(calls).toHaveLength(before + 1);
    }
    expect(calls.map((c) => c.at)).toEqual([100, 150, 250, 450, 850, 1250, 1650]);
    expect(errors.map(([e, n]) => [e, n])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [boom, n]));
  });

  it('restores a failed batch without overwriting a newer ack', async () => {
    const { wb, clock, calls } = setup();
    wb.add('s', 'c', 0, 5);
    wb.add('s', 'c', 1, 5);
    await clock.advance(100);
    wb.add('s', 'c', 0, 7); // newer, during the failing write
    calls[0]!.reject(new Error('timeout'));
    await flushMicrotasks();
    expect(wb.pending).toBe(2);
    await clock.advance(50);
    expect(flat(calls[1]!.batch)).toEqual(['s/c/0=7', 's/c/1=5']);
  });

  it('does not hammer a failing store when maxPending is reached during backoff', async () => {
    const { wb, clock, calls } = setup();
    wb.add('s', 'c', 0, 1);
    await clock.advance(100);
    calls[0]!.reject(new Error('down'));
    await flushMicrotasks();
    for (let p = 0; p < 10; p++) wb.add('s', 'c', p, 2);
    expect(calls).toHaveLength(1);
    await clock.advance(50);
    expect(calls).toHaveLength(2);
  });

  it('resets the backoff after a success', async () => {
    const { wb, clock, calls } = setup();
    wb.add('s', 'c', 0, 1);
    await clock.advance(100);
    calls[0]!.reject(new Error('down'));
    await clock.advance(50);
    calls[1]!.reject(new Error('down'));
    await clock.advance(100);
    calls[2]!.resolve();
    await flushMicrotasks();
    wb.add('s', 'c', 0, 2);
    await clock.advance(100);
    calls[3]!.reject(new Error('down'));
    await clock.advance(49);
    expect(calls).toHaveLength(4);
    await clock.advance(1);
    expect(calls).toHaveLength(5);
  });

  it('treats a synchronous throw of write like a failed write', async () => {
    let n = 0;
    const { wb, clock } = setup({
      write: () => {
        n++;
        if (n === 1) throw new Error('sync');
        return Promise.resolve();
      },
    });
    wb.add('s', 'c', 0, 1);
    await clock.advance(100);
    expect(wb.pending).toBe(1);
    await clock.advance(50);
    expect(n).toBe(2);
    expect(wb.pending).toBe(0);
  });

  describe('flush', () => {
    it('resolves at once when nothing is pending', async () => {
      const { wb } = setup();
      await expect(wb.flush(1000)).resolves.toBeUndefined();
    });

    it('writes now and resolves once persisted', async () => {
      const { wb, calls } = setup();
      wb.add('s', 'c', 0, 1);
      let done = false;
      const p = wb.flush(1000).then(() => (done = true));
      expect(calls).toHaveLength(1);
      await flushMicrotasks();
      expect(done).toBe(false);
      calls[0]!.resolve();
      await p;
      expect(done).toBe(true);
    });

    it('waits for the write in flight and for the acks added since', async () => {
      const { wb, calls } = setup();
      wb.add('s', 'c', 0, 1);
      wb.add('s', 'c', 1, 1);
      wb.add('s', 'c', 2, 1);
      wb.add('s', 'c', 0, 2); // pending behind the write in flight
      let done = false;
      const p = wb.flush(1000).then(() => (done = true));
      calls[0]!.resolve();
      await flushMicrotasks();
      expect(done).toBe(false);
      expect(calls).toHaveLength(2);
      expect(flat(calls[1]!.batch)).toEqual(['s/c/0=2']);
      calls[1]!.resolve();
      await p;
    });

    it('only needs the write in flight when nothing else is pending', async () => {
      const { wb, calls } = setup();
      for (let p = 0; p < 3; p++) wb.add('s', 'c', p, 1);
      const p = wb.flush(1000);
      expect(calls).toHaveLength(1);
      calls[0]!.resolve();
      await p;
      expect(calls).toHaveLength(1);
    });

    it('skips the backoff wait and keeps retrying until persisted', async () => {
      const { wb, clock, calls } = setup();
      wb.add('s', 'c', 0, 1);
      await clock.advance(100);
      calls[0]!.reject(new Error('down'));
      await flushMicrotasks();
      const p = wb.flush(5000);
      expect(calls).toHaveLength(2); // no backoff wait
      calls[1]!.reject(new Error('still down'));
      await clock.advance(100); // second consecutive failure: 2 x 50 ms
      expect(calls).toHaveLength(3);
      calls[2]!.resolve();
      await p;
      expect(wb.pending).toBe(0);
    });

    it('rejects after the deadline with the last error as cause and its retriability, keeping the acks', async () => {
      const { wb, clock, calls } = setup();
      wb.add('s', 'c', 0, 1);
      const p = wb.flush(300);
      const cause = new StoreError('NOAUTH', { code: 'STORE_AUTH', retriable: false });
      calls[0]!.reject(cause);
      const outcome = p.then(
        () => null,
        (e: unknown) => e,
      );
      await clock.advance(300);
      const err = await outcome;
      expect(err).toBeInstanceOf(StoreError);
      expect(err).toMatchObject({ code: 'FLUSH_TIMEOUT', retriable: false, cause });
      expect(wb.pending + (wb.writing ? 1 : 0)).toBeGreaterThan(0);
    });

    it('times out while a write hangs, retriable when no error was seen', async () => {
      const { wb, clock } = setup();
      wb.add('s', 'c', 0, 1);
      const outcome = wb.flush(300).then(
        () => null,
        (e: unknown) => e,
      );
      await clock.advance(300);
      expect(await outcome).toMatchObject({ code: 'FLUSH_TIMEOUT', retriable: true });
    });
  });

  describe('close', () => {
    it('stops automatic writes but flush still works', async () => {
      const { wb, clock, calls } = setup();
      wb.add('s', 'c', 0, 1);
      wb.close();
      await clock.advance(1000);
      expect(calls).toHaveLength(0);
      expect(clock.pendingAt).toEqual([]);
      for (let p = 1; p < 5; p++) wb.add('s', 'c', p, 1);
      expect(calls).toHaveLength(0);
      const p = wb.flush(1000);
      calls[0]!.reject(new Error('down'));
      await clock.advance(50);
      calls[1]!.resolve();
      await p;
      expect(wb.pending).toBe(0);
      await clock.advance(10_000);
      expect(calls).toHaveLength(2);
    });

    it('stops retrying once closed with no flush waiting', async () => {
      const { wb, clock, calls } = setup();
      wb.add('s', 'c', 0, 1);
      await clock.advance(100);
      wb.close();
      calls[0]!.reject(new Error('down'));
      await clock.advance(10_000);
      expect(calls).toHaveLength(1);
      expect(wb.pending).toBe(1);
    });
  });

  it.each([
    { maxPending: 0 },
    { maxPending: 1.5 },
    { flushIntervalMs: 0 },
    { retryInitialDelayMs: -1 },
    { retryMaxDelayMs: Number.POSITIVE_INFINITY },
    { retryInitialDelayMs: 500, retryMaxDelayMs: 100 },
  ])('rejects invalid options %o', (bad) => {
    expect(() => setup(bad)).toThrow(ConfigError);
  });

  it('persists the max of every ack, once flushed, whatever fails (property)', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        s: fc.constantFrom('a', 'b'),
        p: fc.nat(3),
        o: fc.nat(50),
      }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.nat(300) }),
      fc.record({ kind: fc.constant('settle' as const), ok: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const store = new Map<string, number>();
        const model = new Map<string, number>();
        const pendingCalls: { batch: AckBatch; resolve: () => void; reject: (e: unknown) => void }[] = [];
        let inFlight = 0;
        const clock = new FakeClock();
        const wb = new WriteBehind({
          timers: clock,
          maxPending: 4,
          flushIntervalMs: 100,
          retryInitialDelayMs: 20,
          retryMaxDelayMs: 200,
          write: (batch) =>
            new Promise<void>((resolve, reject) => {
              inFlight++;
              expect(inFlight).toBe(1);
              pendingCalls.push({
                batch,
                resolve: () => {
                  inFlight--;
                  // A max-merge store.
                  for (const [s, channels] of batch)
                    for (const [c, parts] of channels)
                      for (const [p, o] of parts)
                        store.set(`${s}/${c}/${p}`, Math.max(store.get(`${s}/${c}/${p}`) ?? -1, o));
                  resolve();
                },
                reject: (e) => {
                  inFlight--;
                  reject(e);
                },
              });
            }),
        });
        for (const o of ops) {
          if (o.kind === 'add') {
            wb.add(o.s, 'ch', o.p, o.o);
            const k = `${o.s}/ch/${o.p}`;
            model.set(k, Math.max(model.get(k) ?? -1, o.o));
          } else if (o.kind === 'tick') await clock.advance(o.ms);
          else {
            const call = pendingCalls.shift();
            if (call) {
              if (o.ok) call.resolve();
              else call.reject(new Error('down'));
              await flushMicrotasks();
            }
          }
        }
        const flushed = wb.flush(60_000);
        let settled = false;
        flushed.then(() => (settled = true));
        for (let i = 0; i < 1000 && !settled; i++) {
          const call = pendingCalls.shift();
          if (call) call.resolve();
          await clock.advance(500);
        }
        await flushed;
        expect(store).toEqual(model);
      }),
      { numRuns: 150 },
    );
  });
});
