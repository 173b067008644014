import type { ServiceHandle } from './service-handle.js';

/** A running Redis for tests and development. */
export interface RedisHandle extends ServiceHandle {
  /** Connection URL, `redis://127.0.0.1:<port>` for a local server. */
  readonly url: string;
}

/** Options of startRedis(). */
export interface StartRedisOptions {
  /** Environment to read REDIS_URL and PATH from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Ignore REDIS_URL and always start a server of our own. Default false. */
  ignoreEnv?: boolean;
  /**
   * Keep data across restart() with an append-only file fsynced on every
   * write (survives even `restart({ kill: true })`). Default false:
   * `--save '' --appendonly no`, so a restart empties it.
   */
  persistence?: boolean;
  /** Deadline for the server to answer PING, in ms. Default 30,000. */
  startTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL when stopping, in ms. Default 10,000. */
  stopTimeoutMs?: number;
  /** Progress messages. Default: silent. */
  log?: (message: string) => void;
}
