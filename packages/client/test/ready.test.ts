import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accept, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('subscription.ready()', () => {
  it('resolves once Subscribed arrives, and at once when already live', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('prices', recorder().handler);
    let live = false;
    const ready = sub.ready().then(() => {
      live = true;
    });
    const edge = await accept(net);
    await tick();
    expect(live).toBe(false);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    await ready;
    expect(live).toBe(true);
    await expect(sub.ready()).resolves.toBeUndefined();
  });

  it('rejects with subscribe_failed when the edge refuses the channel', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('secret', recorder().handler);
    sub.on('error', () => {});
    const ready = sub.ready();
    const edge = await accept(net);
    const requestId = edge.frames('subscribe')[0]?.requestId;
    edge.serverSend({ error: { code: 202, message: 'forbidden', requestId, channel: 'secret' } });
    await expect(ready).rejects.toMatchObject({ code: 'subscribe_failed', serverCode: 202 });
  });

  it('rejects with ready_timeout after timeoutMs; the subscription goes on', async () => {
    const { net, client } = setup();
    const sub = client.subscribe('prices', recorder().handler);
    const ready = sub.ready({ timeoutMs: 1000 });
    const caught = ready.catch((e: unknown) => e);
    const edge = await accept(net);
    await tick(1000);
    expect(await caught).toMatchObject({ code: 'ready_timeout', retriable: true });
    edge.confirm('prices');
    expect(sub.state).toBe('subscribed');
  });

  it('rejects with the signal reason when aborted, before or while waiting', async () => {
    const { client } = setup();
    const sub = client.subscribe('prices', recorder().handler);
    await expect(sub.ready({ signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
    const controller = new AbortController();
    const ready = sub.ready({ signal: controller.signal });
    controller.abort(new Error('later'));
    await expect(ready).rejects.toThrow('later');
  });

  it('rejects with unsubscribed when the handle is released, and when the client closes', async () => {
    const { client } = setup();
    const sub = client.subscribe('prices', recorder().handler);
    const ready = sub.ready();
    sub.unsubscribe();
    await expect(ready).rejects.toMatchObject({ code: 'unsubscribed' });
    const other = client.subscribe('orders', recorder().handler);
    const pending = other.ready();
    await client.close();
    await expect(pending).rejects.toMatchObject({ code: 'unsubscribed' });
  });
});
