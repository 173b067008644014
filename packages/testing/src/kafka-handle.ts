import type { BrokerPropertyValue, SaslMechanism } from './kafka-config.js';
import type { ServiceHandle } from './service-handle.js';

/** A running Kafka broker for tests and development. */
export interface KafkaHandle extends ServiceHandle {
  /** Bootstrap addresses, `host:port` (PLAINTEXT, no authentication). */
  readonly brokers: string[];
  /** How to reach the SASL_SSL listener, when startKafka() was given `saslSsl`. */
  readonly saslSsl?: KafkaSaslSslAccess;
}

/** A broker of the harness's own with a SASL_SSL listener. */
export interface SaslSslKafkaHandle extends KafkaHandle {
  readonly saslSsl: KafkaSaslSslAccess;
}

/** Options of the SASL_SSL listener (startKafka's `saslSsl`). */
export interface SaslSslOptions {
  /** The user created for SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN. Letters, digits, `.`, `_`, `-`. Default `fanout`. */
  username?: string;
  /** Its password (printable ASCII, no `"` or `\`). Default: random. */
  password?: string;
  /**
   * Whether the broker asks TLS clients for a certificate: `none`, `requested`
   * (verified against the test CA when presented) or `required`. Default `requested`.
   */
  clientAuth?: 'none' | 'requested' | 'required';
}

/**
 * Everything a client needs for the SASL_SSL listener. The files live in the
 * broker's tmp dir: they exist until stop().
 */
export interface KafkaSaslSslAccess {
  /** SASL_SSL bootstrap addresses, `127.0.0.1:port`. */
  readonly brokers: string[];
  /** The same broker's PLAINTEXT listener (no TLS, no authentication), for admin setup. */
  readonly plaintextBrokers: string[];
  /** The CA certificate (PEM) the server certificate chains to. */
  readonly caFile: string;
  /** The host name the server certificate is valid for besides `127.0.0.1`. */
  readonly serverName: 'localhost';
  /** A client certificate (PEM) signed by the same CA, for mutual TLS. */
  readonly clientCertFile: string;
  /** The client certificate's private key (PEM, unencrypted). */
  readonly clientKeyFile: string;
  readonly username: string;
  readonly password: string;
  /** The mechanism to use unless a test is about another: `SCRAM-SHA-512`. */
  readonly mechanism: 'SCRAM-SHA-512';
  /** Every mechanism the listener accepts for this user. */
  readonly mechanisms: readonly SaslMechanism[];
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
  /**
   * Also open a SASL_SSL listener (TLS with certificates made by `openssl` at
   * start, SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, one user created
   * through the admin API). Needs a broker of the harness's own: with
   * KAFKA_BROKERS set, pass `ignoreEnv: true`.
   */
  saslSsl?: SaslSslOptions;
}
