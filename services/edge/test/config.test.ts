import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, settings } from '../src/config.js';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  EDGE_TOPICS: 'prices',
  SESSION_STORE: 'memory',
  AUTH_MODE: 'insecure',
};
const load = (env: Record<string, string>) => loadConfig(env, { nodeId: 'node-1' });

describe('loadConfig', () => {
  it('returns a frozen config with documented defaults', () => {
    const config = load(base);
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.port).toBe(8080);
    expect(config.nodeId).toBe('node-1');
    expect(config.topics).toEqual({ list: ['prices'], refreshMs: 10_000 });
    expect(config.store).toEqual({ kind: 'memory' });
    expect(config.auth).toEqual({ mode: 'insecure' });
    expect(config.limits.maxFrameBytes).toBe(64 * 1024);
    expect(config.ingestWaitMs).toBe(10_000);
  });

  it('reads how long a client ahead of this edge waits for ingest, within bounds', () => {
    expect(load({ ...base, REPLAY_INGEST_WAIT_MS: '2500' }).ingestWaitMs).toBe(2500);
    for (const bad of ['0', '99', '300001', 'soon'])
      expect(() => load({ ...base, REPLAY_INGEST_WAIT_MS: bad }), bad).toThrow(/REPLAY_INGEST_WAIT_MS/);
  });

  it('reports every problem at once', () => {
    let message = '';
    try {
      load({
        EDGE_PORT: 'abc',
        KAFKA_BROKERS: 'nohost',
        MAX_FRAME_BYTES: '1',
        EDGE_SURPRISE: 'x',
        LOG_LEVEL: 'loud',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of [
      'EDGE_PORT',
      'KAFKA_BROKERS',
      'MAX_FRAME_BYTES',
      'EDGE_SURPRISE',
      'LOG_LEVEL',
      'EDGE_TOPICS',
      'SESSION_STORE',
      'AUTH_MODE=jwt',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).toMatch(/invalid configuration \(8 problems\)/);
  });

  it('requires a broker list', () => {
    expect(() => load({ EDGE_TOPICS: 'a', SESSION_STORE: 'memory', AUTH_MODE: 'insecure' })).toThrow(
      /KAFKA_BROKERS: is required/,
    );
  });

  it('chooses redis when REDIS_URL is set and rejects redis without a URL', () => {
    const { SESSION_STORE: _, ...rest } = base;
    expect(load({ ...rest, REDIS_URL: 'redis://127.0.0.1:6379' }).store).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
    });
    expect(() => load({ ...base, SESSION_STORE: 'redis' })).toThrow(/REDIS_URL: is required/);
  });

  it('rejects both a topic list and a pattern, and a bad pattern', () => {
    expect(() => load({ ...base, EDGE_TOPIC_PATTERN: 'p.*' })).toThrow(/set only one/);
    const { EDGE_TOPICS: _, ...rest } = base;
    expect(() => load({ ...rest, EDGE_TOPIC_PATTERN: '(' })).toThrow(/not a valid regular expression/);
    expect(load({ ...rest, EDGE_TOPIC_PATTERN: 'prices\\..*' }).topics.pattern?.test('prices.eu')).toBe(true);
  });

  it('keeps the hard slow-client limit well above the soft one', () => {
    expect(() =>
      load({ ...base, SLOW_CLIENT_BUFFER_BYTES: '1048576', SLOW_CLIENT_HARD_BYTES: '2097152' }),
    ).toThrow(/SLOW_CLIENT_HARD_BYTES/);
  });

  it('reads JWT keys from files and reports unreadable ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-config-'));
    const jwks = join(dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [] }));
    const config = load({ ...base, AUTH_MODE: 'jwt', JWT_JWKS_FILE: jwks, JWT_ISSUER: 'me' });
    expect(config.auth).toMatchObject({
      mode: 'jwt',
      jwks: { keys: [] },
      issuer: 'me',
      channelsClaim: 'channels',
    });
    expect(() => load({ ...base, AUTH_MODE: 'jwt', JWT_PUBLIC_KEY_FILE: join(dir, 'missing.pem') })).toThrow(
      /JWT_PUBLIC_KEY_FILE: cannot read/,
    );
    expect(() => load({ ...base, AUTH_MODE: 'jwt', JWT_HS256_SECRET: 'short' })).toThrow(
      /at least 32 characters/,
    );
  });

  it('reads a JWKS URL with its cache settings and rejects a non-http one', () => {
    const config = load({
      ...base,
      AUTH_MODE: 'jwt',
      JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
    });
    expect(config.auth).toMatchObject({
      jwksUrl: {
        url: 'https://idp.example/.well-known/jwks.json',
        cooldownMs: 30_000,
        cacheMaxAgeMs: 600_000,
        timeoutMs: 5000,
      },
    });
    expect(() => load({ ...base, AUTH_MODE: 'jwt', JWT_JWKS_URL: 'file:///etc/jwks.json' })).toThrow(
      /JWT_JWKS_URL: must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('reads TLS files and compression, and reports incomplete or unreadable TLS settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-config-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    writeFileSync(cert, 'cert');
    writeFileSync(key, 'key');
    const config = load({ ...base, TLS_CERT_FILE: cert, TLS_KEY_FILE: key, WS_COMPRESSION: 'shared' });
    expect(config.tls).toEqual({ certFile: cert, keyFile: key, watch: true });
    expect(config.compression).toBe(true);
    expect(load(base).tls).toBeUndefined();
    expect(load(base).compression).toBe(false);
    expect(() => load({ ...base, TLS_CERT_FILE: cert })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE: set both/);
    expect(() => load({ ...base, TLS_CA_FILE: cert })).toThrow(/TLS_CA_FILE: needs TLS_CERT_FILE/);
    expect(() => load({ ...base, TLS_CERT_FILE: cert, TLS_KEY_FILE: join(dir, 'missing.key') })).toThrow(
      /TLS_KEY_FILE: cannot read/,
    );
    expect(() => load({ ...base, WS_COMPRESSION: 'dedicated' })).toThrow(/WS_COMPRESSION/);
    expect(() => load({ ...base, TLS_CERTFILE: cert })).toThrow(/TLS_CERTFILE: unknown setting/);
  });

  it('documents every setting', () => {
    for (const [name, setting] of Object.entries(settings))
      expect(setting.doc.length, name).toBeGreaterThan(10);
  });
});
