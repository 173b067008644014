import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

/** The repository root (edge processes run from there so `tsx` and the workspace resolve). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = 'services/edge/src/main.ts';

/** A running edge process. */
export interface EdgeProcess {
  readonly port: number;
  /** `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly pid: number;
  /** Every stdout/stderr line so far (pino JSON lines and anything else). */
  logs(): string[];
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit; returns the exit code (null: ended by a signal). */
  stop(): Promise<number | null>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link startEdgeProcess}. */
export interface EdgeProcessOptions {
  /** How long to wait for `edge listening`. Default 60 s. */
  startTimeoutMs?: number;
  /** Register `kill()` with vitest's onTestFinished (default true; ignored outside a test). */
  registerCleanup?: boolean;
  /**
   * The log line that says the edge serves (its `port` field is the port):
   * `edge listening` by default; a supervisor of EDGE_WORKERS logs `edge
   * workers listening` once every worker listens.
   */
  listeningMessage?: string;
}

// Last resort: no edge outlives the test worker, whatever happens to the test.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) {
      try {
        c.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** The environment an edge process gets: only what the test gives, plus what node needs to run. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  return env;
}

function spawnEdge(env: Record<string, string>): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: repoRoot,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.length > 0) lines.push(line);
    });
    stream?.on('end', () => {
      if (partial.length > 0) lines.push(partial);
      partial = '';
    });
  }
  return { child, lines };
}

function exitCodeOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    // 'close' (not 'exit'): stdout and stderr are fully read by then.
    child.once('close', (code) => resolve(code));
  });
}

/** The last lines of an edge's output, for failure messages. */
export function tail(lines: readonly string[], n = 40): string {
  return lines.slice(-n).join('\n');
}

/**
 * Starts `services/edge/src/main.ts` with `node --import tsx` (not npx, so
 * signals reach node itself) and resolves once it logs `edge listening`.
 * Defaults: EDGE_HOST=127.0.0.1, EDGE_PORT=0, LOG_LEVEL=info; `env` adds to
 * and overrides them. The process is killed when the test finishes and when
 * the test worker exits.
 */
export async function startEdgeProcess(
  env: Record<string, string>,
  opts: EdgeProcessOptions = {},
): Promise<EdgeProcess> {
  const { child, lines } = spawnEdge({ EDGE_HOST: '127.0.0.1', EDGE_PORT: '0', LOG_LEVEL: 'info', ...env });
  const exited = exitCodeOf(child);
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  if (opts.registerCleanup !== false) {
    try {
      onTestFinished(kill);
    } catch {
      // outside a test: the exit hook still covers it
    }
  }
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  const listening = opts.listeningMessage ?? 'edge listening';
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`edge did not start within ${startTimeoutMs} ms:\n${tail(lines)}`)),
        startTimeoutMs,
      );
      const onData = () => {
        for (const line of lines) {
          const parsed = parseJson(line);
          if (parsed?.msg === listening && typeof parsed.port === 'number') {
            clearTimeout(timer);
            resolve(parsed.port);
            return;
          }
        }
      };
      child.stdout?.on('data', onData);
      exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`edge exited with ${code} before listening:\n${tail(lines)}`));
      });
    });
  } catch (err) {
    await kill();
    throw err;
  }
  const pid = child.pid as number;
  const handle: EdgeProcess = {
    port,
    url: `ws://127.0.0.1:${port}/`,
    pid,
    logs: () => lines,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill,
    [Symbol.asyncDispose]: kill,
  };
  return handle;
}

/** Runs an edge that is expected to exit by itself (e.g. on bad config): its exit code and output. */
export async function runEdgeToExit(
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; output: string[] }> {
  const { child, lines } = spawnEdge(env);
  const exited = exitCodeOf(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await exited;
    return { code, output: lines };
  } finally {
    clearTimeout(timer);
  }
}

/** The parsed pino lines of an edge's output. */
export function jsonLogs(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.flatMap((l) => {
    const parsed = parseJson(l);
    return parsed ? [parsed] : [];
  });
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The resident set size of a process in bytes (VmRSS of /proc/<pid>/status). */
export async function rssBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
