import { ErrorCode } from '@fanout/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientState, StateChange, SubscriptionState } from '../src/index.js';
import { accept, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const brief = (c: StateChange<string, unknown>) => `${c.from}>${c.to}: ${c.message}`;

describe('connection state machine', () => {
  it('connecting → connected → reconnecting → connected → closed, each transition emitted once with its reason', async () => {
    const { net, client } = setup();
    const changes: StateChange<ClientState>[] = [];
    client.on('state', (c) => changes.push(c));
    expect(client.state).toBe('connecting');
    const edge = await accept(net);
    expect(client.state).toBe('connected');
    edge.serverClose(1006);
    // Two failed attempts in a row stay in `reconnecting`.
    await tick(20_000);
    net.last.serverClose(1006);
    await tick(20_000);
    const again = await accept(net, { resumed: true });
    await client.close();
    expect(changes.map(brief)).toEqual([
      'connecting>connected: session created',
      'connected>reconnecting: closed 1006',
      'reconnecting>connected: session resumed',
      'connected>closed: client closed',
    ]);
    expect(again.closedWith).toEqual({ code: 1000, reason: 'client closed' });
  });

  it('goes from connecting to reconnecting when the first attempt fails', async () => {
    const { net, client } = setup();
    const changes: string[] = [];
    client.on('state', (c) => changes.push(brief(c)));
    await tick();
    net.last.serverClose(1006, 'refused');
    expect(changes).toEqual(['connecting>reconnecting: closed 1006 refused']);
    expect(client.state).toBe('reconnecting');
  });

  it('emits connected with the session and endpoint on each Welcome', async () => {
    const { net, client } = setup();
    const connected: unknown[] = [];
    client.on('connected', (e) => connected.push(e));
    await accept(net, { sessionId: 's-1', nodeId: 'n-1' });
    expect(connected).toEqual([{ sessionId: 's-1', resumed: false, nodeId: 'n-1', endpoint: 'ws://edge-a' }]);
    expect(client.sessionId).toBe('s-1');
  });

  it('a listener that throws does not break the client', async () => {
    const { net, client } = setup();
    client.on('state', () => {
      throw new Error('listener bug');
    });
    await accept(net);
    expect(client.state).toBe('connected');
  });

  it('sets binaryType arraybuffer and sends Hello first', async () => {
    const { net } = setup({ token: 'tok' });
    const edge = await accept(net);
    expect(edge.binaryType).toBe('arraybuffer');
    expect(edge.sent[0]?.kind).toBe('hello');
    expect(edge.hello).toMatchObject({
      token: 'tok',
      sessionId: '',
      clientName: 'fanout-js',
      protocolVersion: 1,
    });
  });
});

describe('subscription states', () => {
  it('subscribing → subscribed → resuming (disconnected) → subscribed → unsubscribed', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('prices', recorder().handler);
    const changes: StateChange<SubscriptionState>[] = [];
    sub.on('state', (c) => changes.push(c));
    let edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 4 }]);
    edge.serverClose(1006);
    await tick(1000);
    edge = await accept(net, { resumed: true, subscriptions: [{ channel: 'prices' }] });
    edge.subscribed({ requestId: 0, channel: 'prices', positions: [{ partition: 0, offset: 4 }] });
    sub.unsubscribe();
    expect(changes.map(brief)).toEqual([
      'subscribing>subscribed: subscribed',
      'subscribed>resuming: disconnected',
      'resuming>subscribed: resumed',
      'subscribed>unsubscribed: unsubscribe',
    ]);
    expect(edge.frames('unsubscribe')).toEqual([expect.objectContaining({ channel: 'prices' })]);
    expect(edge.frames('unsubscribe')[0]?.requestId).not.toBe(0);
    edge.serverSend({
      unsubscribed: { requestId: edge.frames('unsubscribe')[0]?.requestId, channel: 'prices' },
    });
    expect(client.subscription('prices')).toBeUndefined();
  });

  it('a refused subscription fails with the error; the connection stays open', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('secret', recorder().handler);
    const errors: unknown[] = [];
    sub.on('error', (e) => errors.push(e.error));
    const edge = await accept(net);
    const requestId = edge.frames('subscribe')[0]?.requestId;
    edge.serverSend({ error: { code: 202, message: 'forbidden', requestId, channel: 'secret' } });
    expect(sub.state).toBe('failed');
    expect(errors).toEqual([
      expect.objectContaining({ code: 'subscribe_failed', serverCode: 202, retriable: false }),
    ]);
    expect(client.state).toBe('connected');
    expect(edge.closedWith).toBeUndefined();
    // The channel is free again.
    client.subscribe('secret', recorder().handler);
  });

  it('a subscription the edge revokes (refreshed token no longer allows it) fails, even when live', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('secret', recorder().handler);
    const other = client.subscribe('prices', recorder().handler);
    const edge = await accept(net);
    edge.confirm('secret', [{ partition: 0, offset: 0 }]);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.serverSend({ error: { code: 202, message: 'no longer allowed', channel: 'secret' } });
    expect(sub.state).toBe('failed');
    expect(other.state).toBe('subscribed');
    expect(client.state).toBe('connected');
    // An ack-level error naming a live channel does not end it.
    edge.serverSend({ error: { code: 306, message: 'ack beyond delivered', channel: 'prices' } });
    expect(other.state).toBe('subscribed');
  });

  it('a retriable refusal is retried with backoff', async () => {
    const { net, client } = setup({ random: () => 0.999 });
    const sub = client.subscribe('prices', recorder().handler);
    const edge = await accept(net);
    const first = edge.frames('subscribe')[0]!;
    edge.serverSend({
      error: { code: 601, message: 'kafka down', requestId: first.requestId, retriable: true },
    });
    expect(sub.state).toBe('subscribing');
    await tick(498);
    expect(edge.frames('subscribe')).toHaveLength(1);
    await tick(2);
    expect(edge.frames('subscribe')).toHaveLength(2);
    expect(edge.frames('subscribe')[1]?.requestId).not.toBe(first.requestId);
  });

  it('UNKNOWN_TOPIC with retriable (a topic the edge serves once it exists) is retried with backoff until it succeeds; without, it fails', async () => {
    const { net, client } = setup({ random: () => 0.999 });
    const waiting = client.subscribe('orders', recorder().handler);
    const never = client.subscribe('nope', recorder().handler);
    const edge = await accept(net);
    const [orders, nope] = edge.frames('subscribe');
    const unknown = (requestId: number, retriable: boolean) =>
      edge.serverSend({
        error: { code: ErrorCode.UNKNOWN_TOPIC, message: 'no topic yet', requestId, retriable },
      });
    unknown(orders!.requestId, true);
    unknown(nope!.requestId, false);
    expect(never.state).toBe('failed');
    await tick(500);
    const retries = () => edge.frames('subscribe').filter((f) => f.channel === 'orders');
    expect(retries()).toHaveLength(2);
    unknown(retries()[1]!.requestId, true);
    expect(retries()).toHaveLength(2);
    await tick(1000);
    expect(retries()).toHaveLength(3);
    edge.serverSend({
      subscribed: { requestId: retries()[2]!.requestId, channel: 'orders', positions: [], resumed: false },
    });
    expect(waiting.state).toBe('subscribed');
  });

  it('rejects bad channels, bad starts and bad decoders', () => {
    const { client } = setup();
    expect(() => client.subscribe('prices', { from: { timestamp: -1 } }, recorder().handler)).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
    expect(() => client.subscribe('prices', { decode: 'json' as never }, recorder().handler)).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
    expect(() => client.subscribe(':key', recorder().handler)).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
  });
});
