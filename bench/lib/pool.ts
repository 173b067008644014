import { Rpc, spawnTracked } from './children.js';

/** What one load-client process reports. */
export interface ClientStats {
  conns: number;
  open: number;
  ready: number;
  pubs: number;
  minPubs: number;
  caughtUp: number;
  maxCaughtUpMs: number;
  /** The storm: when the last resumed Welcome arrived (ms after the resume began). */
  maxWelcomedMs: number;
  latencies: number[];
  /** The send time (ms, wall clock) of each latency sample. */
  latencySent: number[];
  counters: {
    gaps: number;
    dups: number;
    decodeChecks: number;
    decodeMismatches: number;
    closedEarly: number;
    failed: number;
    bytes: number;
    compressedFrames: number;
  };
  closeCodes: Record<string, number>;
  errors: string[];
}

/** Options of {@link ClientPool.open}. */
export interface PoolOpen {
  host: string;
  port: number;
  count: number;
  mode: 'fanout' | 'raw';
  channels: string[];
  trackEvery?: number;
  latencyEvery?: number;
  dense?: boolean;
  /** wss:// (certificate not verified). */
  tls?: boolean;
  /** Offer permessage-deflate. */
  deflate?: boolean;
}

const LOCAL_ADDRS = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];

/** Several load-client processes, each holding a share of the connections. */
export class ClientPool {
  readonly rpcs: Rpc[];
  #opened = 0;

  private constructor(rpcs: Rpc[]) {
    this.rpcs = rpcs;
  }

  /** Starts `processes` load clients (each < 15,000 sockets: the fd limit is 20,000). */
  static start(processes: number): ClientPool {
    const rpcs = Array.from(
      { length: processes },
      () => new Rpc(spawnTracked('bench/load-client.ts', [], { ipc: true })),
    );
    return new ClientPool(rpcs);
  }

  /** Opens `count` more connections spread over the processes; resolves once every handshake ended. */
  async open(o: PoolOpen): Promise<void> {
    const n = this.rpcs.length;
    await Promise.all(
      this.rpcs.map((rpc, i) => {
        const count = Math.floor(o.count / n) + (i < o.count % n ? 1 : 0);
        const base = this.#opened + Math.floor((o.count * i) / n);
        return rpc.call('open', {
          host: o.host,
          port: o.port,
          count,
          base,
          localAddrs: LOCAL_ADDRS,
          mode: o.mode,
          channels: o.channels,
          trackEvery: o.trackEvery ?? 0,
          latencyEvery: o.latencyEvery ?? 0,
          dense: o.dense ?? false,
          tls: o.tls ?? false,
          deflate: o.deflate ?? false,
        });
      }),
    );
    this.#opened += o.count;
  }

  async stats(): Promise<ClientStats> {
    const all = await Promise.all(this.rpcs.map((r) => r.call<ClientStats>('stats')));
    const sum: ClientStats = {
      conns: 0,
      open: 0,
      ready: 0,
      pubs: 0,
      minPubs: Number.POSITIVE_INFINITY,
      caughtUp: 0,
      maxCaughtUpMs: 0,
      maxWelcomedMs: 0,
      latencies: [],
      latencySent: [],
      counters: {
        gaps: 0,
        dups: 0,
        decodeChecks: 0,
        decodeMismatches: 0,
        closedEarly: 0,
        failed: 0,
        bytes: 0,
        compressedFrames: 0,
      },
      closeCodes: {},
      errors: [],
    };
    for (const s of all) {
      sum.conns += s.conns;
      sum.open += s.open;
      sum.ready += s.ready;
      sum.pubs += s.pubs;
      if (s.conns > 0) sum.minPubs = Math.min(sum.minPubs, s.minPubs);
      sum.caughtUp += s.caughtUp;
      sum.maxCaughtUpMs = Math.max(sum.maxCaughtUpMs, s.maxCaughtUpMs);
      sum.maxWelcomedMs = Math.max(sum.maxWelcomedMs, s.maxWelcomedMs);
      for (const l of s.latencies) sum.latencies.push(l);
      for (const l of s.latencySent) sum.latencySent.push(l);
      for (const k of Object.keys(sum.counters) as Array<keyof ClientStats['counters']>)
        sum.counters[k] += s.counters[k];
      for (const [k, v] of Object.entries(s.closeCodes)) sum.closeCodes[k] = (sum.closeCodes[k] ?? 0) + v;
      sum.errors.push(...s.errors);
    }
    if (sum.conns === 0) sum.minPubs = 0;
    return sum;
  }

  /** Waits until `check` holds on the pooled stats (polled), or the deadline passes; returns the last stats. */
  async waitFor(check: (s: ClientStats) => boolean, timeoutMs: number, pollMs = 100): Promise<ClientStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.stats();
      if (check(s) || Date.now() > deadline) return s;
      await sleep(pollMs);
    }
  }

  /** From now on every n-th connection (0: none) takes latency samples. */
  sample(every: number): Promise<unknown> {
    return Promise.all(this.rpcs.map((r) => r.call('sample', { every })));
  }

  acks(everyMs: number): Promise<unknown> {
    return Promise.all(this.rpcs.map((r) => r.call('acks', { everyMs })));
  }

  async positions(): Promise<Array<Record<string, number>>> {
    return (
      await Promise.all(this.rpcs.map((r) => r.call<Array<Record<string, number>>>('positions')))
    ).flat();
  }

  async resume(host: string, port: number, targets: number[]): Promise<number> {
    const n = await Promise.all(this.rpcs.map((r) => r.call<number>('resume', { host, port, targets })));
    return n.reduce((a, b) => a + b, 0);
  }

  /** Drops every connection (the processes stay for the next scenario). */
  async close(): Promise<void> {
    await Promise.all(this.rpcs.map((r) => r.call('close')));
    this.#opened = 0;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(
      this.rpcs.map(async (r) => {
        await r.call('exit', {}, 2000).catch(() => undefined);
        const t = setTimeout(() => r.proc.child.kill('SIGKILL'), 2000);
        await r.proc.exited;
        clearTimeout(t);
      }),
    );
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
