import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { registerCleanup } from './process-cleanup.js';
import { spawnWatchdog } from './watchdog.js';

/** How a supervised process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link startSupervised}. */
export interface SupervisedOptions {
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended to this file (never to pipes nobody drains). */
  logFile: string;
  /** The watchdog removes this directory if the parent dies before stop(). */
  dir: string;
  /** Milliseconds between SIGTERM and SIGKILL. */
  stopGraceMs: number;
}

/**
 * A server process that cannot outlive the process that started it: it runs
 * in its own process group (so a terminal's Ctrl-C reaches us, not it, and we
 * stop it in order), an exit handler kills it if we exit first, and a watchdog
 * kills it if we are SIGKILLed.
 */
export class SupervisedProcess {
  readonly pid: number;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;
  private readonly watchdog: ChildProcess;

  private constructor(child: ChildProcess, pid: number, options: SupervisedOptions) {
    this.pid = pid;
    const unregister = registerCleanup(() => killGroup(pid, 'SIGKILL'));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        unregister();
        resolve(this.exit);
      });
    });
    this.watchdog = spawnWatchdog(pid, { graceMs: options.stopGraceMs, removeDir: options.dir });
    // The exit handler and the watchdog own its lifetime now; do not let a
    // forgotten server keep the event loop (and a test run) alive.
    child.unref();
  }

  /** Spawns the process; rejects if it cannot be spawned at all (e.g. ENOENT). */
  static start(options: SupervisedOptions): Promise<SupervisedProcess> {
    const out = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(options.command, [...options.args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.off('error', reject);
        child.on('error', () => {
          // kill() on an exited process: nothing to do
        });
        resolve(new SupervisedProcess(child, child.pid as number, options));
      });
    });
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exit === undefined;
  }

  /**
   * Stops the process: `signal` (SIGTERM by default), then SIGKILL if it has
   * not exited after `graceMs`. Resolves once it is gone. Does not touch its
   * directory: the owner decides whether data survives.
   */
  async stop(graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<ProcessExit> {
    if (this.exit === undefined) {
      killGroup(this.pid, signal);
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          killGroup(this.pid, 'SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([this.exited, forced]);
      clearTimeout(timer);
    }
    const exit = await this.exited;
    // The watchdog would exit within its poll interval; end it now so a
    // stopped server leaves nothing behind. Until Node has seen it exit its
    // pid cannot have been reused, so the kill hits the right process.
    if (this.watchdog.exitCode === null && this.watchdog.signalCode === null) this.watchdog.kill('SIGKILL');
    return exit;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
