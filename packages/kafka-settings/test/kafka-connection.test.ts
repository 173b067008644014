import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KafkaSettingsError, kafkaConnectionFromEnv, toKafkajsConfig } from '../src/index.js';

const defaults = { clientId: 'tool' };

function problems(env: Record<string, string>): string[] {
  try {
    kafkaConnectionFromEnv(env, defaults);
  } catch (err) {
    if (err instanceof KafkaSettingsError) return err.problems;
    throw err;
  }
  return [];
}

describe('kafkaConnectionFromEnv', () => {
  it('plaintext by default', () => {
    const c = kafkaConnectionFromEnv({ KAFKA_BROKERS: 'a:9092, b:9093' }, defaults);
    expect(c).toEqual({ brokers: ['a:9092', 'b:9093'], clientId: 'tool', protocol: 'PLAINTEXT' });
    expect(toKafkajsConfig(c)).toEqual({ brokers: ['a:9092', 'b:9093'], clientId: 'tool' });
  });

  it('SASL_SSL with SCRAM, a CA file and a password file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-settings-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    writeFileSync(join(dir, 'password'), 's3cret\n');
    const c = kafkaConnectionFromEnv(
      {
        KAFKA_BROKERS: 'kafka.example:9094',
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_TLS_CA_FILE: join(dir, 'ca.pem'),
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'edge',
        KAFKA_SASL_PASSWORD_FILE: join(dir, 'password'),
      },
      defaults,
    );
    expect(c.tls).toEqual({ ca: 'CA PEM' });
    expect(c.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'edge', password: 's3cret' });
    expect(toKafkajsConfig(c)).toMatchObject({
      ssl: { ca: ['CA PEM'] },
      sasl: { mechanism: 'scram-sha-512', username: 'edge', password: 's3cret' },
    });
  });

  it('reports every problem at once', () => {
    expect(
      problems({
        KAFKA_BROKERS: 'nohost',
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        KAFKA_TLS_CA_FILE: '/nonexistent/ca.pem',
        KAFKA_TLS_CERT_FILE: '/nonexistent/cert.pem',
      }),
    ).toEqual([
      'KAFKA_BROKERS: must be host:port',
      'KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE: set both or neither',
      'KAFKA_SASL_USERNAME: is required with SCRAM-SHA-256',
      'KAFKA_SASL_PASSWORD: is required with SCRAM-SHA-256 (or KAFKA_SASL_PASSWORD_FILE)',
      expect.stringMatching(/^KAFKA_TLS_CA_FILE: cannot read \/nonexistent\/ca.pem/),
      expect.stringMatching(/^KAFKA_TLS_CERT_FILE: cannot read/),
    ]);
  });

  it('refuses settings that the protocol would ignore, and a mechanism without SASL', () => {
    expect(
      problems({
        KAFKA_BROKERS: 'a:1',
        KAFKA_TLS_CA_FILE: '/x',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SECURITY_PROTOCOL: 'PLAINTEXT',
      }),
    ).toEqual([
      'KAFKA_TLS_CA_FILE: needs KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL (it is PLAINTEXT)',
      'KAFKA_SASL_MECHANISM: needs KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT or SASL_SSL (it is PLAINTEXT)',
    ]);
    expect(problems({ KAFKA_BROKERS: 'a:1', KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT' })).toEqual([
      'KAFKA_SASL_MECHANISM: is required with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT',
    ]);
    expect(problems({ KAFKA_BROKERS: 'a:1', KAFKA_SECURITY_PROTOCOL: 'TLS' })[0]).toMatch(
      /^KAFKA_SECURITY_PROTOCOL: /,
    );
    expect(problems({})).toEqual(['KAFKA_BROKERS: is required']);
  });
});
