import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FanoutClientError } from '../src/index.js';
import { refreshDelay, tokenExpiry } from '../src/token.js';
import { accept, setup, tick } from './support/harness.js';
import { jwt } from './support/jwt.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('token expiry', () => {
  it('reads exp from a JWT payload (base64url, no padding) without verifying', () => {
    expect(tokenExpiry(jwt({ sub: 'ü?>>', exp: 1_700_000_600 }))).toBe(1_700_000_600);
    expect(tokenExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(tokenExpiry('not a jwt')).toBeUndefined();
    expect(tokenExpiry('a.%%%.c')).toBeUndefined();
    expect(tokenExpiry(jwt({ exp: '600' }))).toBeUndefined();
  });

  it('refreshes at 85% of the remaining lifetime or 30 s before exp, whichever is first, at least 5 s away', () => {
    const now = 1_700_000_000_000;
    expect(refreshDelay(jwt({ exp: now / 1000 + 600 }), now)).toBe(510_000);
    expect(refreshDelay(jwt({ exp: now / 1000 + 60 }), now)).toBe(30_000);
    expect(refreshDelay(jwt({ exp: now / 1000 + 10 }), now)).toBe(5_000);
    expect(refreshDelay(jwt({ exp: now / 1000 - 10 }), now)).toBe(5_000);
    expect(refreshDelay(jwt({}), now)).toBeUndefined();
  });
});

describe('token refresh', () => {
  it('calls getToken before exp and sends Refresh without reconnecting', async () => {
    const tokens: string[] = [];
    const getToken = vi.fn(async () => {
      const token = jwt({ sub: 'u', exp: nowSeconds() + 600, n: tokens.length });
      tokens.push(token);
      return token;
    });
    const { net } = setup({ getToken });
    const edge = await accept(net);
    expect(edge.hello.token).toBe(tokens[0]);
    await tick(509_999);
    expect(getToken).toHaveBeenCalledTimes(1);
    await tick(1);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(edge.frames('refresh')).toEqual([{ token: tokens[1] }]);
    await tick(510_000);
    expect(edge.frames('refresh')).toEqual([{ token: tokens[1] }, { token: tokens[2] }]);
    expect(net.sockets).toHaveLength(1);
    expect(edge.closedWith).toBeUndefined();
  });

  it('a static token is never refreshed', async () => {
    const { net } = setup({ token: jwt({ exp: nowSeconds() + 60 }) });
    const edge = await accept(net);
    await tick(120_000);
    expect(edge.frames('refresh')).toEqual([]);
  });

  it('a failing getToken at connect is reported and retried with backoff', async () => {
    let calls = 0;
    const { net, client } = setup({
      random: () => 0.999,
      getToken: () => {
        calls++;
        if (calls === 1) throw new Error('auth server down');
        return 'tok';
      },
    });
    const errors: FanoutClientError[] = [];
    client.on('error', (e) => errors.push(e));
    await tick();
    expect(net.sockets).toHaveLength(0);
    expect(errors).toEqual([expect.objectContaining({ code: 'token_failed', retriable: true })]);
    expect(client.state).toBe('reconnecting');
    await tick(499);
    const edge = await accept(net);
    expect(edge.hello.token).toBe('tok');
  });

  it('a failing refresh is reported and retried; the connection stays', async () => {
    let calls = 0;
    const { net, client } = setup({
      getToken: () => {
        calls++;
        if (calls === 2) throw new Error('flaky');
        return jwt({ exp: nowSeconds() + 60 });
      },
    });
    const errors: FanoutClientError[] = [];
    client.on('error', (e) => errors.push(e));
    const edge = await accept(net);
    await tick(30_000);
    expect(errors.map((e) => e.code)).toEqual(['token_failed']);
    expect(edge.frames('refresh')).toEqual([]);
    await tick(5_000);
    expect(edge.frames('refresh')).toHaveLength(1);
  });
});
