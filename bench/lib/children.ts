import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: children run from there so tsx and the workspaces resolve. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

// Every child this process started, killed on exit, Ctrl-C and SIGTERM.
const running = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const c of running) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
}

/** Kills every child started through this module (synchronous, for signal handlers). */
export function killAllChildren(): void {
  killAll();
}

// A tiny detached process that SIGKILLs `pid` once our process is gone, even
// when we die by SIGKILL (the harness's watchdog pattern).
const WATCHDOG = `
const child = Number(process.argv[1]);
const parent = process.ppid;
const alive = (p) => { try { process.kill(p, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
setInterval(() => {
  if (!alive(child)) process.exit(0);
  if (process.ppid !== parent || !alive(parent)) { try { process.kill(child, 'SIGKILL'); } catch {} process.exit(0); }
}, 300);
`;

/** Spawns a watchdog that kills `pid` if this process dies first. */
export function watch(pid: number): void {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const w = spawn(process.execPath, ['-e', WATCHDOG, String(pid)], { detached: true, stdio: 'ignore', env });
  w.on('error', () => undefined);
  w.unref();
}

/** Options of {@link spawnTracked}. */
export interface SpawnOptions {
  env?: Record<string, string>;
  ipc?: boolean;
  nodeArgs?: string[];
  /** Collect stdout/stderr lines (default: inherit stderr, ignore stdout). */
  capture?: boolean;
}

/** A child process started through tsx, killed whenever this process ends. */
export interface Tracked {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  onLine(fn: (line: string) => void): void;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `node --import tsx <script>` from the repo root, tracked and watched. */
export function spawnTracked(script: string, args: string[], opts: SpawnOptions = {}): Tracked {
  hook();
  const stdio: Array<'ignore' | 'pipe' | 'inherit' | 'ipc'> = opts.capture
    ? ['ignore', 'pipe', 'pipe']
    : ['ignore', 'ignore', 'inherit'];
  if (opts.ipc) stdio.push('ipc');
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...opts.env },
    stdio,
  });
  running.add(child);
  if (child.pid) watch(child.pid);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (line.length === 0) continue;
        lines.push(line);
        if (lines.length > 5000) lines.splice(0, 1000);
        for (const l of listeners) l(line);
      }
    });
  }
  return {
    child,
    lines,
    exited,
    onLine: (fn) => listeners.push(fn),
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Request/response over a child's IPC channel. */
export class Rpc {
  #next = 1;
  #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(readonly proc: Tracked) {
    proc.child.on('message', (msg: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
    });
    void proc.exited.then((code) => {
      for (const p of this.#pending.values()) p.reject(new Error(`child exited (${code})`));
      this.#pending.clear();
    });
  }

  call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 300_000): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${cmd}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.child.send({ id, cmd, ...args });
    });
  }
}

/**
 * The child side: answers RPCs with `handlers` and exits when the parent is
 * gone (IPC disconnect, or reparented).
 */
export function serveRpc(handlers: Record<string, (msg: Record<string, unknown>) => unknown>): void {
  const parent = process.ppid;
  const exit = () => process.exit(0);
  process.on('disconnect', exit);
  setInterval(() => {
    if (process.ppid !== parent) exit();
  }, 500).unref();
  process.on('message', (msg: Record<string, unknown> & { id: number; cmd: string }) => {
    const h = handlers[msg.cmd];
    Promise.resolve()
      .then(() => {
        if (!h) throw new Error(`unknown command ${msg.cmd}`);
        return h(msg);
      })
      .then(
        (result) => process.send?.({ id: msg.id, ok: true, result }),
        (err: unknown) => process.send?.({ id: msg.id, ok: false, error: (err as Error).message }),
      );
  });
}
