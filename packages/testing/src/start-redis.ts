import { ContainerService } from './container-service.js';
import { dockerAvailable } from './docker.js';
import { PrerequisiteError, StartupError } from './errors.js';
import { ExternalService } from './external-service.js';
import { LocalRedis } from './local-redis.js';
import type { RedisHandle, StartRedisOptions } from './redis-handle.js';
import { waitForRedis } from './redis-probe.js';
import type { RestartOptions } from './service-handle.js';

/**
 * A Redis for tests and development, in this order of preference:
 * 1. `REDIS_URL` when set: starts nothing, waits until it answers PING;
 * 2. Debian's `redis-server` on a free loopback port (persistence off unless asked);
 * 3. when `redis-server` is missing but a Docker engine answers, the `redis:7` image.
 * Otherwise it throws a PrerequisiteError naming the package to install.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  const settings = {
    env: options.env ?? process.env,
    persistence: options.persistence ?? false,
    startTimeoutMs: options.startTimeoutMs ?? 30_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
    log: options.log ?? (() => {}),
  };
  const fromEnv = options.ignoreEnv ? undefined : settings.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    const url = fromEnv.trim();
    try {
      await waitForRedis(url, settings.startTimeoutMs);
    } catch (err) {
      throw new StartupError(`REDIS_URL=${url} does not answer: ${String(err)}`, { cause: err });
    }
    return Object.assign(new ExternalService('REDIS_URL'), { url });
  }
  try {
    return await LocalRedis.start(settings);
  } catch (err) {
    if (!(err instanceof PrerequisiteError) || !(await dockerAvailable(settings.env))) throw err;
    settings.log(`${err.message}\nA Docker engine answers: using the redis:7 image instead`);
    return startContainerRedis(settings.startTimeoutMs, settings.persistence);
  }
}

async function startContainerRedis(timeoutMs: number, persistence: boolean): Promise<RedisHandle> {
  const service = await ContainerService.start({
    image: 'redis:7',
    containerPort: 6379,
    readyLog: /Ready to accept connections/,
    startTimeoutMs: timeoutMs,
    environment: () => ({}),
    command: persistence
      ? ['redis-server', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always']
      : ['redis-server', '--save', '', '--appendonly', 'no'],
  });
  const url = `redis://127.0.0.1:${service.hostPort}`;
  const handle: RedisHandle = {
    external: false,
    runtime: 'container',
    pid: undefined,
    logFile: undefined,
    url,
    stop: () => service.stop(),
    restart: async (options?: RestartOptions) => {
      await service.restart(options);
      await waitForRedis(url, timeoutMs);
    },
    logTail: () => '',
    [Symbol.asyncDispose]: () => service.stop(),
  };
  return handle;
}
