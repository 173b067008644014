import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError, StartupError } from './errors.js';
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
import { readLogTail } from './log-tail.js';
import { registerCleanup } from './process-cleanup.js';
import type { RestartOptions } from './service-handle.js';
import { SupervisedProcess } from './supervised-process.js';

type Settings = Required<Omit<StartKafkaOptions, 'ignoreEnv'>>;

const BIND_ATTEMPTS = 3;

/** A single-node KRaft broker run from the cached jars, in its own tmp dir. */
export class LocalKafka implements KafkaHandle {
  readonly external = false;
  readonly runtime = 'process';
  readonly logFile: string;
  private process: SupervisedProcess | undefined;
  private stopped = false;
  private readonly unregisterDir: () => void;

  private constructor(
    private readonly settings: Settings,
    private readonly dist: KafkaDist,
    private readonly dir: string,
    private layout: LocalBrokerLayout,
  ) {
    this.logFile = join(this.dir, 'kafka.log');
    this.unregisterDir = registerCleanup(() => rmSync(this.dir, { recursive: true, force: true }));
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
    if (this.stopped) throw new HarnessError('INVALID_OPTION', 'restart() after stop(): start a new broker');
    await this.process?.stop(
      options.kill ? 0 : this.settings.stopTimeoutMs,
      options.kill ? 'SIGKILL' : 'SIGTERM',
    );
    this.settings.log(`restarting Kafka at ${this.brokers.join(',')}`);
    await this.launch();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
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

  private async launch(): Promise<void> {
    const started = Date.now();
    const broker = await SupervisedProcess.start({
      command: 'java',
      args: [
        ...this.jvmArgs('-Xmx1g', '-Xms256m', ...this.settings.jvmArgs),
        'kafka.Kafka',
        join(this.dir, 'server.properties'),
      ],
      env: this.settings.env,
      logFile: this.logFile,
      dir: this.dir,
      stopGraceMs: this.settings.stopTimeoutMs,
    });
    this.process = broker;
    const died = new AbortController();
    void broker.exited.then((exit) =>
      died.abort(new Error(`the broker exited (code ${exit.code}, signal ${exit.signal})`)),
    );
    try {
      await waitForKafka(this.brokers, {
        timeoutMs: this.settings.startTimeoutMs,
        createTopic: true,
        signal: died.signal,
      });
    } catch (err) {
      await broker.stop(2_000, 'SIGKILL');
      const reason = err instanceof Error ? err.message : String(err);
      throw new StartupError(
        `Kafka (pid ${broker.pid}) did not come up at ${this.brokers.join(',')}: ${reason}\n` +
          `--- last lines of ${this.logFile} ---\n${this.logTail(40)}`,
        { cause: err },
      );
    }
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
