import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accept, gate, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const acked = (edge: { frames(kind: 'ack'): Array<{ positions: Array<{ offset: number }> }> }) =>
  edge.frames('ack').flatMap((a) => a.positions.map((p) => p.offset));

describe('shared handles', () => {
  it('two handles on one channel share one wire subscription; a second subscribe no longer throws', async () => {
    const { net, client } = setup();
    const a = recorder();
    const b = recorder();
    client.subscribe('prices', a.handler);
    client.subscribe('prices', b.handler);
    const edge = await accept(net);
    expect(edge.frames('subscribe')).toHaveLength(1);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick();
    expect(a.seen).toEqual(['prices 0@1', 'prices 0@2', 'prices 0@3']);
    expect(b.seen).toEqual(a.seen);
  });

  it('one slow handle: both get every record, and acks move only after both finished', async () => {
    const { net, client } = setup({ ack: { maxDelayMs: 10, maxBatch: 100 } });
    const fast = recorder();
    const slow = gate();
    client.subscribe('prices', fast.handler);
    client.subscribe('prices', slow.handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(100);
    // Lockstep: the fast handle has record 1; nothing is acked while the slow one holds it.
    expect(fast.seen).toEqual(['prices 0@1']);
    expect(slow.calls.map((r) => r.offset)).toEqual([1]);
    expect(acked(edge)).toEqual([]);
    slow.release();
    await tick(100);
    expect(acked(edge)).toEqual([1]);
    expect(fast.seen).toEqual(['prices 0@1', 'prices 0@2']);
    slow.release();
    await tick(100);
    slow.release();
    await tick(100);
    expect(fast.seen).toEqual(['prices 0@1', 'prices 0@2', 'prices 0@3']);
    expect(slow.calls.map((r) => r.offset)).toEqual([1, 2, 3]);
    expect(acked(edge).at(-1)).toBe(3);
  });

  it('unsubscribing one handle keeps the channel; the last one leaves it', async () => {
    const { net, client } = setup();
    const a = recorder();
    const b = recorder();
    const first = client.subscribe('prices', a.handler);
    const second = client.subscribe('prices', b.handler);
    const states: string[] = [];
    first.on('state', (c) => states.push(`${c.to}:${c.reason.type}`));
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    first.unsubscribe();
    expect(first.state).toBe('unsubscribed');
    expect(second.state).toBe('subscribed');
    expect(states).toEqual(['subscribed:subscribed', 'unsubscribed:unsubscribe']);
    expect(edge.frames('unsubscribe')).toEqual([]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1 });
    await tick();
    expect(a.seen).toEqual([]);
    expect(b.seen).toEqual(['prices 0@1']);
    second.unsubscribe();
    expect(edge.frames('unsubscribe')).toEqual([expect.objectContaining({ channel: 'prices' })]);
    expect(client.subscription('prices')).toBeUndefined();
  });

  it('a handle that unsubscribes while holding a record does not block the others', async () => {
    const { net, client } = setup({ ack: { maxDelayMs: 10, maxBatch: 100 } });
    const stuck = gate();
    const other = recorder();
    const handle = client.subscribe('prices', stuck.handler);
    client.subscribe('prices', other.handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(50);
    expect(other.seen).toEqual(['prices 0@1']);
    handle.unsubscribe();
    await tick(50);
    expect(other.seen).toEqual(['prices 0@1', 'prices 0@2']);
    expect(acked(edge).at(-1)).toBe(2);
  });

  it('a failing handle pauses the channel until its retry() or skip(); the other handle ran once', async () => {
    const { net, client } = setup();
    const other = recorder();
    let fail = true;
    const seen: number[] = [];
    const flaky = client.subscribe('prices', (r) => {
      seen.push(r.offset);
      if (fail) throw new Error('boom');
    });
    const errors: string[] = [];
    flaky.on('error', (e) => errors.push(e.error.code));
    client.subscribe('prices', other.handler);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(500);
    expect(flaky.paused).toBe(true);
    expect(errors).toEqual(['handler_failed']);
    expect(other.seen).toEqual(['prices 0@1']);
    fail = false;
    flaky.retry();
    await tick(500);
    expect(seen).toEqual([1, 1, 2]);
    expect(other.seen).toEqual(['prices 0@1', 'prices 0@2']);
  });
});
