import { startContainerKafka } from './container-kafka.js';
import { dockerAvailable } from './docker.js';
import { HarnessError, PrerequisiteError, StartupError } from './errors.js';
import { ExternalService } from './external-service.js';
import { KAFKA_VERSION } from './kafka-dist.js';
import type { KafkaHandle, SaslSslKafkaHandle, SaslSslOptions, StartKafkaOptions } from './kafka-handle.js';
import { waitForKafka } from './kafka-probe.js';
import { LocalKafka } from './local-kafka.js';

const DEFAULT_START_TIMEOUT_MS = 90_000;
const DEFAULT_STOP_TIMEOUT_MS = 15_000;

/**
 * A Kafka broker for tests and development, in this order of preference:
 * 1. `KAFKA_BROKERS` (comma-separated host:port) when set: starts nothing, waits until it answers;
 * 2. a local single-node KRaft broker run with `java` from jars fetched once with `mvn`;
 * 3. when `java`/`mvn` are missing but a Docker engine answers, the `apache/kafka` image.
 * Otherwise it throws a PrerequisiteError naming the packages to install.
 * With `saslSsl` it is always a local broker of its own (2.), with a SASL_SSL listener.
 */
export function startKafka(
  options: StartKafkaOptions & { saslSsl: SaslSslOptions },
): Promise<SaslSslKafkaHandle>;
export function startKafka(options?: StartKafkaOptions): Promise<KafkaHandle>;
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaHandle> {
  const settings = {
    env: options.env ?? process.env,
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    brokerConfig: options.brokerConfig ?? {},
    jvmArgs: options.jvmArgs ?? [],
    log: options.log ?? (() => {}),
    saslSsl: options.saslSsl,
  };
  const fromEnv = options.ignoreEnv ? undefined : settings.env.KAFKA_BROKERS;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    if (settings.saslSsl)
      throw new HarnessError(
        'INVALID_OPTION',
        "saslSsl needs a broker of the harness's own, but KAFKA_BROKERS is set: pass ignoreEnv: true to start one anyway",
      );
    return startExternalKafka(parseBrokerList(fromEnv), settings.startTimeoutMs);
  }
  try {
    return await LocalKafka.start(settings);
  } catch (err) {
    if (!(err instanceof PrerequisiteError) || settings.saslSsl || !(await dockerAvailable(settings.env)))
      throw err;
    settings.log(
      `${err.message}\nA Docker engine answers: using the apache/kafka:${KAFKA_VERSION} image instead`,
    );
    return startContainerKafka(settings.startTimeoutMs);
  }
}

/** Parses KAFKA_BROKERS: `host:port` entries separated by commas, blanks ignored. */
export function parseBrokerList(value: string): string[] {
  const brokers = value
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const invalid = brokers.filter((b) => !/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b));
  if (brokers.length === 0 || invalid.length > 0) {
    throw new HarnessError(
      'INVALID_OPTION',
      `KAFKA_BROKERS must be host:port[,host:port...], got '${value}'`,
    );
  }
  return brokers;
}

async function startExternalKafka(brokers: string[], timeoutMs: number): Promise<KafkaHandle> {
  try {
    await waitForKafka(brokers, { timeoutMs, createTopic: false });
  } catch (err) {
    throw new StartupError(`KAFKA_BROKERS=${brokers.join(',')} does not answer: ${String(err)}`, {
      cause: err,
    });
  }
  return Object.assign(new ExternalService('KAFKA_BROKERS'), { brokers });
}
