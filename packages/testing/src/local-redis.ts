import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePrograms } from './find-executable.js';
import { freePort } from './free-port.js';
import { LocalServer } from './local-server.js';
import type { RedisHandle, StartRedisOptions } from './redis-handle.js';
import { waitForRedis } from './redis-probe.js';

type Settings = Required<Omit<StartRedisOptions, 'ignoreEnv'>>;

const BIND_ATTEMPTS = 3;

/** Debian's redis-server on a free loopback port, in its own tmp dir. */
export class LocalRedis extends LocalServer implements RedisHandle {
  private constructor(
    private readonly settings: Settings,
    dir: string,
    private port: number,
  ) {
    super(dir, 'redis.log', settings, 'Redis');
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

  protected get address(): string {
    return this.url;
  }

  protected async launch(): Promise<void> {
    const persistence = this.settings.persistence
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'no',
      '--daemonize',
      'no',
    ];
    args.push('--dir', this.dir, '--save', '', ...persistence, '--logfile', '');
    const server = await this.supervise(
      'redis-server',
      'redis-server',
      args,
      (died) => waitForRedis(this.url, this.settings.startTimeoutMs, died),
      20,
    );
    this.settings.log(`Redis up at ${this.url} (pid ${server.pid})`);
  }
}
