import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from './errors.js';
import { requirePrograms } from './find-executable.js';
import { freePorts } from './free-port.js';
import {
  type LocalBrokerLayout,
  newClusterId,
  renderLog4jProperties,
  renderServerProperties,
} from './kafka-config.js';
import { type KafkaDist, ensureKafkaDist } from './kafka-dist.js';
import type { KafkaHandle, StartKafkaOptions } from './kafka-handle.js';
import { waitForKafka } from './kafka-probe.js';
import { LocalServer } from './local-server.js';

type Settings = Required<Omit<StartKafkaOptions, 'ignoreEnv'>>;

const BIND_ATTEMPTS = 3;

/** A single-node KRaft broker run from the cached jars, in its own tmp dir. */
export class LocalKafka extends LocalServer implements KafkaHandle {
  private constructor(
    private readonly settings: Settings,
    private readonly dist: KafkaDist,
    dir: string,
    private layout: LocalBrokerLayout,
  ) {
    super(dir, 'kafka.log', settings, 'Kafka');
  }

  /** Fetches the jars if needed, formats a fresh storage dir and starts the broker. */
  static async start(settings: Settings): Promise<LocalKafka> {
    // First the jars: when they must be fetched it names java and mvn at once.
    const dist = await ensureKafkaDist(settings.env, settings.log);
    requirePrograms(
      'Running Kafka without Docker',
      [{ command: 'java', debianPackage: 'openjdk-17-jre-headless' }],
      'Or set KAFKA_BROKERS to use a running broker.',
      settings.env.PATH,
    );
    const [port, controllerPort] = await freePorts(2);
    const dir = mkdtempSync(join(tmpdir(), 'fanout-kafka-'));
    const kafka = new LocalKafka(settings, dist, dir, {
      port: port as number,
      controllerPort: controllerPort as number,
      dataDir: join(dir, 'data'),
    });
    try {
      await kafka.format();
      await kafka.launchOnFreePorts();
      return kafka;
    } catch (err) {
      await kafka.stop();
      throw err;
    }
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.layout.port}`];
  }

  protected get address(): string {
    return this.brokers.join(',');
  }

  private async format(): Promise<void> {
    this.writeConfig();
    const args = [
      ...this.jvmArgs('-Xmx256m'),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
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

  // Free ports can be taken by someone else between picking and binding:
  // pick new ones and try again when the broker says so.
  private async launchOnFreePorts(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.launch();
      } catch (err) {
        const bindFailed = /BindException|Address already in use/.test(this.logTail(200));
        if (!bindFailed || attempt >= BIND_ATTEMPTS) throw err;
        const [port, controllerPort] = await freePorts(2);
        this.layout = { ...this.layout, port: port as number, controllerPort: controllerPort as number };
        this.writeConfig();
      }
    }
  }

  protected async launch(): Promise<void> {
    const started = Date.now();
    const broker = await this.supervise(
      'the broker',
      'java',
      [
        ...this.jvmArgs('-Xmx1g', '-Xms256m', ...this.settings.jvmArgs),
        'kafka.Kafka',
        join(this.dir, 'server.properties'),
      ],
      (died) =>
        waitForKafka(this.brokers, {
          timeoutMs: this.settings.startTimeoutMs,
          createTopic: true,
          signal: died,
        }),
      40,
    );
    this.settings.log(
      `Kafka up at ${this.brokers.join(',')} in ${Date.now() - started} ms (pid ${broker.pid})`,
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
      renderServerProperties(this.layout, this.settings.brokerConfig),
    );
    writeFileSync(join(this.dir, 'log4j.properties'), renderLog4jProperties());
  }
}
