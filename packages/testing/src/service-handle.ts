/** Options of a handle's `restart()`. */
export interface RestartOptions {
  /**
   * Kill the server with SIGKILL (a crash) instead of stopping it gracefully.
   * Default false.
   */
  kill?: boolean;
}

/** What every server the harness provides can do. */
export interface ServiceHandle {
  /** True when it came from the environment (KAFKA_BROKERS, REDIS_URL): the harness started nothing. */
  readonly external: boolean;
  /** How it runs: `external`, a local process (`process`) or a Docker container (`container`). */
  readonly runtime: 'external' | 'process' | 'container';
  /** The server process's pid when it is a local process we run (changes on restart). */
  readonly pid: number | undefined;
  /** The file holding the server's output, when it is a local process. */
  readonly logFile: string | undefined;
  /**
   * Stops the server and removes everything it wrote (tmp dir, data). Idempotent.
   * A no-op for an external server.
   */
  stop(): Promise<void>;
  /**
   * Stops the server and starts it again on the same ports with the same data
   * dir, then waits until it answers. For fault tests. Rejects for an external server.
   */
  restart(options?: RestartOptions): Promise<void>;
  /** The last `lines` lines of the server's output ('' when unknown). Default 50. */
  logTail(lines?: number): string;
  /** Same as stop(), for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}
