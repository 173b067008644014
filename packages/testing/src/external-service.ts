import { HarnessError } from './errors.js';
import type { ServiceHandle } from './service-handle.js';

/** A server named by the environment: the harness started it not, so it stops and restarts nothing. */
export class ExternalService implements ServiceHandle {
  readonly external = true;
  readonly runtime = 'external';
  readonly pid = undefined;
  readonly logFile = undefined;

  constructor(private readonly variable: string) {}

  async stop(): Promise<void> {}

  async restart(): Promise<void> {
    throw new HarnessError('INVALID_OPTION', `cannot restart a server given by ${this.variable}`);
  }

  logTail(): string {
    return '';
  }

  async [Symbol.asyncDispose](): Promise<void> {}
}
