import { ErrorCode } from '@fanout/protocol';
import { waitFor } from '@fanout/testing';
import { describe, expect, it } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { TEST_JWT_SECRET, signToken } from './support/jwt.js';
import { sdkClient } from './support/sdk-client.js';
import { TickProducer, describeTally, exact, sdkEdgeEnv, tally } from './support/sdk-fixtures.js';

const jwtEnv = (topic: string) => sdkEdgeEnv(topic, { AUTH_MODE: 'jwt', JWT_HS256_SECRET: TEST_JWT_SECRET });

/** Waits `ms` and fails if `happened()` becomes true meanwhile (polls; there is no event for "never"). */
async function staysFalse(happened: () => boolean, ms: number, what: string): Promise<void> {
  await expect(
    waitFor(() => happened(), { timeoutMs: ms, intervalMs: 25 }),
    what,
  ).rejects.toThrow(/timed out/);
}

describe('the SDK against an edge with AUTH_MODE=jwt', () => {
  it('a forged token: one attempt, then closed with UNAUTHENTICATED / 4401, no reconnect loop', async () => {
    const ticks = await TickProducer.create(1);
    const edge = await startEdgeProcess(jwtEnv(ticks.topic));
    const forged = await signToken({
      sub: 'mallory',
      channels: [ticks.topic],
      secret: 'not-the-secret-of-this-edge-0123456789',
    });
    for (const via of ['token', 'getToken'] as const) {
      let getTokenCalls = 0;
      const c = sdkClient(ticks.topic, {
        endpoints: [edge.url],
        backoff: { minMs: 50, maxMs: 100 },
        ...(via === 'token'
          ? { token: forged }
          : {
              getToken: () => {
                getTokenCalls++;
                return forged;
              },
            }),
      });
      await waitFor(() => c.client.state === 'closed', { timeoutMs: 10_000, description: `${via}: closed` });
      const final = c.states.at(-1);
      expect(final?.to).toBe('closed');
      expect(final?.error?.code, via).toBe('connection_stopped');
      expect(final?.error?.closeCode, via).toBe(4401);
      expect(final?.error?.serverCode, via).toBe(ErrorCode.UNAUTHENTICATED);
      expect(final?.error?.retriable, via).toBe(false);
      // Backoff is 50-100 ms here: a reconnect loop would show within a second.
      await staysFalse(() => c.attempts.length > 1, 1000, `${via}: a second attempt`);
      expect(c.attempts, via).toHaveLength(1);
      expect(c.connections, via).toEqual([]);
      expect(
        c.states.map((s) => s.to),
        via,
      ).toEqual(['closed']);
      if (via === 'getToken') expect(getTokenCalls).toBe(1);
      process.stderr.write(
        `[auth] forged ${via}: ${c.attempts.length} attempt, closed with ${final?.error?.closeCode} / serverCode ${final?.error?.serverCode}\n`,
      );
    }
  });

  it('a valid token: subscribed, every record exactly once', async () => {
    const ticks = await TickProducer.create(3);
    const edge = await startEdgeProcess(jwtEnv(ticks.topic));
    const token = await signToken({ sub: 'alice', channels: [ticks.topic] });
    const c = sdkClient(ticks.topic, { endpoints: [edge.url], token });
    await waitFor(() => c.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 10_000,
      description: 'subscribed',
    });
    await ticks.produce(100);
    await waitFor(() => c.seqs.length >= 100, { timeoutMs: 10_000, description: '100 records' });
    const t = tally(
      c.seqs,
      ticks.produced.map((p) => p.seq),
    );
    expect(exact(t), describeTally(t)).toBe(true);
    expect(c.attempts).toHaveLength(1);
  });

  it('a token that expires is renewed with getToken() and sent as Refresh, without reconnecting', async () => {
    const ticks = await TickProducer.create(3);
    const edge = await startEdgeProcess(jwtEnv(ticks.topic));
    const tokens: Array<{ at: number; exp: number }> = [];
    // 7 s tokens: the SDK renews after its 5 s minimum, before exp; the edge
    // closes a connection whose token expired (4200) within 250 ms.
    const c = sdkClient(ticks.topic, {
      endpoints: [edge.url],
      getToken: async () => {
        const token = await signToken({ sub: 'alice', channels: [ticks.topic], expiresInSeconds: 7 });
        tokens.push({ at: Date.now(), exp: Date.now() + 7000 });
        return token;
      },
    });
    await waitFor(() => c.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 10_000,
      description: 'subscribed',
    });
    await ticks.produce(30);
    await waitFor(() => tokens.length >= 2, { timeoutMs: 12_000, description: 'getToken called again' });
    const firstExp = tokens[0]?.exp ?? 0;
    // Past the first token's expiry (and the edge's 250 ms check): still the first connection.
    await staysFalse(() => c.attempts.length > 1, firstExp - Date.now() + 1000, 'a reconnect');
    await ticks.produce(30);
    await waitFor(() => c.seqs.length >= 60, { timeoutMs: 10_000, description: '60 records' });
    const t = tally(
      c.seqs,
      ticks.produced.map((p) => p.seq),
    );
    expect(exact(t), describeTally(t)).toBe(true);
    expect(c.attempts).toHaveLength(1);
    expect(c.states.map((s) => s.to)).toEqual(['connected']);
    expect(c.client.state).toBe('connected');
    process.stderr.write(
      `[auth] refresh: ${tokens.length} tokens, renewed ${tokens[1] ? tokens[1].at - (tokens[0]?.at ?? 0) : '-'} ms after the first, 1 connection, ${describeTally(t)}\n`,
    );
  });
});
