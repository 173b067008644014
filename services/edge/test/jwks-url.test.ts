import { startJwksServer } from '@fanout/testing';
import { type CryptoKey, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createAuthenticator } from '../src/auth.js';

interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: object;
}

async function makeKey(kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const sign = (key: TestKey, sub: string) =>
  new SignJWT({ channels: ['prices'] })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key.privateKey);

afterEach(() => {
  vi.useRealTimers();
});

describe('JWKS URL authenticator', () => {
  it('refetches on an unknown kid after the cooldown, keeps cached keys while the provider is down, and fails uncached kids as unavailable', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const [a, b, c, d] = (await Promise.all(['a', 'b', 'c', 'd'].map(makeKey))) as [
      TestKey,
      TestKey,
      TestKey,
      TestKey,
    ];
    const server = await startJwksServer([a.jwk]);
    onTestFinished(() => server.stop());
    const auth = await createAuthenticator({
      mode: 'jwt',
      channelsClaim: 'channels',
      jwksUrl: { url: server.url, cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 2000 },
    });
    expect(server.requests).toBe(1); // warmed at creation
    expect((await auth.authenticate(await sign(a, 'alice'))).subject).toBe('alice');
    expect(server.requests).toBe(1);

    // The provider rotates: a removed, b added. Within the cooldown a new kid
    // is retriable (not yet known), not invalid.
    server.setKeys([b.jwk]);
    await expect(auth.authenticate(await sign(b, 'bob'))).rejects.toMatchObject({
      reason: 'unavailable',
      retriable: true,
    });
    expect(server.requests).toBe(1);
    // After the cooldown the unknown kid triggers one refetch: b verifies, a
    // (gone from the provider's set) is invalid.
    vi.setSystemTime(Date.now() + 31_000);
    expect((await auth.authenticate(await sign(b, 'bob'))).subject).toBe('bob');
    expect(server.requests).toBe(2);
    await expect(auth.authenticate(await sign(a, 'alice'))).rejects.toMatchObject({ reason: 'invalid' });
    expect(server.requests).toBe(2); // cooling down: no fetch per forged kid

    // The provider goes down, and the cache grows stale.
    server.setKeys([b.jwk, d.jwk]);
    await server.stop();
    vi.setSystemTime(Date.now() + 700_000);
    expect((await auth.authenticate(await sign(b, 'bob'))).subject).toBe('bob');
    await expect(auth.authenticate(await sign(c, 'carol'))).rejects.toMatchObject({
      reason: 'unavailable',
      code: 'AUTH_UNAVAILABLE',
    });
    // d is on the (unreachable) provider but not cached: unavailable too.
    vi.setSystemTime(Date.now() + 31_000);
    await expect(auth.authenticate(await sign(d, 'dave'))).rejects.toMatchObject({ reason: 'unavailable' });
    expect((await auth.authenticate(await sign(b, 'bob'))).subject).toBe('bob');
  });

  it('starts while the provider is down and verifies once it answers', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const a = await makeKey('a');
    const server = await startJwksServer([a.jwk]);
    onTestFinished(() => server.stop());
    const url = server.url.replace('/.well-known/', '/missing/');
    const auth = await createAuthenticator({
      mode: 'jwt',
      channelsClaim: 'channels',
      jwksUrl: { url, cooldownMs: 1000, cacheMaxAgeMs: 600_000, timeoutMs: 2000 },
    });
    await expect(auth.authenticate(await sign(a, 'alice'))).rejects.toMatchObject({ reason: 'unavailable' });
    const good = await createAuthenticator({
      mode: 'jwt',
      channelsClaim: 'channels',
      jwksUrl: { url: server.url, cooldownMs: 1000, cacheMaxAgeMs: 600_000, timeoutMs: 2000 },
    });
    expect((await good.authenticate(await sign(a, 'alice'))).subject).toBe('alice');
  });
});
