import { randomBytes } from 'node:crypto';

/** A broker property value; booleans and numbers are written as Kafka reads them. */
export type BrokerPropertyValue = string | number | boolean;

/** Where a single-node KRaft broker listens and keeps its data. */
export interface LocalBrokerLayout {
  /** Client listener (PLAINTEXT) on 127.0.0.1. */
  port: number;
  /** KRaft controller listener on 127.0.0.1. */
  controllerPort: number;
  /** log.dirs */
  dataDir: string;
}

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
 * The server.properties of a single-node KRaft broker+controller on loopback.
 * `overrides` win over the defaults (not over the listeners and roles).
 */
export function renderServerProperties(
  layout: LocalBrokerLayout,
  overrides: Readonly<Record<string, BrokerPropertyValue>> = {},
): string {
  const fixed: Record<string, BrokerPropertyValue> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${layout.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${layout.port},CONTROLLER://127.0.0.1:${layout.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${layout.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': layout.dataDir,
  };
  const all = { ...FAST_TEST_BROKER_DEFAULTS, ...overrides, ...fixed };
  return `${Object.entries(all)
    .map(([key, value]) => `${key}=${escapePropertyValue(String(value))}`)
    .join('\n')}\n`;
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
