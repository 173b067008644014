import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError, StartupError } from './errors.js';
import { requirePrograms } from './find-executable.js';
import { freePorts } from './free-port.js';
import {
  type BrokerPropertyValue,
  type LocalBrokerLayout,
  SASL_MECHANISMS,
  newClusterId,
} from './kafka-config.js';
import { type KafkaDist, ensureKafkaDist } from './kafka-dist.js';
import type { KafkaHandle, KafkaSaslSslAccess, SaslSslOptions } from './kafka-handle.js';
import { KafkaNode, type KafkaNodeSettings } from './kafka-node.js';
import { waitForKafka } from './kafka-probe.js';
import { authenticate, upsertScramUser } from './scram-user.js';
import { createTestCertificates } from './test-certificates.js';
import { waitFor } from './wait-for.js';

/** startKafka()'s settings once defaults are applied. */
export interface LocalKafkaSettings extends KafkaNodeSettings {
  brokerConfig: Readonly<Record<string, BrokerPropertyValue>>;
  saslSsl: SaslSslOptions | undefined;
}

const BIND_ATTEMPTS = 3;

/** A single-node KRaft broker run from the cached jars, in its own tmp dir. */
export class LocalKafka extends KafkaNode implements KafkaHandle {
  saslSsl: KafkaSaslSslAccess | undefined;

  /** Fetches the jars if needed, formats a fresh storage dir and starts the broker. */
  static async start(settings: LocalKafkaSettings): Promise<LocalKafka> {
    const user = settings.saslSsl ? saslUser(settings.saslSsl) : undefined;
    // First the jars: when they must be fetched it names java and mvn at once.
    const dist = await ensureKafkaDist(settings.env, settings.log);
    requirePrograms(
      'Running Kafka without Docker',
      [
        { command: 'java', debianPackage: 'openjdk-17-jre-headless' },
        ...(user ? [{ command: 'openssl', debianPackage: 'openssl' }] : []),
      ],
      'Or set KAFKA_BROKERS to use a running broker.',
      settings.env.PATH,
    );
    const dir = mkdtempSync(join(tmpdir(), 'fanout-kafka-'));
    const [port, controllerPort, saslPort] = (await freePorts(3)) as [number, number, number];
    const kafka = new LocalKafka(settings, dist, dir, { port, controllerPort, dataDir: join(dir, 'data') });
    try {
      if (settings.saslSsl && user) await kafka.addSaslSsl(settings.saslSsl, user, saslPort);
      await kafka.format();
      await kafka.launchOnFreePorts();
      if (user) await kafka.createUser(user);
      return kafka;
    } catch (err) {
      await kafka.stop();
      throw err;
    }
  }

  private constructor(settings: LocalKafkaSettings, dist: KafkaDist, dir: string, layout: LocalBrokerLayout) {
    super(settings, dist, dir, {
      layout,
      clusterId: newClusterId(),
      brokerConfig: settings.brokerConfig,
      baseJvmArgs: ['-Xmx1g', '-Xms256m'],
      ready: (node, died) =>
        waitForKafka(node.brokers, { timeoutMs: settings.startTimeoutMs, createTopic: true, signal: died }),
      what: 'Kafka',
    });
  }

  private async addSaslSsl(
    options: SaslSslOptions,
    user: { username: string; password: string },
    port: number,
  ): Promise<void> {
    const certs = await createTestCertificates(join(this.dir, 'tls'), this.settings.env);
    this.layout = {
      ...this.layout,
      saslSsl: {
        port,
        keystoreFile: certs.serverKeystoreFile,
        keystorePassword: certs.keystorePassword,
        truststoreFile: certs.caFile,
        clientAuth: options.clientAuth ?? 'requested',
        plainUsers: { [user.username]: user.password },
      },
    };
    const kafka = this;
    this.saslSsl = {
      get brokers() {
        return [`127.0.0.1:${kafka.layout.saslSsl?.port}`];
      },
      get plaintextBrokers() {
        return kafka.brokers;
      },
      caFile: certs.caFile,
      serverName: 'localhost',
      clientCertFile: certs.clientCertFile,
      clientKeyFile: certs.clientKeyFile,
      ...user,
      mechanism: 'SCRAM-SHA-512',
      mechanisms: SASL_MECHANISMS,
    };
  }

  // The SCRAM credentials live in the cluster metadata (they survive restarts);
  // the broker learns them from the metadata log a moment after the call.
  private async createUser(user: { username: string; password: string }): Promise<void> {
    const access = this.saslSsl as KafkaSaslSslAccess;
    const [plaintext] = this.brokers as [string];
    const [secure] = access.brokers as [string];
    await upsertScramUser(plaintext, user.username, user.password);
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      await waitFor(
        () =>
          authenticate(secure, {
            mechanism,
            ...user,
            caFile: access.caFile,
            // Whatever the listener's clientAuth.
            clientCertFile: access.clientCertFile,
            clientKeyFile: access.clientKeyFile,
          }).then(() => true),
        {
          timeoutMs: this.settings.startTimeoutMs,
          intervalMs: 100,
          description: `a ${mechanism} login of '${user.username}' on the SASL_SSL listener ${secure}`,
        },
      ).catch((err: unknown) => {
        throw new StartupError(`${String(err)}\n--- last lines of ${this.logFile} ---\n${this.logTail(40)}`, {
          cause: err,
        });
      });
    }
  }

  // Free ports can be taken by someone else between picking and binding:
  // pick new ones and try again when the broker says so.
  private async launchOnFreePorts(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.start();
      } catch (err) {
        if (!this.bindFailed() || attempt >= BIND_ATTEMPTS) throw err;
        this.layout = await newPorts(this.layout);
      }
    }
  }
}

// The layout on new free ports (its SASL_SSL listener's too, if any).
async function newPorts(previous: LocalBrokerLayout): Promise<LocalBrokerLayout> {
  const [port, controllerPort, saslPort] = (await freePorts(3)) as [number, number, number];
  const layout: LocalBrokerLayout = { ...previous, port, controllerPort };
  if (previous.saslSsl) layout.saslSsl = { ...previous.saslSsl, port: saslPort };
  return layout;
}

const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;
const PASSWORD = /^[\x20-\x7e]{1,128}$/;

function saslUser(options: SaslSslOptions): { username: string; password: string } {
  const username = options.username ?? 'fanout';
  const password = options.password ?? randomBytes(12).toString('hex');
  if (!USERNAME.test(username))
    throw new HarnessError(
      'INVALID_OPTION',
      `saslSsl.username must be 1-64 of [A-Za-z0-9._-], got '${username}'`,
    );
  if (!PASSWORD.test(password) || /["\\]/.test(password))
    throw new HarnessError(
      'INVALID_OPTION',
      'saslSsl.password must be 1-128 printable ASCII characters without " or \\',
    );
  if (options.clientAuth !== undefined && !['none', 'requested', 'required'].includes(options.clientAuth))
    throw new HarnessError(
      'INVALID_OPTION',
      `saslSsl.clientAuth must be none, requested or required, got '${options.clientAuth}'`,
    );
  return { username, password };
}
