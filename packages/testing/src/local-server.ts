import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, StartupError } from './errors.js';
import { readLogTail } from './log-tail.js';
import { registerCleanup } from './process-cleanup.js';
import type { RestartOptions } from './service-handle.js';
import { SupervisedProcess } from './supervised-process.js';

/** What every local server needs of its settings. */
export interface LocalServerSettings {
  env: NodeJS.ProcessEnv;
  stopTimeoutMs: number;
  log: (message: string) => void;
}

/**
 * A server process of ours (the Kafka broker, redis-server) in its own tmp
 * dir: the lifecycle they share. `stop()` removes the dir; `restart()` keeps
 * it (same ports, same data). Subclasses say how to launch and where they
 * answer.
 */
export abstract class LocalServer {
  readonly external = false;
  readonly runtime = 'process';
  readonly logFile: string;
  protected process: SupervisedProcess | undefined;
  private stopped = false;
  private readonly unregisterDir: () => void;

  protected constructor(
    protected readonly dir: string,
    logName: string,
    private readonly base: LocalServerSettings,
    /** "Kafka", "Redis": for messages. */
    private readonly what: string,
  ) {
    this.logFile = join(dir, logName);
    this.unregisterDir = registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
  }

  /** Where clients reach it, for messages. */
  protected abstract get address(): string;

  /** Starts the process (again) and resolves once it answers. */
  protected abstract launch(): Promise<void>;

  get pid(): number | undefined {
    return this.process?.running ? this.process.pid : undefined;
  }

  logTail(lines = 50): string {
    return readLogTail(this.logFile, lines);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.process?.stop(this.base.stopTimeoutMs);
    rmSync(this.dir, { recursive: true, force: true });
    this.unregisterDir();
  }

  async restart(options: RestartOptions = {}): Promise<void> {
    this.assertNotStopped('restart()');
    await this.halt(options);
    this.base.log(`restarting ${this.what} at ${this.address}`);
    await this.launch();
  }

  /**
   * Ends the process (gracefully, or by SIGKILL with `kill`) and keeps its
   * dir for a later launch(). Resolves once it has exited.
   */
  protected async halt(options: RestartOptions = {}): Promise<void> {
    await this.process?.stop(
      options.kill ? 0 : this.base.stopTimeoutMs,
      options.kill ? 'SIGKILL' : 'SIGTERM',
    );
  }

  protected assertNotStopped(call: string): void {
    if (this.stopped)
      throw new HarnessError('INVALID_OPTION', `${call} after stop(): start a new ${this.what}`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Starts `command` under supervision and waits until `ready` resolves
   * (aborted if the process, called `name` in messages, dies first). On
   * failure the process is killed and the error carries the log's last lines.
   */
  protected async supervise(
    name: string,
    command: string,
    args: string[],
    ready: (died: AbortSignal) => Promise<void>,
    tailLines: number,
  ): Promise<SupervisedProcess> {
    const proc = await SupervisedProcess.start({
      command,
      args,
      env: this.base.env,
      logFile: this.logFile,
      dir: this.dir,
      stopGraceMs: this.base.stopTimeoutMs,
    });
    this.process = proc;
    const died = new AbortController();
    void proc.exited.then((exit) =>
      died.abort(new Error(`${name} exited (code ${exit.code}, signal ${exit.signal})`)),
    );
    try {
      await ready(died.signal);
    } catch (err) {
      await proc.stop(2_000, 'SIGKILL');
      const reason = err instanceof Error ? err.message : String(err);
      throw new StartupError(
        `${this.what} (pid ${proc.pid}) did not come up at ${this.address}: ${reason}\n` +
          `--- last lines of ${this.logFile} ---\n${this.logTail(tailLines)}`,
        { cause: err },
      );
    }
    return proc;
  }
}
