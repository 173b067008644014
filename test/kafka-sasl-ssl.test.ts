import { readFileSync } from 'node:fs';
import { type SaslSslKafkaHandle, createTopic, startKafka, uniqueId } from '@fanout/testing';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { kcat, kcatSaslSsl } from './support/kcat.js';

const log = (message: string): void => {
  process.stderr.write(`[sasl-ssl] ${message}\n`);
};

// A broker of this file's own with a SASL_SSL listener, started in beforeAll.
// With KAFKA_BROKERS given, `npm test` must start no JVM, and a broker we do
// not own has no listener we configured: this file runs only where the
// harness owns Kafka.
describe.runIf(!inject('kafkaExternal'))('the harness broker with a SASL_SSL listener', () => {
  let kafka: SaslSslKafkaHandle;

  beforeAll(async () => {
    const started = Date.now();
    kafka = await startKafka({ ignoreEnv: true, saslSsl: {}, log });
    log(`SASL_SSL broker with its certificates and SCRAM user ready in ${Date.now() - started} ms`);
  });
  afterAll(async () => {
    await kafka?.stop();
  });

  const kafkajs = (password = kafka.saslSsl.password): Kafka => {
    const access = kafka.saslSsl;
    const config: KafkaConfig = {
      clientId: uniqueId('sasl'),
      brokers: access.brokers,
      logLevel: logLevel.NOTHING,
      ssl: { ca: [readFileSync(access.caFile, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username: access.username, password },
      retry: { retries: 0 },
    };
    return new Kafka(config);
  };

  it('kcat produces and consumes over SASL_SSL with SCRAM-SHA-512, records byte-identical', async () => {
    const access = kafka.saslSsl;
    expect(access.brokers[0]).not.toBe(kafka.brokers[0]);
    expect(access.plaintextBrokers).toEqual(kafka.brokers);
    expect(access.mechanism).toBe('SCRAM-SHA-512');
    const topic = await createTopic(access.plaintextBrokers, { partitions: 2 });
    const records = Array.from({ length: 50 }, (_, i) => `key-${i % 7}:value ${i} ✓`);
    const produced = await kcat(
      [...kcatSaslSsl(access), '-P', '-t', topic, '-K', ':', '-X', 'acks=all'],
      `${records.join('\n')}\n`,
    );
    expect(produced.code, produced.stderr).toBe(0);
    const consumed = await kcat([
      ...kcatSaslSsl(access),
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k:%s\\n',
    ]);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stdout.trim().split('\n').sort()).toEqual([...records].sort());
  });

  it('accepts SCRAM-SHA-256 and PLAIN too, with or without the test client certificate', async () => {
    const access = kafka.saslSsl;
    for (const mechanism of ['SCRAM-SHA-256', 'PLAIN', 'SCRAM-SHA-512'] as const) {
      for (const clientCertificate of [false, true]) {
        const listed = await kcat([
          ...kcatSaslSsl(access, { mechanism, clientCertificate }),
          '-L',
          '-m',
          '10',
        ]);
        expect(listed.code, `${mechanism} cert=${clientCertificate}: ${listed.stderr}`).toBe(0);
        expect(listed.stdout).toContain(`sasl_ssl://${access.brokers[0]}`);
      }
    }
  });

  it('kafkajs produces and consumes with TLS and SCRAM-SHA-512', async () => {
    const topic = await createTopic(kafka.saslSsl.plaintextBrokers, { partitions: 1 });
    const client = kafkajs();
    const producer = client.producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'over SASL_SSL' }] });
    const consumed = await kcat([
      ...kcatSaslSsl(kafka.saslSsl),
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%k=%s\\n',
    ]);
    expect(consumed.stdout).toBe('k=over SASL_SSL\n');
  });

  it('rejects a wrong password with an authentication error, from kcat and from kafkajs', async () => {
    const access = kafka.saslSsl;
    const listed = await kcat([...kcatSaslSsl(access, { password: 'not-the-password' }), '-L', '-m', '3']);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toMatch(
      /SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
    );

    const producer = kafkajs('not-the-password').producer();
    const error = await producer.connect().catch((err: unknown) => err);
    expect((error as Error).name).toBe('KafkaJSSASLAuthenticationError');
    expect((error as Error).message).toMatch(/SASL SCRAM SHA512 authentication failed/);
  });

  it('is real TLS: a client that does not trust the test CA is refused', async () => {
    const access = kafka.saslSsl;
    const listed = await kcat([...kcatSaslSsl(access, { trustTestCa: false }), '-L', '-m', '3']);
    expect(listed.code).not.toBe(0);
    expect(listed.stderr).toMatch(/certificate verify failed/);
  });

  it('keeps its addresses, certificates and SCRAM user across a restart', async () => {
    const before = { ...kafka.saslSsl, brokers: [...kafka.saslSsl.brokers] };
    await kafka.restart({ kill: true });
    expect(kafka.saslSsl.brokers).toEqual(before.brokers);
    expect(readFileSync(kafka.saslSsl.caFile, 'utf8')).toBe(readFileSync(before.caFile, 'utf8'));
    const listed = await kcat([...kcatSaslSsl(kafka.saslSsl), '-L', '-m', '10']);
    expect(listed.code, listed.stderr).toBe(0);
  });
});

describe.runIf(!inject('kafkaExternal'))(
  'the harness broker with a SASL_SSL listener requiring client certificates',
  () => {
    let kafka: SaslSslKafkaHandle;

    beforeAll(async () => {
      kafka = await startKafka({
        ignoreEnv: true,
        saslSsl: { clientAuth: 'required', username: 'alice.test', password: 'p@ss word!' },
      });
    });
    afterAll(async () => {
      await kafka?.stop();
    });

    it('accepts the test client certificate with the chosen user, and refuses a client without one', async () => {
      const access = kafka.saslSsl;
      expect([access.username, access.password]).toEqual(['alice.test', 'p@ss word!']);
      const withCertificate = await kcat([
        ...kcatSaslSsl(access, { clientCertificate: true }),
        '-L',
        '-m',
        '10',
      ]);
      expect(withCertificate.code, withCertificate.stderr).toBe(0);
      const without = await kcat([...kcatSaslSsl(access), '-L', '-m', '3']);
      expect(without.code).not.toBe(0);
      expect(without.stderr).toMatch(/certificate required/);
    });
  },
);
