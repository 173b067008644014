import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, StartupError } from './errors.js';
import {
  type BrokerPropertyValue,
  type LocalBrokerLayout,
  renderLog4jProperties,
  renderServerProperties,
} from './kafka-config.js';
import type { KafkaDist } from './kafka-dist.js';
import { LocalServer, type LocalServerSettings } from './local-server.js';

/** What a Kafka node needs of the caller's settings. */
export interface KafkaNodeSettings extends LocalServerSettings {
  /** Deadline for the node to be ready after a launch, in ms. */
  startTimeoutMs: number;
  /** Extra JVM options, after the node's heap options. */
  jvmArgs: readonly string[];
}

/** How one KRaft node is laid out and when it counts as up. */
export interface KafkaNodeSpec {
  layout: LocalBrokerLayout;
  /** The cluster id every node of a cluster is formatted with. */
  clusterId: string;
  /** Broker properties over the fast-test defaults (listeners and roles come from the layout). */
  brokerConfig: Readonly<Record<string, BrokerPropertyValue>>;
  /** JVM options before the caller's (heap size, JIT). */
  baseJvmArgs: readonly string[];
  /** Resolves once the node serves; `died` aborts when its process exits first. */
  ready: (node: KafkaNode, died: AbortSignal) => Promise<void>;
  /** For messages: "Kafka", "Kafka node 2". */
  what: string;
}

/**
 * One KRaft broker+controller process run from the cached jars in its own tmp
 * dir: formats its storage, writes its config, launches and (re)starts. A
 * single broker (LocalKafka) and each node of a cluster are one of these.
 */
export class KafkaNode extends LocalServer {
  private currentLayout: LocalBrokerLayout;

  constructor(
    protected readonly settings: KafkaNodeSettings,
    private readonly dist: KafkaDist,
    dir: string,
    private readonly spec: KafkaNodeSpec,
  ) {
    super(dir, 'kafka.log', settings, spec.what);
    this.currentLayout = spec.layout;
  }

  get layout(): LocalBrokerLayout {
    return this.currentLayout;
  }

  /** Moves the node to other ports (before a launch); rewrites its config. */
  set layout(layout: LocalBrokerLayout) {
    this.currentLayout = layout;
    this.writeConfig();
  }

  get nodeId(): number {
    return this.currentLayout.nodeId ?? 1;
  }

  /** Its PLAINTEXT listener, `127.0.0.1:port`. */
  get brokers(): string[] {
    return [`127.0.0.1:${this.currentLayout.port}`];
  }

  protected get address(): string {
    return this.brokers.join(',');
  }

  /** Whether the process is running now. */
  get running(): boolean {
    return this.pid !== undefined;
  }

  /** Whether the last launch failed because a port was taken. */
  bindFailed(): boolean {
    return /BindException|Address already in use/.test(this.logTail(200));
  }

  /** Writes the config and formats the storage dir (kafka-storage format). */
  async format(): Promise<void> {
    this.writeConfig();
    const args = [
      // A short-lived tool: the quick JIT alone starts it faster.
      ...this.jvmArgs('-Xmx256m', '-XX:TieredStopAtLevel=1'),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      this.spec.clusterId,
      '-c',
      join(this.dir, 'server.properties'),
    ];
    await new Promise<void>((resolve, reject) => {
      execFile('java', args, { env: this.settings.env, timeout: 60_000 }, (err, stdout, stderr) => {
        if (!err) return resolve();
        reject(new StartupError(`Kafka storage format failed:\n${stdout}${stderr}`, { cause: err }));
      });
    });
  }

  /** Launches the process (once formatted) and resolves once it is ready. */
  async start(): Promise<void> {
    this.assertNotStopped('start()');
    if (this.running)
      throw new HarnessError('INVALID_OPTION', `${this.spec.what} is already running (pid ${this.pid})`);
    await this.launch();
  }

  /** SIGKILLs the process (a crash) and resolves once it is gone; the data stays for start(). */
  async kill(): Promise<void> {
    await this.halt({ kill: true });
  }

  protected async launch(): Promise<void> {
    const started = Date.now();
    const broker = await this.supervise(
      'the broker',
      'java',
      [
        ...this.jvmArgs(...this.spec.baseJvmArgs, ...this.settings.jvmArgs),
        'kafka.Kafka',
        join(this.dir, 'server.properties'),
      ],
      (died) => this.spec.ready(this, died),
      40,
    );
    this.settings.log(
      `${this.spec.what} up at ${this.address} in ${Date.now() - started} ms (pid ${broker.pid})`,
    );
  }

  private jvmArgs(...extra: string[]): string[] {
    return [
      '-XX:+UseG1GC',
      '-XX:+ExitOnOutOfMemoryError',
      '-XX:-UsePerfData',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${join(this.dir, 'log4j.properties')}`,
      ...extra,
      '-cp',
      this.dist.classpath,
    ];
  }

  private writeConfig(): void {
    writeFileSync(
      join(this.dir, 'server.properties'),
      renderServerProperties(this.currentLayout, this.spec.brokerConfig),
    );
    writeFileSync(join(this.dir, 'log4j.properties'), renderLog4jProperties());
  }
}
