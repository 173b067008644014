import { CloseCode, ErrorCode } from '@fanout/protocol';
import { startJwksServer } from '@fanout/testing';
import { type CryptoKey, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { jsonLogs, startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { EdgeErrorFrame, isError } from './support/raw-client.js';

afterAll(closeRedis);

interface ProviderKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: object;
}

async function providerKey(kid: string): Promise<ProviderKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const token = (key: ProviderKey, sub: string, channels: string[]) =>
  new SignJWT({ channels })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject(sub)
    .setIssuer('https://idp.test/')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key.privateKey);

describe('the edge with JWT_JWKS_URL', () => {
  it('follows a key rotation at the provider without a restart; with the provider down, cached keys verify and new kids get AUTH_UNAVAILABLE / 4007', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const [oldKey, newKey, unseenKey] = (await Promise.all(
      ['2026-a', '2026-b', '2026-c'].map(providerKey),
    )) as [ProviderKey, ProviderKey, ProviderKey];
    const provider = await startJwksServer([oldKey.jwk]);
    onTestFinished(() => provider.stop());
    const edge = await startEdgeProcess(
      edgeEnv(topic, {
        AUTH_MODE: 'jwt',
        JWT_JWKS_URL: provider.url,
        JWT_ISSUER: 'https://idp.test/',
        // Every verification asks the provider (cache max age 0, no cooldown),
        // so each step below exercises the fetch, not a cache hit.
        JWT_JWKS_COOLDOWN_MS: '0',
        JWT_JWKS_CACHE_MAX_AGE_MS: '0',
        JWT_JWKS_TIMEOUT_MS: '2000',
      }),
    );
    const hello = async (key: ProviderKey, sub: string) => {
      const c = await connect(edge.url, { name: sub });
      try {
        await c.hello({ token: await token(key, sub, [topic]) });
        return { client: c, error: undefined, close: undefined };
      } catch (err) {
        if (!(err instanceof EdgeErrorFrame)) throw err;
        return { client: c, error: err.frame, close: await c.waitForClose() };
      }
    };

    // Before the rotation: the provider's key verifies.
    const before = await hello(oldKey, 'alice');
    expect(before.error).toBeUndefined();
    expect(isError(await before.client.subscribe(topic))).toBe(false);

    // The provider rotates (old key removed, new key published): tokens with
    // the new kid verify at once, tokens with the removed one are refused for good.
    provider.setKeys([newKey.jwk]);
    const rotated = await hello(newKey, 'bob');
    expect(rotated.error).toBeUndefined();
    const removed = await hello(oldKey, 'alice');
    expect(removed.error?.code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(removed.close?.code).toBe(CloseCode.UNAUTHENTICATED);
    // A connection authenticated before the rotation keeps its session.
    expect(before.client.close).toBeUndefined();

    // The provider goes down.
    const requestsBefore = provider.requests;
    await provider.stop();
    const cached = await hello(newKey, 'bob');
    expect(cached.error, 'a cached key verifies while the provider is down').toBeUndefined();
    const unseen = await hello(unseenKey, 'carol');
    expect(unseen.error?.code).toBe(ErrorCode.AUTH_UNAVAILABLE);
    expect(unseen.close?.code).toBe(CloseCode.AUTH_UNAVAILABLE);
    expect(requestsBefore).toBeGreaterThanOrEqual(3);
    expect(
      jsonLogs(edge.logs()).some((l) => l.msg === 'JWKS fetch failed; verifying with the cached keys'),
    ).toBe(true);
    process.stderr.write(
      `[jwks] rotation: new kid ${rotated.error ? 'refused' : 'accepted'}, removed kid ${removed.error?.code}/${removed.close?.code}; provider down: cached kid ${cached.error ? 'refused' : 'accepted'}, unseen kid ${unseen.error?.code}/${unseen.close?.code}; ${requestsBefore} JWKS requests\n`,
    );
  });
});
