/**
 * Model-based tests of the catch-up machine: a simulated topic (a Kafka log
 * per partition, an edge ingest with a small RecordWindow, a socket that
 * stalls and drains, scans and bounds that answer late, short or not at
 * all) is driven through random interleavings chosen by fast-check, while a
 * few subscriptions catch up, join live, ack, unsubscribe, resubscribe and
 * reconnect. Every delivery is checked against a plain reference: each
 * subscription receives exactly its channel's records after its start, in
 * partition order, no gap, no duplicate, or a ContinuityLost naming exactly
 * the range lost; every ack up to what was handed to the socket is accepted
 * and none beyond.
 *
 * Runs: FANOUT_MODEL_RUNS (default 1500) per property; e.g.
 * `FANOUT_MODEL_RUNS=100000 npx vitest run --project unit packages/core/test/catch-up-machine.test.ts`
 * for a long run. A failure prints fast-check's seed and path; replay it
 * with FANOUT_MODEL_SEED=<seed> FANOUT_MODEL_PATH=<path>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CatchUpEffect,
  CatchUpMachine,
  type CatchUpPositions,
  type CatchUpView,
  ackLimit,
} from '../src/catch-up-machine.js';
import { coveringTopics } from '../src/covering-set.js';
import { RecordWindow } from '../src/record-window.js';

const RUNS = Number(process.env.FANOUT_MODEL_RUNS ?? 1500);
const SEED = process.env.FANOUT_MODEL_SEED ? Number(process.env.FANOUT_MODEL_SEED) : undefined;
const PATH = process.env.FANOUT_MODEL_PATH;
/** A long run (FANOUT_MODEL_RUNS) gets time in proportion. */
const LONG_TIMEOUT_MS = Math.max(20_000, RUNS * 10);
const params = {
  numRuns: RUNS,
  ...(SEED !== undefined ? { seed: SEED } : {}),
  ...(PATH ? { path: PATH } : {}),
};

/** A client claim no log in a run reaches (a client resuming with a bogus position). */
const BOGUS = 1_000_000;

interface Rec {
  offset: number;
  key: string;
  bytes: number;
}

/** One partition's Kafka log: a record or null (aborted record, control marker) per offset. */
interface LogPartition {
  entries: Array<Rec | null>;
  logStart: number;
}

interface EdgePartition {
  live: number;
  window: RecordWindow<Rec>;
}

type Event =
  | { kind: 'record'; offset: number }
  | { kind: 'lost'; requested: number; available: number; reason: string }
  | { kind: 'recreated' };

type Op =
  | { kind: 'bounds' }
  | { kind: 'scan'; partition: number; from: number; to: number }
  | { kind: 'ingest'; partition: number; until: number }
  | { kind: 'backoff' }
  | { kind: 'drain' }
  | { kind: 'yield' };

interface Sub {
  id: number;
  /** null: the whole topic; else a key channel. */
  key: string | null;
  state: { partitions: number[]; positions: Map<number, number>; sent: Map<number, number> };
  machine: CatchUpMachine<Rec>;
  joined: boolean;
  done: boolean;
  op: Op | undefined;
  /** Per partition: the position the reference starts from, and the events delivered. */
  start: Map<number, number>;
  events: Map<number, Event[]>;
  /** Per partition: the highest offset that may legitimately be acked (delivered, stored or claimed within the log). */
  ackable: Map<number, number>;
  bogus: Set<number>;
  /** Per partition: logEnd when the subscription began (for AHEAD_OF_LOG). */
  logEndAtStart: Map<number, number>;
  steps: number;
  /** Per partition, the topic generation it began in. */
  gen: Map<number, number>;
  errors: string[];
  /** Last accepted ack per partition (what the store would hold). */
  acked: Map<number, number>;
}

const KEYS = ['a', 'b', 'c'];

class World {
  gen = 0;
  logs: LogPartition[][] = [[]];
  edge: EdgePartition[] = [];
  subs: Sub[] = [];
  buffered = 0;
  readonly soft = 1;
  clock = 0;
  nextId = 0;
  violations: string[] = [];

  constructor(
    partitions: number,
    readonly windowSize: number,
    readonly failScans: boolean,
  ) {
    for (let p = 0; p < partitions; p++) this.addPartition();
  }

  get log(): LogPartition[] {
    return this.logs[this.gen] as LogPartition[];
  }

  addPartition(): void {
    const p = this.log.length;
    this.log.push({ entries: [], logStart: 0 });
    this.edge.push(this.newEdgePartition(-1));
    for (const s of this.subs) {
      if (s.done) continue;
      s.state.partitions.push(p);
      s.state.positions.set(p, -1);
      s.start.set(p, -1);
      s.logEndAtStart.set(p, 0);
      s.events.set(p, []);
      s.gen.set(p, this.gen);
    }
  }

  newEdgePartition(startAfter: number): EdgePartition {
    return {
      live: startAfter,
      window: new RecordWindow<Rec>({
        maxRecords: this.windowSize,
        maxBytes: Number.POSITIVE_INFINITY,
        maxAgeMs: Number.POSITIVE_INFINITY,
        now: () => this.clock,
        startAfter,
      }),
    };
  }

  logEnd(p: number): number {
    return (this.log[p] as LogPartition).entries.length;
  }

  produce(p: number, choice: number): void {
    const lp = this.log[p] as LogPartition;
    const offset = lp.entries.length;
    // One in four offsets holds no record (aborted transactions, control markers), in runs.
    const n = choice % 4 === 0 ? 1 + (choice % 7) : 1;
    for (let i = 0; i < n; i++)
      lp.entries.push(
        choice % 4 === 0 ? null : { offset: offset + i, key: KEYS[choice % 3] as string, bytes: 1 },
      );
  }

  /** The edge ingests the next offset of p (a record, or a gap it skips). */
  ingest(p: number): void {
    const ep = this.edge[p] as EdgePartition;
    const lp = this.log[p] as LogPartition;
    if (ep.live + 1 >= lp.entries.length) return;
    this.clock++;
    let next = ep.live + 1;
    // Offsets the log no longer has were never ingested: ingest starts at the log start.
    if (next < lp.logStart) next = lp.logStart;
    while (next < lp.entries.length && lp.entries[next] === null) next++;
    // Like the edge's ingest: offsets of no record (from the batch headers) advance live too.
    if (next >= lp.entries.length) {
      ep.live = lp.entries.length - 1;
      this.wake(p);
      return;
    }
    const rec = lp.entries[next] as Rec;
    ep.window.append(rec);
    ep.live = rec.offset;
    for (const s of this.subs)
      if (s.joined && !s.done && s.state.partitions.includes(p) && (s.key === null || s.key === rec.key))
        this.deliver(s, p, { kind: 'record', offset: rec.offset });
    this.wake(p);
  }

  /** Ingest reached what a waiting catch-up waits for. */
  wake(p: number): void {
    const live = this.edge[p]?.live ?? -1;
    for (const s of this.subs)
      if (s.op?.kind === 'ingest' && s.op.partition === p && live >= s.op.until) {
        s.op = undefined;
        s.machine.ingestReached();
      }
  }

  deleteBefore(p: number, choice: number): void {
    const lp = this.log[p] as LogPartition;
    const ep = this.edge[p] as EdgePartition;
    // Retention only removes what the edge already ingested (a gap in live delivery is another story).
    const max = Math.min(ep.live + 1, lp.entries.length);
    if (max <= lp.logStart) return;
    lp.logStart = lp.logStart + 1 + (choice % (max - lp.logStart));
    if (choice % 2 === 0) ep.window.truncateBefore(lp.logStart);
  }

  recreate(): void {
    this.logs.push(this.log.map(() => ({ entries: [], logStart: 0 })));
    this.gen++;
    this.edge = this.edge.map(() => this.newEdgePartition(-1));
    for (const s of this.subs) {
      if (s.done) continue;
      for (const p of s.state.partitions) this.deliver(s, p, { kind: 'recreated' });
      s.state.positions.clear();
      s.state.sent.clear();
      for (const p of s.state.partitions) s.state.positions.set(p, -1);
      // A catch-up that awaited across the recreation starts over.
      if (!s.joined) {
        s.machine = this.machine(s, new Map());
        s.op = undefined;
      }
      for (const p of s.state.partitions) s.ackable.set(p, -1);
      s.bogus.clear();
      // The store's positions are rewritten for the new topic (topology.ts).
      s.acked.clear();
    }
  }

  view(): CatchUpView<Rec> {
    return {
      partition: (p) => {
        const ep = this.edge[p];
        if (!ep) return undefined;
        return {
          live: ep.live,
          windowCovers: (from) => ep.window.covers(from),
          readWindow: (from, limit) => ep.window.readFrom(from, limit),
        };
      },
      socketBlocked: this.buffered > this.soft,
    };
  }

  machine(s: Sub, claims: Map<number, number>): CatchUpMachine<Rec> {
    const key = s.key;
    return new CatchUpMachine<Rec>(s.state, {
      ...(key === null ? {} : { include: (r: Rec) => r.key === key }),
      claims,
      syncTailRecords: 2,
      windowChunkRecords: 5,
      kafkaChunkOffsets: 6,
      maxSourceFailures: 3,
      ingestWaitMs: 1,
    });
  }

  /**
   * A subscription starting after `start` per partition: `stored` is what
   * the store holds (acks; trusted), `claims` what the client says it has.
   */
  subscribe(
    key: string | null,
    start: Map<number, number>,
    stored: Map<number, number>,
    claims: Map<number, number>,
  ): Sub {
    const partitions = this.log.map((_, p) => p);
    const positions = new Map<number, number>();
    const sent = new Map<number, number>();
    const bogus = new Set<number>();
    const ackable = new Map<number, number>();
    const logEndAtStart = new Map<number, number>();
    for (const p of partitions) {
      const st = stored.get(p) ?? -1;
      const claim = claims.get(p);
      positions.set(p, Math.max(st, start.get(p) ?? -1, claim ?? -1));
      sent.set(p, st);
      if (claim !== undefined && claim >= this.logEnd(p)) bogus.add(p);
      ackable.set(p, Math.max(st, claim !== undefined && claim < this.logEnd(p) ? claim : -1));
      logEndAtStart.set(p, this.logEnd(p));
    }
    const s: Sub = {
      id: this.nextId++,
      key,
      state: { partitions, positions, sent },
      machine: undefined as unknown as CatchUpMachine<Rec>,
      joined: false,
      done: false,
      op: undefined,
      start: new Map(positions),
      events: new Map(partitions.map((p) => [p, []])),
      ackable,
      bogus,
      logEndAtStart,
      steps: 0,
      gen: new Map(partitions.map((p) => [p, this.gen])),
      errors: [],
      acked: new Map(stored),
    };
    s.machine = this.machine(s, new Map([...claims].filter(([p, c]) => c > (stored.get(p) ?? -1))));
    this.subs.push(s);
    return s;
  }

  deliver(s: Sub, p: number, e: Event): void {
    s.events.get(p)?.push(e);
    if (e.kind === 'record') s.ackable.set(p, Math.max(s.ackable.get(p) ?? -1, e.offset));
    if (e.kind === 'lost' && e.reason === 'ahead-of-log') s.bogus.delete(p);
  }

  /** Asks the machine for its next effect and executes it (synchronous ones fully). */
  step(s: Sub): void {
    if (s.done || s.joined || s.op) return;
    s.steps++;
    const e: CatchUpEffect<Rec> = s.machine.next(this.view());
    switch (e.kind) {
      case 'fetch-bounds':
        s.op = { kind: 'bounds' };
        return;
      case 'scan':
        s.op = { kind: 'scan', partition: e.partition, from: e.from, to: e.to };
        return;
      case 'await-ingest':
        s.op = { kind: 'ingest', partition: e.partition, until: e.until };
        return;
      case 'backoff':
        s.op = { kind: 'backoff' };
        return;
      case 'await-drain':
        s.op = { kind: 'drain' };
        return;
      case 'yield':
        s.op = { kind: 'yield' };
        return;
      case 'send':
        for (const r of e.records) {
          this.buffered++;
          this.deliver(s, e.partition, { kind: 'record', offset: r.offset });
          s.machine.handed(e.partition, r.offset);
          if (this.buffered > this.soft) break;
        }
        return;
      case 'continuity-lost':
        this.deliver(s, e.partition, {
          kind: 'lost',
          requested: e.requested,
          available: e.available,
          reason: e.reason,
        });
        return;
      case 'join':
        for (const t of e.tails)
          for (const r of t.records) {
            this.buffered++;
            this.deliver(s, t.partition, { kind: 'record', offset: r.offset });
          }
        s.joined = true;
        return;
      case 'ready':
        this.violations.push(`sub ${s.id}: ready without hold`);
        return;
      case 'failed':
        s.errors.push(e.error.code);
        if (e.error.code === 'NO_PROGRESS' || e.error.code === 'INVALID_INPUT')
          this.violations.push(`sub ${s.id}: ${e.error.code}: ${e.error.message}`);
        this.reconnect(s);
        return;
    }
  }

  /** Resolves a subscription's pending operation; `choice` picks success, short read or failure. */
  resolve(s: Sub, choice: number, allowFailure: boolean): void {
    const op = s.op;
    if (!op) return;
    const m = s.machine;
    switch (op.kind) {
      case 'bounds':
        if (allowFailure && choice % 5 === 0) {
          s.op = undefined;
          m.boundsFailed(new Error('bounds failed'));
          return;
        }
        s.op = undefined;
        m.bounds(
          this.log.map((lp, partition) => ({ partition, logStart: lp.logStart, logEnd: lp.entries.length })),
        );
        // Like TopicState: fresh bounds truncate the window.
        this.log.forEach((lp, p) => this.edge[p]?.window.truncateBefore(lp.logStart));
        return;
      case 'scan': {
        s.op = undefined;
        const lp = this.log[op.partition] as LogPartition;
        if (op.from < lp.logStart || (allowFailure && this.failScans && choice % 4 === 0)) {
          m.scanFailed(op.partition, new Error('offset out of range'));
          return;
        }
        const to = Math.min(op.to, lp.entries.length - 1);
        // A short read ends anywhere in [from - 1, to].
        const reached = allowFailure && choice % 3 === 0 ? op.from - 1 + (choice % (to - op.from + 2)) : to;
        const records = lp.entries.slice(op.from, reached + 1).filter((r): r is Rec => r !== null);
        if (allowFailure && choice % 7 === 1 && records.length > 0) {
          m.scanFailed(op.partition, new Error('broken'), records.slice(0, 1 + (choice % records.length)));
          return;
        }
        m.scanned(op.partition, records, reached);
        return;
      }
      case 'ingest': {
        const live = this.edge[op.partition]?.live ?? -1;
        if (live >= op.until) {
          s.op = undefined;
          m.ingestReached();
        } else if (allowFailure || this.logEnd(op.partition) - 1 < op.until) {
          s.op = undefined;
          m.ingestTimedOut();
        }
        return;
      }
      case 'backoff':
        s.op = undefined;
        m.backedOff();
        return;
      case 'drain':
        if (this.buffered <= this.soft) s.op = undefined;
        return;
      case 'yield':
        s.op = undefined;
        return;
    }
  }

  ack(s: Sub, p: number, choice: number): void {
    if (s.done || !s.state.partitions.includes(p)) return;
    const limit = ackLimit({ sent: s.state.sent, live: s.joined }, p, this.edge[p]?.live ?? -1);
    const ackable = s.ackable.get(p) ?? -1;
    const lastRecord = [...(s.events.get(p) ?? [])].reverse().find((e) => e.kind === 'record');
    // Either the last record received (must be accepted) or something beyond anything delivered.
    const offset = choice % 2 === 0 && lastRecord ? lastRecord.offset : ackable + 1 + (choice % 3);
    const accepted = offset <= limit;
    if (offset <= ackable && lastRecord && offset === lastRecord.offset && !accepted)
      this.violations.push(`sub ${s.id}: ack of delivered ${p}/${offset} refused (limit ${limit})`);
    if (accepted && offset > ackable && !s.joined)
      this.violations.push(`sub ${s.id}: ack of ${p}/${offset} accepted beyond delivered ${ackable}`);
    if (accepted) s.acked.set(p, Math.max(s.acked.get(p) ?? -1, offset));
  }

  unsubscribe(s: Sub): void {
    s.done = true;
    s.op = undefined;
  }

  /** The client reconnects: the subscription resumes from its acks (stored) and what it received (claims). */
  reconnect(s: Sub): Sub {
    this.unsubscribe(s);
    const claims = new Map<number, number>();
    for (const [p, evs] of s.events) {
      let last = s.start.get(p) ?? -1;
      for (const e of evs) {
        if (e.kind === 'record') last = e.offset;
        else if (e.kind === 'recreated') last = -1;
        else if (e.kind === 'lost') last = e.available - 1;
      }
      // A bogus claim never verified stays bogus.
      if (s.bogus.has(p)) last = BOGUS;
      claims.set(p, last);
    }
    const stored = new Map([...s.acked].filter(([p]) => !s.bogus.has(p)));
    return this.subscribe(s.key, new Map(), stored, claims);
  }

  /** Checks one subscription's deliveries against the reference. */
  check(s: Sub, complete: boolean): void {
    for (const p of s.state.partitions) this.checkPartition(s, p, complete);
  }

  /** False (and a violation recorded) when the partition's deliveries break the reference. */
  checkPartition(s: Sub, p: number, complete: boolean): boolean {
    {
      let gen = s.gen.get(p) ?? 0;
      let log = this.logs[gen] as LogPartition[];
      let cursor = (s.start.get(p) ?? -1) + 1;
      const channelRecord = (o: number) => {
        const r = log[p]?.entries[o];
        return !!r && (s.key === null || r.key === s.key);
      };
      const firstRecordIn = (from: number, to: number) => {
        for (let o = from; o < to; o++) if (channelRecord(o)) return o;
        return undefined;
      };
      const fail = (msg: string): boolean => {
        this.violations.push(`sub ${s.id} p${p}: ${msg}`);
        return false;
      };
      let bogus = (s.start.get(p) ?? -1) >= (s.logEndAtStart.get(p) ?? 0);
      let sawAhead = false;
      for (const e of s.events.get(p) ?? []) {
        if (e.kind === 'recreated') {
          gen++;
          log = this.logs[gen] as LogPartition[];
          cursor = 0;
          bogus = false;
          continue;
        }
        if (e.kind === 'record') {
          if (e.offset < cursor) return fail(`duplicate or out of order: ${e.offset} < ${cursor}`);
          const gap = firstRecordIn(cursor, e.offset);
          if (gap !== undefined) return fail(`gap: ${gap} missing before ${e.offset}`);
          if (!channelRecord(e.offset)) return fail(`${e.offset} is not a record of the channel`);
          cursor = e.offset + 1;
          continue;
        }
        if (e.reason === 'ahead-of-log') {
          if (!bogus || sawAhead) return fail(`spurious AHEAD_OF_LOG at ${e.requested}`);
          sawAhead = true;
          if (e.requested !== cursor) return fail(`AHEAD_OF_LOG names ${e.requested}, not ${cursor}`);
          if (e.available > (log[p]?.logStart ?? 0)) return fail(`AHEAD_OF_LOG continues at ${e.available}`);
          cursor = e.available;
          continue;
        }
        // Deleted: [requested, available) must have been deleted, and nothing before it skipped.
        if (e.requested < cursor) return fail(`lost range starts at ${e.requested} < ${cursor}`);
        const skipped = firstRecordIn(cursor, e.requested);
        if (skipped !== undefined) return fail(`record ${skipped} skipped before the loss at ${e.requested}`);
        if (e.available > (log[p]?.logStart ?? 0))
          return fail(
            `loss names [${e.requested}, ${e.available}) but the log starts at ${log[p]?.logStart}`,
          );
        if (e.available <= e.requested) return fail(`empty loss [${e.requested}, ${e.available})`);
        cursor = e.available;
      }
      if (bogus && !sawAhead && complete) return fail('bogus position without AHEAD_OF_LOG');
      if (complete) {
        const live = this.edge[p]?.live ?? -1;
        const missing = firstRecordIn(cursor, live + 1);
        if (missing !== undefined) return fail(`record ${missing} never delivered (live ${live})`);
      }
    }
    return true;
  }
}

/** One run: the world's shape, then a tape of choices driving the interleaving. */
const runArb = fc.record({
  partitions: fc.integer({ min: 1, max: 3 }),
  windowSize: fc.integer({ min: 1, max: 8 }),
  failScans: fc.boolean(),
  preloaded: fc.integer({ min: 0, max: 30 }),
  edgeStartsAt: fc.integer({ min: 0, max: 30 }),
  tape: fc.array(fc.nat({ max: 1_000_000 }), { minLength: 10, maxLength: 250 }),
});

type Run = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

function simulate(run: Run): World {
  const w = new World(run.partitions, run.windowSize, run.failScans);
  for (let p = 0; p < run.partitions; p++) {
    for (let i = 0; i < run.preloaded; i++) w.produce(p, i * 7 + p);
    // The edge started after some of the log: those offsets are Kafka-only.
    const startAfter = Math.min(run.edgeStartsAt, w.logEnd(p)) - 1;
    w.edge[p] = w.newEdgePartition(startAfter);
  }
  const subscribeFresh = (c: number) => {
    const key = c % 3 === 0 ? null : (KEYS[c % 3] as string);
    const start = new Map<number, number>();
    const claims = new Map<number, number>();
    w.log.forEach((lp, p) => {
      const kind = (c >> 2) % 4;
      // earliest, latest, a position anywhere in the log (maybe ahead of the edge), or bogus
      if (kind === 0) start.set(p, lp.logStart - 1);
      else if (kind === 1) start.set(p, w.edge[p]?.live ?? -1);
      else if (kind === 2)
        claims.set(p, lp.logStart - 1 + ((c >> 4) % (lp.entries.length - lp.logStart + 1)));
      else claims.set(p, (c >> 4) % 8 === 0 ? BOGUS : lp.entries.length - 1);
    });
    return w.subscribe(key, start, new Map(), claims);
  };
  subscribeFresh(run.tape[0] ?? 0);
  subscribeFresh(run.tape[1] ?? 1);
  for (const c of run.tape) {
    const live = w.subs.filter((s) => !s.done);
    const sub = live[c % Math.max(1, live.length)];
    const p = (c >> 3) % w.log.length;
    const action = (c >> 6) % 100;
    if (action < 14) w.produce(p, c >> 8);
    else if (action < 30) w.ingest(p);
    else if (action < 55) sub && w.step(sub);
    else if (action < 72) sub && w.resolve(sub, c >> 8, true);
    else if (action < 76) w.buffered = Math.max(0, w.buffered - 1 - ((c >> 8) % 4));
    else if (action < 84) sub && w.ack(sub, p, c >> 8);
    else if (action < 87) w.deleteBefore(p, c >> 8);
    else if (action < 89 && w.log.length < 4) w.addPartition();
    else if (action < 91) sub && w.reconnect(sub);
    else if (action < 93 && sub) {
      w.unsubscribe(sub);
      subscribeFresh(c >> 8);
    } else if (action < 95 && live.length < 5) subscribeFresh(c >> 8);
    else if (action === 99 && (c >> 8) % 4 === 0) w.recreate();
  }
  // Quiesce: ingest everything, answer every operation, drain; every
  // subscription must end joined (or failed retriably and resumed).
  for (let round = 0; round < 5000; round++) {
    for (let p = 0; p < w.log.length; p++)
      while ((w.edge[p]?.live ?? -1) < w.logEnd(p) - 1 && w.logEnd(p) > 0) {
        const before = w.edge[p]?.live;
        w.ingest(p);
        if (w.edge[p]?.live === before) break;
      }
    w.buffered = 0;
    const pending = w.subs.filter((s) => !s.done && !s.joined);
    if (pending.length === 0) break;
    for (const s of pending) {
      if (s.op) w.resolve(s, 1, false);
      else w.step(s);
    }
  }
  for (const s of w.subs) {
    if (!s.done && !s.joined)
      w.violations.push(
        `sub ${s.id} stuck after ${s.steps} steps (op ${JSON.stringify(s.op)}, positions ${JSON.stringify([...s.state.positions])}, live ${JSON.stringify(w.edge.map((e) => e.live))}, logEnd ${JSON.stringify(w.log.map((l) => l.entries.length))})`,
      );
    w.check(s, !s.done && s.joined);
  }
  return w;
}

describe('CatchUpMachine (model)', () => {
  it(
    'delivers each subscription exactly its records after its start, or names the range lost',
    () => {
      fc.assert(
        fc.property(runArb, (run) => {
          const w = simulate(run);
          expect(w.violations).toEqual([]);
        }),
        params,
      );
    },
    LONG_TIMEOUT_MS,
  );

  it('never loops: a window holding no records for a long range advances past it', () => {
    // 5,000 offsets of aborted records between the position and live, all covered by the window.
    const state: CatchUpPositions = {
      partitions: [0],
      positions: new Map([[0, 9]]),
      sent: new Map([[0, 9]]),
    };
    const m = new CatchUpMachine<Rec>(state, { syncTailRecords: 512 });
    const view: CatchUpView<Rec> = {
      partition: () => ({ live: 5010, windowCovers: () => true, readWindow: () => [] }),
      socketBlocked: false,
    };
    expect(m.next(view).kind).toBe('fetch-bounds');
    m.bounds([{ partition: 0, logStart: 0, logEnd: 5011 }]);
    // One step moves past the whole range (then lets the event loop run).
    expect(m.next(view)).toEqual({ kind: 'yield' });
    expect(state.positions.get(0)).toBe(5010);
    const e = m.next(view);
    expect(e).toEqual({ kind: 'join', tails: [], positions: [{ partition: 0, offset: 5010 }] });
  });

  it('replays four partitions from Kafka on one ListOffsets round; a log start moved meanwhile is read again', () => {
    // Each partition: the client is at 9, the edge's window starts at 100 (live 100).
    const parts = [0, 1, 2, 3];
    const state: CatchUpPositions = {
      partitions: parts,
      positions: new Map(parts.map((p) => [p, 9])),
      sent: new Map(parts.map((p) => [p, 9])),
    };
    const m = new CatchUpMachine<Rec>(state);
    const view: CatchUpView<Rec> = {
      partition: () => ({
        live: 100,
        windowCovers: (f) => f >= 100,
        readWindow: (f) => (f <= 100 ? [{ offset: 100, key: 'a', bytes: 1 }] : []),
      }),
      socketBlocked: false,
    };
    const logStart = new Map(parts.map((p) => [p, 0]));
    const kinds: string[] = [];
    for (let i = 0; i < 100 && !m.finished; i++) {
      const e = m.next(view);
      kinds.push(e.kind);
      if (e.kind === 'fetch-bounds')
        m.bounds(parts.map((p) => ({ partition: p, logStart: logStart.get(p) ?? 0, logEnd: 101 })));
      else if (e.kind === 'scan') {
        // Retention moves partition 2's log start past the client while partition 0 is read.
        if (e.partition === 0) logStart.set(2, 50);
        if (e.from < (logStart.get(e.partition) ?? 0)) m.scanFailed(e.partition, new Error('out of range'));
        else {
          const records = Array.from({ length: e.to - e.from + 1 }, (_, k) => ({
            offset: e.from + k,
            key: 'a',
            bytes: 1,
          }));
          m.scanned(e.partition, records, e.to);
        }
      } else if (e.kind === 'send') for (const r of e.records) m.handed(e.partition, r.offset);
      else if (e.kind === 'backoff') m.backedOff();
      else if (e.kind === 'failed') throw e.error;
    }
    expect(m.finished).toBe(true);
    // One round before the first scan, one after partition 2's scan failed (then its loss), no more.
    expect(kinds.filter((k) => k === 'fetch-bounds')).toHaveLength(2);
    expect(kinds).toContain('continuity-lost');
    expect(kinds.filter((k) => k === 'scan')).toHaveLength(5);
    expect(kinds.at(-1)).toBe('join');
  });

  it('answers NO_PROGRESS instead of looping on a view that goes back', () => {
    const state: CatchUpPositions = { partitions: [0], positions: new Map([[0, 9]]), sent: new Map() };
    const m = new CatchUpMachine<Rec>(state, { syncTailRecords: 1 });
    const view: CatchUpView<Rec> = {
      partition: () => ({
        live: 100,
        windowCovers: () => true,
        readWindow: () => [{ offset: 3, key: 'a', bytes: 1 }],
      }),
      socketBlocked: false,
    };
    expect(m.next(view).kind).toBe('fetch-bounds');
    m.bounds([{ partition: 0, logStart: 0, logEnd: 101 }]);
    const e = m.next(view);
    expect(e.kind).toBe('failed');
    if (e.kind === 'failed') expect(e.error.code).toBe('NO_PROGRESS');
  });

  it('accepts acks frame by frame during a chunked replay, never a claimed position beyond the log', () => {
    const state: CatchUpPositions = {
      partitions: [0],
      positions: new Map([[0, 5e15]]),
      sent: new Map([[0, 4]]),
    };
    const m = new CatchUpMachine<Rec>(state, { claims: new Map([[0, 5e15]]) });
    const records = Array.from({ length: 10 }, (_, i) => ({ offset: i, key: 'a', bytes: 1 }));
    const view: CatchUpView<Rec> = {
      partition: () => ({
        live: 9,
        windowCovers: () => true,
        readWindow: (f) => records.filter((r) => r.offset >= f),
      }),
      socketBlocked: false,
    };
    expect(ackLimit({ sent: state.sent, live: false }, 0, 9)).toBe(4);
    expect(m.next(view).kind).toBe('fetch-bounds');
    m.bounds([{ partition: 0, logStart: 0, logEnd: 10 }]);
    const lost = m.next(view);
    expect(lost).toMatchObject({
      kind: 'continuity-lost',
      reason: 'ahead-of-log',
      requested: 5e15 + 1,
      available: 0,
    });
    expect(ackLimit({ sent: state.sent, live: false }, 0, 9)).toBe(4);
  });

  it('a client ahead of a lagging edge waits for ingest, then joins with no loss', () => {
    const state: CatchUpPositions = { partitions: [0], positions: new Map([[0, 20]]), sent: new Map() };
    const m = new CatchUpMachine<Rec>(state, { claims: new Map([[0, 20]]) });
    let live = 10;
    const view: CatchUpView<Rec> = {
      partition: () => ({ live, windowCovers: () => true, readWindow: () => [] }),
      socketBlocked: false,
    };
    expect(m.next(view).kind).toBe('fetch-bounds');
    m.bounds([{ partition: 0, logStart: 0, logEnd: 30 }]);
    // Verified by the fresh log end: an ack of 20 (received from the other edge) is accepted.
    expect(state.sent.get(0)).toBeUndefined();
    expect(m.next(view)).toEqual({ kind: 'await-ingest', partition: 0, until: 20, timeoutMs: 10_000 });
    expect(state.sent.get(0)).toBe(20);
    live = 20;
    m.ingestReached();
    expect(m.next(view)).toEqual({ kind: 'join', tails: [], positions: [{ partition: 0, offset: 20 }] });
  });

  it('ingest that does not reach the client in time is a retriable INGEST_BEHIND, not a loss', () => {
    const state: CatchUpPositions = { partitions: [0], positions: new Map([[0, 20]]), sent: new Map() };
    const m = new CatchUpMachine<Rec>(state);
    const view: CatchUpView<Rec> = {
      partition: () => ({ live: 10, windowCovers: () => true, readWindow: () => [] }),
      socketBlocked: false,
    };
    m.next(view);
    m.bounds([{ partition: 0, logStart: 0, logEnd: 30 }]);
    expect(m.next(view).kind).toBe('await-ingest');
    m.ingestTimedOut();
    expect(m.next(view).kind).toBe('fetch-bounds');
    m.bounds([{ partition: 0, logStart: 0, logEnd: 30 }]);
    const e = m.next(view);
    expect(e.kind).toBe('failed');
    if (e.kind === 'failed') {
      expect(e.error.code).toBe('INGEST_BEHIND');
      expect(e.error.retriable).toBe(true);
    }
  });
});

describe('covering set (model)', () => {
  it('every live subscription gets each matching record exactly once, through the minimal set', () => {
    const channel = fc.oneof(fc.constant('t'), fc.constantFrom('t:a', 't:b', 't:c'));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), channel), { maxLength: 30 }),
        fc.array(fc.constantFrom('a', 'b', 'c', null), { maxLength: 20 }),
        (changes, records) => {
          const live = new Set<string>();
          for (const [add, ch] of changes) {
            if (add) live.add(ch);
            else live.delete(ch);
          }
          const topics = coveringTopics(live);
          for (const key of records) {
            // The ingest publishes to `t` and to `t:<key>`; the socket gets each publication of a held topic.
            const published = ['t', ...(key ? [`t:${key}`] : [])];
            const frames = published.filter((t) => topics.has(t)).length;
            // The client routes one frame to every live subscription it matches.
            const matching = [...live].filter((c) => c === 't' || c === `t:${key}`);
            expect(frames).toBe(matching.length > 0 ? 1 : 0);
          }
        },
      ),
      { numRuns: Math.min(RUNS, 2000), ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  });
});
