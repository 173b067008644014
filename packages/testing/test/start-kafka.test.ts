import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HarnessError, PrerequisiteError } from '../src/errors.js';
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
