import { randomBytes } from 'node:crypto';

/** A broker property value; booleans and numbers are written as Kafka reads them. */
export type BrokerPropertyValue = string | number | boolean;

/** Where a KRaft broker+controller node listens and keeps its data. */
export interface LocalBrokerLayout {
  /** Client listener (PLAINTEXT, also used between brokers) on 127.0.0.1. */
  port: number;
  /** KRaft controller listener on 127.0.0.1. */
  controllerPort: number;
  /** log.dirs */
  dataDir: string;
  /** node.id. Default 1. */
  nodeId?: number;
  /** Every KRaft voter of the cluster, this node included. Default: this node alone. */
  voters?: readonly KafkaVoter[];
  /** An extra SASL_SSL client listener, when set. */
  saslSsl?: SaslSslListener;
}

/** A KRaft controller quorum member on 127.0.0.1. */
export interface KafkaVoter {
  nodeId: number;
  controllerPort: number;
}

/** The SASL mechanisms a SASL_SSL listener of the harness accepts. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** One of {@link SASL_MECHANISMS}. */
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** A SASL_SSL client listener: TLS with the server's PKCS#12 keystore, then SASL. */
export interface SaslSslListener {
  /** Port on 127.0.0.1. */
  port: number;
  /** PKCS#12 file holding the server's key and certificate chain. */
  keystoreFile: string;
  /** Password of the keystore and of the key in it. */
  keystorePassword: string;
  /** PEM CA certificate(s) that client certificates must chain to. */
  truststoreFile: string;
  /** Whether clients present a certificate: `none`, `requested` (checked if sent) or `required`. */
  clientAuth: 'none' | 'requested' | 'required';
  /** The users SASL/PLAIN accepts (name → password). SCRAM users live in the cluster metadata. */
  plainUsers: Readonly<Record<string, string>>;
}

/**
 * Settings of a replicated test cluster (startKafkaCluster): replication 3
 * and 2 in-sync replicas for every topic, the internal ones included, and
 * quick fencing of a dead broker (3 s without heartbeats instead of 9 s), so
 * leadership moves soon after a node is killed. The log cleaner's dedupe
 * buffer is 16 MB instead of 128 MB: it lives on the heap, which is 256 MB per
 * node (a restarted node recovering its logs ran out of heap with 128 MB).
 */
export const CLUSTER_BROKER_DEFAULTS: Readonly<Record<string, BrokerPropertyValue>> = Object.freeze({
  'offsets.topic.replication.factor': 3,
  'transaction.state.log.replication.factor': 3,
  'transaction.state.log.min.isr': 2,
  'default.replication.factor': 3,
  'min.insync.replicas': 2,
  'broker.heartbeat.interval.ms': 500,
  'broker.session.timeout.ms': 3_000,
  'num.replica.fetchers': 1,
  'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
});

/**
 * Settings for fast tests on one small machine: one replica everywhere, no
 * group join delay, no topic auto-creation (tests create their own, uniquely
 * named), few internal partitions and threads.
 */
export const FAST_TEST_BROKER_DEFAULTS: Readonly<Record<string, BrokerPropertyValue>> = Object.freeze({
  'offsets.topic.replication.factor': 1,
  'offsets.topic.num.partitions': 5,
  'transaction.state.log.replication.factor': 1,
  'transaction.state.log.min.isr': 1,
  'transaction.state.log.num.partitions': 5,
  'group.initial.rebalance.delay.ms': 0,
  'auto.create.topics.enable': false,
  'num.partitions': 3,
  'default.replication.factor': 1,
  'min.insync.replicas': 1,
  'num.network.threads': 2,
  'num.io.threads': 4,
  'num.recovery.threads.per.data.dir': 1,
  'log.cleaner.threads': 1,
  // Compaction tests wait for the cleaner: look for dirty logs every second, not every 15.
  'log.cleaner.backoff.ms': 1000,
  'delete.topic.enable': true,
});

/**
 * The server.properties of a KRaft broker+controller node on loopback (a
 * single node unless `layout.voters` names more). `overrides` win over the
 * defaults (not over the listeners, roles and security settings).
 */
export function renderServerProperties(
  layout: LocalBrokerLayout,
  overrides: Readonly<Record<string, BrokerPropertyValue>> = {},
): string {
  const nodeId = layout.nodeId ?? 1;
  const voters = layout.voters ?? [{ nodeId, controllerPort: layout.controllerPort }];
  const listeners = [
    `PLAINTEXT://127.0.0.1:${layout.port}`,
    `CONTROLLER://127.0.0.1:${layout.controllerPort}`,
  ];
  const advertised = [`PLAINTEXT://127.0.0.1:${layout.port}`];
  const protocols = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
  if (layout.saslSsl) {
    listeners.push(`SASL_SSL://127.0.0.1:${layout.saslSsl.port}`);
    advertised.push(`SASL_SSL://127.0.0.1:${layout.saslSsl.port}`);
    protocols.push('SASL_SSL:SASL_SSL');
  }
  const fixed: Record<string, BrokerPropertyValue> = {
    'process.roles': 'broker,controller',
    'node.id': nodeId,
    'controller.quorum.voters': voters.map((v) => `${v.nodeId}@127.0.0.1:${v.controllerPort}`).join(','),
    listeners: listeners.join(','),
    'advertised.listeners': advertised.join(','),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': protocols.join(','),
    'log.dirs': layout.dataDir,
    ...(layout.saslSsl ? saslSslProperties(layout.saslSsl) : {}),
  };
  const all = { ...FAST_TEST_BROKER_DEFAULTS, ...overrides, ...fixed };
  return `${Object.entries(all)
    .map(([key, value]) => `${key}=${escapePropertyValue(String(value))}`)
    .join('\n')}\n`;
}

// Everything scoped to the SASL_SSL listener (listener.name.sasl_ssl.*): the
// PLAINTEXT and CONTROLLER listeners stay open and unauthenticated.
function saslSslProperties(listener: SaslSslListener): Record<string, BrokerPropertyValue> {
  const prefix = 'listener.name.sasl_ssl';
  const plainUsers = Object.entries(listener.plainUsers)
    .map(([user, password]) => ` user_${user}="${password}"`)
    .join('');
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return {
    [`${prefix}.sasl.enabled.mechanisms`]: SASL_MECHANISMS.join(','),
    [`${prefix}.plain.sasl.jaas.config`]: `org.apache.kafka.common.security.plain.PlainLoginModule required${plainUsers};`,
    [`${prefix}.scram-sha-256.sasl.jaas.config`]: scram,
    [`${prefix}.scram-sha-512.sasl.jaas.config`]: scram,
    [`${prefix}.ssl.keystore.type`]: 'PKCS12',
    [`${prefix}.ssl.keystore.location`]: listener.keystoreFile,
    [`${prefix}.ssl.keystore.password`]: listener.keystorePassword,
    [`${prefix}.ssl.key.password`]: listener.keystorePassword,
    [`${prefix}.ssl.truststore.type`]: 'PEM',
    [`${prefix}.ssl.truststore.location`]: listener.truststoreFile,
    [`${prefix}.ssl.client.auth`]: listener.clientAuth,
  };
}

/** log4j 1.x configuration: everything at INFO to stdout (which the harness sends to a file). */
export function renderLog4jProperties(): string {
  return [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.authorizer.logger=WARN',
    '',
  ].join('\n');
}

/**
 * A KRaft cluster id as Kafka's Uuid writes it: 16 random bytes, base64url
 * without padding (22 chars). Like Kafka's own generator it avoids the
 * reserved ids (zero, metadata topic) and a leading '-', which a command line
 * would take for an option.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const bytes = random(16);
    const reserved = bytes.subarray(0, 15).every((b) => b === 0) && (bytes[15] ?? 0) <= 1;
    const id = bytes.toString('base64url');
    if (!reserved && !id.startsWith('-')) return id;
  }
}

// Backslashes are escapes in .properties files (paths on Windows, user values).
function escapePropertyValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
