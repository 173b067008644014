import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError, StartupError } from './errors.js';
import { requirePrograms } from './find-executable.js';
import { freePort } from './free-port.js';
import { readLogTail } from './log-tail.js';
import { registerCleanup } from './process-cleanup.js';
import type { RedisHandle, StartRedisOptions } from './redis-handle.js';
import { waitForRedis } from './redis-probe.js';
import type { RestartOptions } from './service-handle.js';
import { SupervisedProcess } from './supervised-process.js';

type Settings = Required<Omit<StartRedisOptions, 'ignoreEnv'>>;

const BIND_ATTEMPTS = 3;

/** Debian's redis-server on a free loopback port, in its own tmp dir. */
export class LocalRedis implements RedisHandle {
  readonly external = false;
  readonly runtime = 'process';
  readonly logFile: string;
  private process: SupervisedProcess | undefined;
  private stopped = false;
  private readonly unregisterDir: () => void;

  private constructor(
    private readonly settings: Settings,
    private readonly dir: string,
    private port: number,
  ) {
    this.logFile = join(dir, 'redis.log');
    this.unregisterDir = registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
  }

  static async start(settings: Settings): Promise<LocalRedis> {
    requirePrograms(
      'Running Redis without Docker',
      [{ command: 'redis-server', debianPackage: 'redis-server' }],
      'Or set REDIS_URL to use a running server.',
      settings.env.PATH,
    );
    const redis = new LocalRedis(settings, mkdtempSync(join(tmpdir(), 'fanout-redis-')), await freePort());
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await redis.launch();
          return redis;
        } catch (err) {
          const bindFailed = /Address already in use/.test(redis.logTail(20));
          if (!bindFailed || attempt >= BIND_ATTEMPTS) throw err;
          redis.port = await freePort();
        }
      }
    } catch (err) {
      await redis.stop();
      throw err;
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.running ? this.process.pid : undefined;
  }

  logTail(lines = 50): string {
    return readLogTail(this.logFile, lines);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.process?.stop(this.settings.stopTimeoutMs);
    rmSync(this.dir, { recursive: true, force: true });
    this.unregisterDir();
  }

  async restart(options: RestartOptions = {}): Promise<void> {
    if (this.stopped) throw new HarnessError('INVALID_OPTION', 'restart() after stop(): start a new server');
    await this.process?.stop(
      options.kill ? 0 : this.settings.stopTimeoutMs,
      options.kill ? 'SIGKILL' : 'SIGTERM',
    );
    this.settings.log(`restarting Redis at ${this.url}`);
    await this.launch();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async launch(): Promise<void> {
    const persistence = this.settings.persistence
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const server = await SupervisedProcess.start({
      command: 'redis-server',
      args: [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--protected-mode',
        'no',
        '--daemonize',
        'no',
        '--dir',
        this.dir,
        '--save',
        '',
        ...persistence,
        '--logfile',
        '',
      ],
      env: this.settings.env,
      logFile: this.logFile,
      dir: this.dir,
      stopGraceMs: this.settings.stopTimeoutMs,
    });
    this.process = server;
    const died = new AbortController();
    void server.exited.then((exit) =>
      died.abort(new Error(`redis-server exited (code ${exit.code}, signal ${exit.signal})`)),
    );
    try {
      await waitForRedis(this.url, this.settings.startTimeoutMs, died.signal);
    } catch (err) {
      await server.stop(1_000, 'SIGKILL');
      const reason = err instanceof Error ? err.message : String(err);
      throw new StartupError(
        `redis-server (pid ${server.pid}) did not come up at ${this.url}: ${reason}\n` +
          `--- last lines of ${this.logFile} ---\n${this.logTail(20)}`,
        { cause: err },
      );
    }
    this.settings.log(`Redis up at ${this.url} (pid ${server.pid})`);
  }
}
