import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FanoutRecord } from '../src/index.js';
import { accept, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Edge = Awaited<ReturnType<typeof accept>>;
const acked = (edge: Edge) => edge.frames('ack').flatMap((a) => a.positions.map((p) => p.offset));

/** A loop body that waits for `step()` before finishing each record. */
function pacedLoop(records: AsyncIterable<FanoutRecord>, stopAt?: number) {
  const got: number[] = [];
  let step: () => void = () => {};
  const done = (async () => {
    for await (const r of records) {
      got.push(r.offset);
      if (r.offset === stopAt) break;
      await new Promise<void>((resolve) => {
        step = resolve;
      });
    }
  })();
  return { got, done, step: () => step() };
}

describe('client.records()', () => {
  it('backpressure: the next record is handed over when the loop body finished; acks follow the loop', async () => {
    const { net, client } = setup({ ack: { maxDelayMs: 10, maxBatch: 100 } });
    const loop = pacedLoop(client.records('prices'));
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(100);
    expect(loop.got).toEqual([1]);
    expect(acked(edge)).toEqual([]);
    loop.step();
    await tick(100);
    expect(loop.got).toEqual([1, 2]);
    expect(acked(edge)).toEqual([1]);
    loop.step();
    await tick(100);
    expect(loop.got).toEqual([1, 2, 3]);
    expect(acked(edge)).toEqual([1, 2]);
  });

  it('break counts the current record as processed, acks it and leaves the channel', async () => {
    const { net, client } = setup({ ack: { maxDelayMs: 10, maxBatch: 100 } });
    const loop = pacedLoop(client.records('prices'), 2);
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(10);
    loop.step();
    await loop.done;
    await tick(100);
    expect(loop.got).toEqual([1, 2]);
    expect(acked(edge).at(-1)).toBe(2);
    expect(edge.sent.map((f) => f.kind).slice(-2)).toEqual(['ack', 'unsubscribe']);
    expect(client.subscription('prices')).toBeUndefined();
  });

  it('an AbortSignal ends the loop and leaves the channel; the record being worked on is not acked', async () => {
    const { net, client } = setup({ ack: { maxDelayMs: 10, maxBatch: 100 } });
    const controller = new AbortController();
    const loop = pacedLoop(client.records('prices', { signal: controller.signal }));
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const offset of [1, 2, 3]) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(10);
    loop.step();
    await tick(10);
    expect(loop.got).toEqual([1, 2]);
    controller.abort();
    loop.step();
    await loop.done;
    await tick(100);
    expect(loop.got).toEqual([1, 2]);
    expect(acked(edge)).toEqual([1]);
    expect(edge.frames('unsubscribe')).toEqual([expect.objectContaining({ channel: 'prices' })]);
  });

  it('a signal aborted before the loop starts yields nothing', async () => {
    const { net, client } = setup();
    const got: number[] = [];
    for await (const r of client.records('prices', { signal: AbortSignal.abort() })) got.push(r.offset);
    await accept(net);
    expect(got).toEqual([]);
    expect(net.last.frames('subscribe')).toEqual([]);
  });

  it('a refused channel makes the loop throw the typed error', async () => {
    const { net, client } = setup();
    const stream = client.records('secret');
    const loop = (async () => {
      for await (const _ of stream) {
        // nothing arrives
      }
    })();
    const caught = loop.catch((e: unknown) => e);
    const edge = await accept(net);
    const requestId = edge.frames('subscribe')[0]?.requestId;
    edge.serverSend({ error: { code: 202, message: 'forbidden', requestId, channel: 'secret' } });
    expect(await caught).toMatchObject({ code: 'subscribe_failed' });
  });

  it('ends when the client closes', async () => {
    const { net, client } = setup();
    const got: number[] = [];
    const loop = (async () => {
      for await (const r of client.records('prices')) got.push(r.offset);
    })();
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1 });
    await tick();
    await client.close();
    await loop;
    expect(got).toEqual([1]);
  });

  it('decodes with the decode option: record.value is typed', async () => {
    const { net, client } = setup();
    const values: Array<{ n: number }> = [];
    const loop = (async () => {
      for await (const r of client.records('prices', {
        decode: (b) => JSON.parse(new TextDecoder().decode(b)) as { n: number },
      })) {
        values.push(r.value);
        if (values.length === 2) break;
      }
    })();
    const edge = await accept(net);
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    for (const n of [1, 2])
      edge.publish({
        topic: 'prices',
        partition: 0,
        offset: n,
        payload: new TextEncoder().encode(`{"n":${n}}`),
      });
    await loop;
    expect(values).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
