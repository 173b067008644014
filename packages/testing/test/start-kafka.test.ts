import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HarnessError, PrerequisiteError } from '../src/errors.js';
import { startKafkaCluster } from '../src/kafka-cluster.js';
import { parseBrokerList, startKafka } from '../src/start-kafka.js';

describe('parseBrokerList', () => {
  it('splits on commas and trims blanks', () => {
    expect(parseBrokerList('127.0.0.1:9092')).toEqual(['127.0.0.1:9092']);
    expect(parseBrokerList(' a:1 , b.example:9092,,[::1]:9093 ')).toEqual([
      'a:1',
      'b.example:9092',
      '[::1]:9093',
    ]);
  });

  it('rejects entries without a port and empty lists', () => {
    for (const bad of ['', ' , ', 'localhost', 'a:1,b', 'a:port', 'a b:1']) {
      expect(() => parseBrokerList(bad)).toThrow(HarnessError);
    }
  });
});

describe('startKafka without its prerequisites', () => {
  it('names java and mvn, with their Debian packages, in one error', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'fanout-cache-'));
    onTestFinished(() => rmSync(cache, { recursive: true, force: true }));
    const error = await startKafka({ ignoreEnv: true, env: { PATH: '', FANOUT_CACHE_DIR: cache } }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as PrerequisiteError).missing).toEqual([
      { command: 'java', debianPackage: 'openjdk-17-jre-headless' },
      { command: 'mvn', debianPackage: 'maven' },
    ]);
    expect((error as Error).message).toContain('apt-get install -y openjdk-17-jre-headless maven');
    expect((error as Error).message).toContain('KAFKA_BROKERS');
  });
});

describe('startKafka with saslSsl', () => {
  it('refuses KAFKA_BROKERS (a SASL_SSL listener needs a broker of its own) unless told to ignore it', async () => {
    const error = await startKafka({ env: { KAFKA_BROKERS: '127.0.0.1:9' }, saslSsl: {} }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('INVALID_OPTION');
    expect((error as Error).message).toContain('ignoreEnv');
  });

  it('rejects a user name or password the broker config cannot hold, before starting anything', async () => {
    for (const saslSsl of [
      { username: 'a b' },
      { username: '' },
      { password: 'with"quote' },
      { password: 'back\\slash' },
    ]) {
      const error = await startKafka({ ignoreEnv: true, env: { PATH: '' }, saslSsl }).catch(
        (err: unknown) => err,
      );
      expect(error, JSON.stringify(saslSsl)).toBeInstanceOf(HarnessError);
      expect((error as HarnessError).code).toBe('INVALID_OPTION');
    }
  });
});

describe('startKafkaCluster options', () => {
  it('rejects a node count outside 1 to 9', async () => {
    for (const nodes of [0, 10, 2.5]) {
      const error = await startKafkaCluster({ nodes, env: { PATH: '' } }).catch((err: unknown) => err);
      expect((error as HarnessError).code).toBe('INVALID_OPTION');
    }
  });
});
