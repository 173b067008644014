import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FanoutClientError, StateChange } from '../src/index.js';
import { accept, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('close codes', () => {
  it('4401 stops: closed with a typed error carrying the Error frame code and message, and no reconnect loop', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('prices', recorder().handler);
    let final: StateChange<string, unknown> | undefined;
    client.on('state', (c) => {
      if (c.to === 'closed') final = c;
    });
    await tick();
    net.last.serverOpen();
    net.last.serverSend({ error: { code: 200, message: 'bad signature' } });
    net.last.serverClose(4401, 'unauthenticated');
    expect(client.state).toBe('closed');
    const error = final?.error as FanoutClientError;
    expect(error).toMatchObject({
      code: 'connection_stopped',
      closeCode: 4401,
      serverCode: 200,
      retriable: false,
    });
    expect(error.message).toContain('bad signature');
    expect(sub.state).toBe('unsubscribed');
    await tick(3_600_000);
    expect(net.sockets).toHaveLength(1);
  });

  it('a channel-scoped Error before the close is not mistaken for the reason of the stop', async () => {
    const { net, client } = setup();
    const states: StateChange<string, unknown>[] = [];
    client.on('state', (c) => states.push(c));
    await tick();
    net.last.serverOpen();
    net.last.serverSend({
      error: { code: 301, message: 'restored channel old is not served here', channel: 'old' },
    });
    net.last.serverClose(4410);
    expect(states.at(-1)?.error).toMatchObject({ closeCode: 4410, serverCode: undefined });
  });

  it('4401 without a preceding Error still stops with the close code', async () => {
    const { net, client } = setup();
    const states: StateChange<string, unknown>[] = [];
    client.on('state', (c) => states.push(c));
    await accept(net);
    net.last.serverClose(4401);
    expect(states.at(-1)?.error).toMatchObject({ closeCode: 4401, serverCode: undefined });
    await tick(3_600_000);
    expect(net.sockets).toHaveLength(1);
  });

  it('1006 resumes: reconnects with the session id', async () => {
    const { net } = setup();
    const edge = await accept(net, { sessionId: 'sess-1' });
    edge.serverClose(1006);
    await tick(1000);
    const next = await accept(net, { sessionId: 'sess-1', resumed: true });
    expect(next.hello.sessionId).toBe('sess-1');
  });

  it('4100 new-session: reconnects without the session id and re-subscribes after what it delivered', async () => {
    const { net, client } = setup();
    client.subscribe('prices', recorder().handler);
    const edge = await accept(net, { sessionId: 'sess-1' });
    edge.confirm('prices', [{ partition: 0, offset: 4 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 5 });
    await tick();
    edge.serverClose(4100);
    await tick(1000);
    const next = await accept(net, { sessionId: 'sess-2' });
    expect(next.hello.sessionId).toBe('');
    expect(next.frames('subscribe')).toEqual([
      expect.objectContaining({ channel: 'prices', start: 2, after: [{ partition: 0, offset: 5 }] }),
    ]);
    expect(client.sessionId).toBe('sess-2');
  });

  it('4101 taken over: does not fight back; forks a new session from its own delivered positions (START_AFTER) and stores it', async () => {
    const storage = new Map<string, string>();
    const { net, client } = setup({
      storage: {
        get: (k) => storage.get(k) ?? null,
        set: (k, v) => void storage.set(k, v),
        remove: (k) => void storage.delete(k),
      },
    });
    const rec = recorder();
    client.subscribe('prices', rec.handler);
    const edge = await accept(net, { sessionId: 'shared' });
    edge.confirm('prices', [{ partition: 0, offset: 4 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 5 });
    edge.publish({ topic: 'prices', partition: 0, offset: 6 });
    await tick();
    edge.serverSend({ error: { code: 402, message: 'session taken over by a newer connection' } });
    edge.serverClose(4101);
    expect(client.state).toBe('reconnecting');
    await tick(1000);
    const next = await accept(net, { sessionId: 'forked' });
    expect(next.hello.sessionId).toBe('');
    expect(next.frames('subscribe')).toEqual([
      expect.objectContaining({ channel: 'prices', start: 2, after: [{ partition: 0, offset: 6 }] }),
    ]);
    expect(client.sessionId).toBe('forked');
    expect(storage.get('fanout:default')).toContain('forked');
    // Only one connection after the takeover: it never resumed the shared session again.
    expect(net.sockets).toHaveLength(2);
  });

  it('4200 calls getToken again and reconnects with the new token', async () => {
    let n = 0;
    const { net } = setup({ getToken: () => `token-${++n}` });
    const edge = await accept(net);
    expect(edge.hello.token).toBe('token-1');
    edge.serverClose(4200);
    await tick(1000);
    const next = await accept(net, { resumed: true });
    expect(next.hello.token).toBe('token-2');
  });

  it('4200 with a static token stops (it cannot be renewed)', async () => {
    const { net, client } = setup({ token: 'static' });
    await accept(net);
    net.last.serverClose(4200);
    expect(client.state).toBe('closed');
    await tick(60_000);
    expect(net.sockets).toHaveLength(1);
  });

  it("the edge's 1000 ends the client without an error", async () => {
    const { net, client } = setup();
    const states: StateChange<string, unknown>[] = [];
    client.on('state', (c) => states.push(c));
    await accept(net);
    net.last.serverClose(1000);
    expect(states.at(-1)).toMatchObject({ to: 'closed', message: 'closed 1000' });
    expect(states.at(-1)?.error).toBeUndefined();
  });

  it('a malformed frame is reported and the connection replaced (resume)', async () => {
    const { net, client } = setup({ random: () => 0 });
    const errors: FanoutClientError[] = [];
    client.on('error', (e) => errors.push(e));
    const edge = await accept(net);
    edge.serverSendBytes(new Uint8Array([0x0a, 0x05, 0xff]));
    expect(errors.map((e) => e.code)).toEqual(['malformed_frame']);
    expect(edge.closedWith?.code).toBe(4000);
    await tick();
    expect(net.sockets).toHaveLength(2);
  });

  it('an Error frame not tied to a subscription is surfaced as a client error', async () => {
    const { net, client } = setup();
    const errors: FanoutClientError[] = [];
    client.on('error', (e) => errors.push(e));
    const edge = await accept(net);
    edge.serverSend({ error: { code: 106, message: 'slow down', retriable: true } });
    expect(errors).toEqual([
      expect.objectContaining({ code: 'server_error', serverCode: 106, retriable: true }),
    ]);
    expect(client.state).toBe('connected');
  });

  it('4403 (session of another subject) stops and forgets the session id', async () => {
    const storage = new Map<string, string>();
    const { net, client } = setup({
      storage: {
        get: (k) => storage.get(k) ?? null,
        set: (k, v) => void storage.set(k, v),
        remove: (k) => void storage.delete(k),
      },
    });
    await accept(net, { sessionId: 'sess-1' });
    expect(storage.get('fanout:default')).toContain('sess-1');
    net.last.serverSend({ error: { code: 203, message: 'not yours' } });
    net.last.serverClose(4403);
    expect(client.state).toBe('closed');
    expect(storage.get('fanout:default')).toBeUndefined();
  });
});
