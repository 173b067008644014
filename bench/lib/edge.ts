import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type Tracked, spawnTracked } from './children.js';

/** A running edge process. */
export interface EdgeProc {
  port: number;
  pid: number;
  proc: Tracked;
  /** The latest `replay scans` log line's counters per topic. */
  scans(topic: string): { scansStarted: number; recordsRead: number; recordsDelivered: number } | undefined;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts `services/edge/src/main.ts` (insecure auth: the benchmark measures fan-out, not JWT). */
export async function startEdge(opts: {
  brokers: string[];
  redisUrl: string;
  topics: string[];
  nodeId: string;
  cpuProfDir?: string;
  /** Run with --expose-gc: the edge then runs a full GC on SIGUSR2. */
  exposeGc?: boolean;
  env?: Record<string, string>;
  /** The log line that says it serves: `edge listening`, or a supervisor's `edge workers listening` (EDGE_WORKERS > 1). */
  listeningMessage?: string;
}): Promise<EdgeProc> {
  const listening = opts.listeningMessage ?? 'edge listening';
  const nodeArgs = [
    ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
    ...(opts.exposeGc ? ['--expose-gc'] : []),
  ];
  const proc = spawnTracked('services/edge/src/main.ts', [], {
    capture: true,
    nodeArgs,
    env: {
      EDGE_HOST: '127.0.0.1',
      EDGE_PORT: '0',
      EDGE_NODE_ID: opts.nodeId,
      KAFKA_BROKERS: opts.brokers.join(','),
      // TLS/SASL settings of an external cluster reach the edge as they reached the benchmark.
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          (e): e is [string, string] =>
            /^KAFKA_(SECURITY_PROTOCOL|TLS_|SASL_)/.test(e[0]) && e[1] !== undefined,
        ),
      ),
      REDIS_URL: opts.redisUrl,
      EDGE_TOPICS: opts.topics.join(','),
      AUTH_MODE: 'insecure',
      LOG_LEVEL: 'info',
      ...opts.env,
    },
  });
  const scans = new Map<string, { scansStarted: number; recordsRead: number; recordsDelivered: number }>();
  let portSeen: ((p: number) => void) | undefined;
  const port = new Promise<number>((resolve) => {
    portSeen = resolve;
  });
  proc.onLine((line) => {
    if (!line.startsWith('{')) return;
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (j.msg === listening && typeof j.port === 'number') portSeen?.(j.port);
    if (j.msg === 'replay scans' && typeof j.topic === 'string')
      scans.set(j.topic, {
        scansStarted: Number(j.scans_started),
        recordsRead: Number(j.records_read),
        recordsDelivered: Number(j.records_delivered),
      });
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('edge did not start in 60 s')), 60_000).unref(),
  );
  const died = proc.exited.then((code) => {
    throw new Error(`edge exited (${code}) before listening:\n${proc.lines.slice(-20).join('\n')}`);
  });
  const p = await Promise.race([port, timeout, died]);
  died.catch(() => undefined);
  return {
    port: p,
    pid: proc.child.pid as number,
    proc,
    scans: (topic) => scans.get(topic),
    async stop() {
      proc.child.kill('SIGTERM');
      const t = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
      await proc.exited;
      clearTimeout(t);
    },
    kill: () => proc.kill('SIGKILL'),
  };
}

/** VmRSS of a process, bytes. */
export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** CPU seconds (user + system) a process has used so far (from /proc; USER_HZ is 100 on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * The scheduler's view of a process's main thread (/proc/<pid>/task/<pid>/schedstat):
 * seconds it ran, and seconds it was runnable but waited for a CPU. The
 * second is what CPU contention costs a latency: work ready, no core free.
 */
export function schedOf(pid: number | undefined): { runS: number; waitS: number } {
  if (!pid) return { runS: 0, waitS: 0 };
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ');
    return { runS: Number(run) / 1e9, waitS: Number(wait) / 1e9 };
  } catch {
    return { runS: 0, waitS: 0 };
  }
}

/** A histogram's cumulative buckets (le → count) from a Prometheus text exposition. */
export function histogramBuckets(metricsText: string, name: string): Map<number, number> {
  const out = new Map<number, number>();
  const re = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm');
  for (const m of metricsText.matchAll(re)) {
    const le = m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]);
    out.set(le, (out.get(le) ?? 0) + Number(m[2]));
  }
  return out;
}

/**
 * The q-quantile of the observations between two scrapes of a histogram,
 * interpolated linearly inside its bucket (as Prometheus' histogram_quantile).
 */
export function quantileBetween(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const les = [...after.keys()].sort((a, b) => a - b);
  const counts = les.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (let i = 0; i < les.length; i++) {
    const le = les[i] as number;
    const c = counts[i] as number;
    if (c >= rank) {
      if (!Number.isFinite(le)) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(1, c - below);
    }
    lower = le;
    below = c;
  }
  return lower;
}

/** Pins every thread of a process to the given CPUs (`taskset -a -cp`). */
export function pinTo(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
}
