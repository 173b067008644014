import type { StartedTestContainer } from 'testcontainers';
import { HarnessError } from './errors.js';
import { freePort } from './free-port.js';
import type { RestartOptions, ServiceHandle } from './service-handle.js';

/** What the Docker fallback runs: an image, its env, the one port clients use. */
export interface ContainerSpec {
  image: string;
  containerPort: number;
  /** The environment, given the host port the container port is published on. */
  environment: (hostPort: number) => Record<string, string>;
  /** The container's command, when not the image's default. */
  command?: string[];
  /** A line the server logs once it is ready. */
  readyLog: RegExp;
  startTimeoutMs: number;
}

/**
 * A server in a testcontainers container, used only when a Docker engine
 * answers and the local programs are missing. The host port is fixed (picked
 * free first) so it survives restart() and can be advertised by Kafka.
 */
export class ContainerService implements Omit<ServiceHandle, 'logTail'> {
  readonly external = false;
  readonly runtime = 'container';
  readonly pid = undefined;
  readonly logFile = undefined;
  private stopped = false;

  private constructor(
    private readonly container: StartedTestContainer,
    readonly hostPort: number,
  ) {}

  static async start(spec: ContainerSpec): Promise<ContainerService> {
    // Loaded lazily: testcontainers pulls in a Docker client nobody needs otherwise.
    const { GenericContainer, Wait } = await import('testcontainers');
    const hostPort = await freePort();
    let definition = new GenericContainer(spec.image);
    if (spec.command) definition = definition.withCommand(spec.command);
    const container = await definition
      .withEnvironment(spec.environment(hostPort))
      .withExposedPorts({ container: spec.containerPort, host: hostPort })
      .withWaitStrategy(Wait.forLogMessage(spec.readyLog))
      .withStartupTimeout(spec.startTimeoutMs)
      .start();
    return new ContainerService(container, hostPort);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.container.stop({ remove: true });
  }

  async restart(options: RestartOptions = {}): Promise<void> {
    if (this.stopped) throw new HarnessError('INVALID_OPTION', 'restart() after stop()');
    await this.container.restart({ timeout: options.kill ? 0 : 15_000 });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
