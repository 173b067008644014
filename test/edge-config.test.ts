import { describe, expect, it } from 'vitest';
import { jsonLogs, runEdgeToExit } from './support/edge-process.js';

describe('config', () => {
  it('exits non-zero on a bad environment and names every problem at once', async () => {
    const { code, output } = await runEdgeToExit({
      EDGE_PORT: 'abc',
      MAX_FRAME_BYTES: '1',
      EDGE_TOPICS: 'prices',
      SESSION_STORE: 'memory',
      AUTH_MODE: 'jwt',
      JWT_HS256_SECRET: 'short',
      HEARTBEAT_INTERVAL_MS: '-5',
      EDGE_BOGUS_SETTING: '1',
      // KAFKA_BROKERS missing
    });
    const text = output.join('\n');
    expect(code, text).not.toBe(0);
    expect(code, 'exit code of a config error').toBe(2);
    for (const name of [
      'EDGE_PORT',
      'KAFKA_BROKERS',
      'MAX_FRAME_BYTES',
      'JWT_HS256_SECRET',
      'HEARTBEAT_INTERVAL_MS',
      'EDGE_BOGUS_SETTING',
    ])
      expect(text, `names ${name}`).toContain(name);
    // One fatal message listing them all, and no attempt to start.
    const fatal = jsonLogs(output).filter((l) => l.level === 60);
    expect(fatal).toHaveLength(1);
    expect(String(fatal[0]?.msg)).toMatch(/^invalid configuration \(6 problems\)/);
    // A secret that is set but too short is one problem, not also "no key configured".
    expect(text).not.toContain('set JWT_HS256_SECRET, JWT_PUBLIC_KEY_FILE, JWT_JWKS_FILE or JWT_JWKS_URL');
    expect(text).not.toContain('edge listening');
  });

  it('exits non-zero when neither topics nor a session store are configured', async () => {
    const { code, output } = await runEdgeToExit({ KAFKA_BROKERS: '127.0.0.1:9', AUTH_MODE: 'insecure' });
    const text = output.join('\n');
    expect(code, text).not.toBe(0);
    expect(text).toContain('EDGE_TOPICS or EDGE_TOPIC_PATTERN');
    expect(text).toContain('SESSION_STORE');
  });
});
