import type { BrokerPropertyValue } from './kafka-config.js';
import type { ServiceHandle } from './service-handle.js';

/** A running Kafka broker for tests and development. */
export interface KafkaHandle extends ServiceHandle {
  /** Bootstrap addresses, `host:port`. */
  readonly brokers: string[];
}

/** Options of startKafka(). */
export interface StartKafkaOptions {
  /**
   * Environment to read KAFKA_BROKERS, PATH and the cache location from.
   * Default process.env.
   */
  env?: NodeJS.ProcessEnv;
  /** Ignore KAFKA_BROKERS and always start a broker of our own. Default false. */
  ignoreEnv?: boolean;
  /** Deadline for the broker to answer an admin call, in ms. Default 90,000. */
  startTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL when stopping, in ms. Default 15,000. */
  stopTimeoutMs?: number;
  /** Extra broker properties (e.g. `log.segment.bytes` for retention tests); they override the fast-test defaults. */
  brokerConfig?: Readonly<Record<string, BrokerPropertyValue>>;
  /** Extra JVM options, after the defaults (`-Xms256m -Xmx1g`). */
  jvmArgs?: readonly string[];
  /** Progress messages (jar download, startup). Default: silent. */
  log?: (message: string) => void;
}
