/** Every parameter of a run (flags override the profile's defaults). */
export interface BenchOptions {
  profile: 'full' | 'quick' | 'smoke';
  /** Connection counts of the throughput scenario (the chart's x axis); latency runs at the last. */
  steps: number[];
  keyConnections: number;
  /** Connections of the wire scenario (TLS and compression rows). */
  wireConnections: number;
  keys: number;
  /**
   * The key scenario's second row: many keys, each connection on its own key
   * (per-user channels). Records are keyed round robin over every key.
   */
  keysLarge?: { keys: number; connections: number };
  stormConnections: number;
  /** Records per channel produced while the storm's edge is down. */
  stormRecords: number;
  stormBefore: number;
  stormTimeoutMs: number;
  ackEveryMs: number;
  memorySteps: number[];
  memorySettleMs: number;
  payloadBytes: number;
  /** Latency sweep (scenario 3): connection counts, each run at every rate of `latencyRates` (records/s, one topic). */
  latencyConnections: number[];
  latencyRates: number[];
  /** Plus a high row per connection count at this many deliveries/s (rate = this ÷ N), when above every low rate; 0: none. */
  latencyHighDeliveries: number;
  /** Seconds of each throughput/latency measurement, in ms. */
  durationMs: number;
  partitions: number;
  latencySamples: number;
  /** Every n-th throughput connection checks positions on every publication. */
  trackEvery: number;
  clientProcesses: number;
  /** Scenario 5: partitions over several topics (one busy, the rest idle), connections on the busy one, its rate. */
  partitionsTotal: number;
  partitionsConnections: number;
  partitionsRate: number;
  /** Connections of the workers scenario (1 edge worker, 2 workers, raw uWS). */
  workersConnections: number;
  scenarios: Set<string>;
  /** Extra environment of the throughput, latency and memory edges (`--edge-env K=V,K=V`). */
  edgeEnv: Record<string, string>;
  /** Directory for `--cpu-prof` of the throughput edge, if any. */
  cpuProf?: string;
  /**
   * `--pin-edge`: the benchmark and everything it starts run on CPU 1, the
   * latency sweep's edge (and raw uWS during its rows) alone on CPU 0: the
   * edge's latency without waiting for a core.
   */
  pinEdge?: boolean;
}

const PROFILES: Record<BenchOptions['profile'], Omit<BenchOptions, 'profile' | 'scenarios' | 'edgeEnv'>> = {
  full: {
    steps: [1000, 5000, 10_000],
    keyConnections: 10_000,
    wireConnections: 2000,
    keys: 1000,
    // One edge process holds at most ~19,900 sockets (20,000 fds): 100,000 keys, 15,000 of them with a connection.
    keysLarge: { keys: 100_000, connections: 15_000 },
    stormConnections: 10_000,
    stormRecords: 1000,
    stormBefore: 200,
    stormTimeoutMs: 60_000,
    ackEveryMs: 500,
    memorySteps: [1000, 5000, 10_000, 15_000],
    memorySettleMs: 2000,
    payloadBytes: 100,
    latencyConnections: [1000, 10_000],
    latencyRates: [4, 100],
    latencyHighDeliveries: 1_000_000,
    durationMs: 10_000,
    partitions: 4,
    latencySamples: 40,
    trackEvery: 100,
    clientProcesses: 2,
    partitionsTotal: 200,
    partitionsConnections: 1000,
    partitionsRate: 100,
    workersConnections: 1000,
  },
  quick: {
    steps: [250, 1000],
    keyConnections: 1000,
    wireConnections: 500,
    keys: 1000,
    stormConnections: 1000,
    stormRecords: 1000,
    stormBefore: 100,
    stormTimeoutMs: 30_000,
    ackEveryMs: 500,
    memorySteps: [1000],
    memorySettleMs: 1000,
    payloadBytes: 100,
    latencyConnections: [1000],
    latencyRates: [4, 100],
    latencyHighDeliveries: 1_000_000,
    durationMs: 3000,
    partitions: 4,
    latencySamples: 20,
    trackEvery: 50,
    clientProcesses: 2,
    partitionsTotal: 200,
    partitionsConnections: 200,
    partitionsRate: 100,
    workersConnections: 1000,
  },
  smoke: {
    steps: [10, 30],
    keyConnections: 30,
    wireConnections: 10,
    keys: 10,
    stormConnections: 30,
    stormRecords: 100,
    stormBefore: 20,
    stormTimeoutMs: 20_000,
    ackEveryMs: 200,
    memorySteps: [20, 40],
    memorySettleMs: 200,
    payloadBytes: 100,
    latencyConnections: [30],
    latencyRates: [50],
    latencyHighDeliveries: 0,
    durationMs: 1000,
    partitions: 2,
    latencySamples: 10,
    trackEvery: 1,
    clientProcesses: 1,
    partitionsTotal: 20,
    partitionsConnections: 10,
    partitionsRate: 50,
    workersConnections: 30,
  },
};

export const ALL_SCENARIOS = [
  'throughput',
  'keys',
  'latency',
  'storm',
  'memory',
  'partitions',
  'wire',
  'workers',
];

export const USAGE = `npm run bench -- [--quick] [flags]
  --quick                 about one minute, small counts
  --connections N         throughput/latency/key/storm connections (sets the last throughput step)
  --steps A,B,C           throughput connection counts (chart x axis)
  --records N             records per channel produced during the storm's outage
  --payload BYTES         record payload size (default 100)
  --latency-conns A,B      latency sweep connection counts (full 1000,10000; quick 1000)
  --rate A,B              latency sweep records/s per topic (default 4,100)
  --latency-high N        plus a row at N deliveries/s (rate N / connections; default 1000000, 0: none)
  --duration S            seconds per throughput/latency measurement
  --keys N                key fan-out: number of keys (default 1000)
  --keys-large K,N        key fan-out's second row: K keys, N connections each on its own key
  --memory A,B,C          memory scenario connection counts
  --memory-settle S       seconds idle before each memory reading (full 2, quick 1)
  --partitions N          partitions of every bench topic
  --clients N             load-client processes
  --only a,b              scenarios to run: ${ALL_SCENARIOS.join(', ')}
  --edge-env K=V,K=V      extra environment of the throughput, latency and memory edges
  --cpu-prof DIR          run the throughput, key and latency edges with --cpu-prof into DIR
  --pin-edge              (with --only latency) everything on CPU 1, the latency edge and raw uWS alone on CPU 0`;

function num(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: expected a number, got ${v}`);
  return n;
}

function nums(flag: string, v: string | undefined): number[] {
  return (v ?? '').split(',').map((x) => num(flag, x));
}

/** Parses the command line. */
export function parseArgs(argv: string[]): BenchOptions {
  const profile = argv.includes('--quick') ? 'quick' : argv.includes('--smoke') ? 'smoke' : 'full';
  const o: BenchOptions = {
    profile,
    ...structuredClone(PROFILES[profile]),
    scenarios: new Set(ALL_SCENARIOS),
    edgeEnv: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const v = argv[i + 1];
    switch (flag) {
      case '--quick':
      case '--smoke':
        continue;
      case '--pin-edge':
        o.pinEdge = true;
        continue;
      case '--connections': {
        const n = num(flag, v);
        o.steps = [...o.steps.filter((s) => s < n), n];
        o.keyConnections = n;
        o.stormConnections = n;
        o.latencyConnections = [n];
        break;
      }
      case '--steps':
        o.steps = nums(flag, v);
        break;
      case '--records':
        o.stormRecords = num(flag, v);
        break;
      case '--payload':
        o.payloadBytes = num(flag, v);
        break;
      case '--rate':
        o.latencyRates = nums(flag, v);
        break;
      case '--latency-conns':
        o.latencyConnections = nums(flag, v);
        break;
      case '--latency-high':
        o.latencyHighDeliveries = num(flag, v);
        break;
      case '--duration':
        o.durationMs = num(flag, v) * 1000;
        break;
      case '--keys':
        o.keys = num(flag, v);
        break;
      case '--keys-large': {
        const [keys, connections] = nums(flag, v);
        if (keys === undefined || connections === undefined) throw new Error(`${flag} needs K,N\n${USAGE}`);
        o.keysLarge = { keys, connections };
        break;
      }
      case '--memory':
        o.memorySteps = nums(flag, v);
        break;
      case '--memory-settle':
        o.memorySettleMs = num(flag, v) * 1000;
        break;
      case '--partitions':
        o.partitions = num(flag, v);
        break;
      case '--clients':
        o.clientProcesses = num(flag, v);
        break;
      case '--only':
        o.scenarios = new Set((v ?? '').split(','));
        break;
      case '--edge-env':
        for (const kv of (v ?? '').split(',')) {
          const eq = kv.indexOf('=');
          if (eq <= 0) throw new Error(`--edge-env: expected K=V, got ${kv}`);
          o.edgeEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        break;
      case '--cpu-prof':
        o.cpuProf = v;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
    i++;
  }
  // Each load-client process stays well under its 20,000 file descriptors.
  const most = Math.max(
    ...o.steps,
    o.keyConnections,
    o.keysLarge?.connections ?? 0,
    o.stormConnections,
    ...o.memorySteps,
    ...o.latencyConnections,
  );
  o.clientProcesses = Math.max(o.clientProcesses, Math.ceil(most / 12_000));
  return o;
}
