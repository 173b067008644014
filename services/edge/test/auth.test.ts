import { generateKeyPairSync } from 'node:crypto';
import { parseChannel } from '@fanout/core';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenError, createAuthenticator } from '../src/auth.js';

const secret = 'a-test-secret-that-is-long-enough-123';
const hs = new TextEncoder().encode(secret);
const channel = (name: string) => {
  const parsed = parseChannel(name);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.channel;
};
const sign = (claims: Record<string, unknown>, expSeconds = 60) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds)
    .sign(hs);

describe('JWT authenticator', () => {
  it('verifies HS256 tokens and compiles the channel claim', async () => {
    const auth = await createAuthenticator({ mode: 'jwt', hs256Secret: secret, channelsClaim: 'channels' });
    const principal = await auth.authenticate(
      await sign({ sub: 'alice', channels: ['prices', 'user:{sub}'] }),
    );
    expect(principal.subject).toBe('alice');
    expect(principal.expiresAtMs).toBeGreaterThan(Date.now());
    expect(principal.acl.allows(channel('prices'))).toBe(true);
    expect(principal.acl.allows(channel('user:alice'))).toBe(true);
    expect(principal.acl.allows(channel('user:bob'))).toBe(false);
    expect(principal.acl.allows(channel('orders'))).toBe(false);
  });

  it('tells expired tokens from invalid ones', async () => {
    const auth = await createAuthenticator({ mode: 'jwt', hs256Secret: secret, channelsClaim: 'channels' });
    await expect(auth.authenticate(await sign({ sub: 'a' }, -10))).rejects.toMatchObject({
      reason: 'expired',
    });
    const forged = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-that-is-long-enough-456'));
    await expect(auth.authenticate(forged)).rejects.toMatchObject({ reason: 'invalid' });
    await expect(auth.authenticate('')).rejects.toBeInstanceOf(TokenError);
    await expect(auth.authenticate('not.a.jwt')).rejects.toMatchObject({ reason: 'invalid' });
    await expect(auth.authenticate(await sign({ channels: ['x'] }))).rejects.toThrow(/no sub/);
    await expect(auth.authenticate(await sign({ sub: 'a', channels: [1] }))).rejects.toThrow(
      /must list strings/,
    );
  });

  it('refuses alg none and a key of the wrong kind', async () => {
    const auth = await createAuthenticator({ mode: 'jwt', hs256Secret: secret, channelsClaim: 'channels' });
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'a' })).toString('base64url');
    await expect(auth.authenticate(`${header}.${body}.`)).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('verifies RS256 tokens with a PEM public key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const auth = await createAuthenticator({
      mode: 'jwt',
      publicKeyPem: pem,
      channelsClaim: 'scope',
      issuer: 'fanout-test',
    });
    const token = await new SignJWT({ sub: 'svc', scope: 'prices:* orders' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('fanout-test')
      .sign(privateKey);
    const principal = await auth.authenticate(token);
    expect(principal.acl.allows(channel('prices:AAPL'))).toBe(true);
    expect(principal.acl.allows(channel('prices'))).toBe(false);
    expect(principal.acl.allows(channel('orders'))).toBe(true);
    const wrongIssuer = await new SignJWT({ sub: 'svc' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('x')
      .sign(privateKey);
    await expect(auth.authenticate(wrongIssuer)).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('insecure mode accepts anyone with every channel', async () => {
    const auth = await createAuthenticator({ mode: 'insecure' });
    const principal = await auth.authenticate('');
    expect(auth.insecure).toBe(true);
    expect(principal.subject).toBe('anonymous');
    expect(principal.acl.allows(channel('anything:at-all'))).toBe(true);
  });
});
