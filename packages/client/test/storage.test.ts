import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GlobalEvents, SessionStorage } from '../src/index.js';
import { Persister, decodeSession, encodeSession, webStorage } from '../src/storage.js';
import { accept, gate, recorder, setup, tick } from './support/harness.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A synchronous in-memory storage that counts writes. */
function memory(): SessionStorage & { data: Map<string, string>; writes: number } {
  const data = new Map<string, string>();
  const store = {
    data,
    writes: 0,
    get: (key: string) => data.get(key) ?? null,
    set: (key: string, value: string) => {
      store.writes++;
      data.set(key, value);
    },
    remove: (key: string) => void data.delete(key),
  };
  return store;
}

describe('session encoding', () => {
  it('round trips', () => {
    const session = {
      sessionId: 's-1',
      channels: new Map([
        [
          'prices',
          {
            positions: [
              { partition: 0, offset: 12 },
              { partition: 3, offset: -1 },
            ],
            complete: true,
          },
        ],
        ['prices:AAPL', { positions: [{ partition: 1, offset: 4 }], complete: false }],
      ]),
    };
    expect(decodeSession(encodeSession(session))).toEqual(session);
  });

  it('reads anything else as no session, and drops invalid positions', () => {
    for (const text of [null, '', 'nope', '[]', '{"v":2,"sessionId":"s","channels":{}}', '{"v":1}']) {
      expect(decodeSession(text)).toBeUndefined();
    }
    const text = JSON.stringify({
      v: 1,
      sessionId: 's',
      channels: { a: { p: [[0, 1], [-1, 2], [1, 1.5], 'x'] } },
    });
    expect(decodeSession(text)?.channels.get('a')).toEqual({
      positions: [{ partition: 0, offset: 1 }],
      complete: false,
    });
  });
});

describe('Persister', () => {
  it('coalesces writes: at most one per delay, the latest state', () => {
    const store = memory();
    let n = 0;
    const p = new Persister(
      store,
      'k',
      250,
      { now: () => Date.now(), setTimeout, clearTimeout: (h) => clearTimeout(h as number) },
      () => ({ sessionId: `s-${n}`, channels: new Map() }),
      () => {},
    );
    for (n = 1; n <= 50; n++) p.schedule();
    expect(store.writes).toBe(0);
    vi.advanceTimersByTime(250);
    expect(store.writes).toBe(1);
    expect(decodeSession(store.data.get('k') ?? null)?.sessionId).toBe('s-51');
    p.flush(); // unchanged: no write
    expect(store.writes).toBe(1);
  });

  it('never overlaps writes to an async storage, and writes the latest state last', async () => {
    const values: string[] = [];
    const pending: (() => void)[] = [];
    const store: SessionStorage = {
      get: async () => null,
      set: (_k, v) =>
        new Promise<void>((resolve) => {
          values.push(v);
          pending.push(resolve);
        }),
      remove: async () => {},
    };
    let n = 0;
    const p = new Persister(
      store,
      'k',
      0,
      { now: Date.now, setTimeout, clearTimeout },
      () => ({
        sessionId: `s-${++n}`,
        channels: new Map(),
      }),
      () => {},
    );
    p.flush();
    p.flush();
    p.flush();
    expect(values).toHaveLength(1);
    pending.shift()?.();
    await tick();
    expect(values).toHaveLength(2);
    pending.shift()?.();
    await p.flushed();
    expect(values.map((v) => JSON.parse(v).sessionId)).toEqual(['s-1', 's-2']);
  });
});

describe('client persistence', () => {
  it('a second client on the same storage resumes the session after the persisted positions', async () => {
    const store = memory();
    const first = setup({ storage: store });
    first.client.subscribe('prices', recorder().handler);
    const edge = await accept(first.net, { sessionId: 'sess-1' });
    edge.confirm('prices', [
      { partition: 0, offset: 9 },
      { partition: 1, offset: 3 },
    ]);
    edge.publish({ topic: 'prices', partition: 0, offset: 10 });
    await tick();
    await first.client.close();
    // A page reload: a new client over the same storage.
    const second = setup({ storage: store });
    const { seen, handler } = recorder();
    second.client.subscribe('prices', handler);
    const next = await accept(second.net, {
      sessionId: 'sess-1',
      resumed: true,
      subscriptions: [{ channel: 'prices' }],
    });
    expect(next.hello.sessionId).toBe('sess-1');
    expect(next.hello.delivered).toEqual([
      {
        channel: 'prices',
        positions: [
          { partition: 0, offset: 10 },
          { partition: 1, offset: 3 },
        ],
      },
    ]);
    next.publish({ topic: 'prices', partition: 0, offset: 10 }, 'prices'); // overlap: dropped
    next.publish({ topic: 'prices', partition: 0, offset: 11 }, 'prices');
    next.subscribed({ requestId: 0, channel: 'prices', positions: [{ partition: 0, offset: 11 }] });
    await tick();
    expect(seen).toEqual(['prices 0@11']);
  });

  it('after a reload into a lost session, re-subscribes after the persisted positions (not from `latest`)', async () => {
    const store = memory();
    const first = setup({ storage: store });
    first.client.subscribe('prices', recorder().handler);
    const edge = await accept(first.net, { sessionId: 'sess-1' });
    edge.confirm('prices', [{ partition: 0, offset: 9 }]);
    await tick(1000);
    await first.client.close();
    const second = setup({ storage: store });
    second.client.subscribe('prices', recorder().handler);
    const next = await accept(second.net, { sessionId: 'sess-2', resumed: false });
    expect(next.frames('subscribe')).toEqual([
      expect.objectContaining({ channel: 'prices', start: 2, after: [{ partition: 0, offset: 9 }] }),
    ]);
  });

  it('writes positions within persistDelayMs of a handler completing, coalesced', async () => {
    const store = memory();
    const { net, client } = setup({ storage: store, persistDelayMs: 250 });
    client.subscribe('prices', recorder().handler);
    const edge = await accept(net, { sessionId: 'sess-1' });
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    const writes = store.writes;
    for (let offset = 1; offset <= 100; offset++) edge.publish({ topic: 'prices', partition: 0, offset });
    await tick(249);
    expect(store.writes).toBe(writes);
    await tick(1);
    expect(store.writes).toBe(writes + 1);
    const saved = decodeSession(store.data.get('fanout:default') ?? null);
    expect(saved?.channels.get('prices')).toEqual({
      positions: [{ partition: 0, offset: 100 }],
      complete: true,
    });
  });

  it("never persists a position before its record was handled, even when Subscribed's baseline is ahead", async () => {
    const store = memory();
    const { net, client } = setup({ storage: store, persistDelayMs: 0 });
    const g = gate();
    client.subscribe('prices', { from: 'earliest' }, g.handler);
    const edge = await accept(net, { sessionId: 'sess-1' });
    for (const offset of [0, 1, 2]) edge.publish({ topic: 'prices', partition: 0, offset }, 'prices');
    edge.confirm('prices', [{ partition: 0, offset: 2 }]);
    const saved = () => decodeSession(store.data.get('fanout:default') ?? null)?.channels.get('prices');
    await tick(1000);
    expect(saved()).toBeUndefined();
    g.release();
    await tick(1000);
    expect(saved()).toEqual({ positions: [{ partition: 0, offset: 0 }], complete: false });
    g.release();
    await tick();
    g.release();
    await tick(1000);
    expect(saved()).toEqual({ positions: [{ partition: 0, offset: 2 }], complete: true });
  });

  it('flushes on pagehide', async () => {
    const listeners = new Map<string, () => void>();
    const globalEvents: GlobalEvents = {
      addEventListener: (type, fn) => void listeners.set(type, fn),
      removeEventListener: (type) => void listeners.delete(type),
    };
    const store = memory();
    const { net, client } = setup({ storage: store, globalEvents, persistDelayMs: 60_000 });
    client.subscribe('prices', recorder().handler);
    const edge = await accept(net, { sessionId: 'sess-1' });
    edge.confirm('prices', [{ partition: 0, offset: 0 }]);
    edge.publish({ topic: 'prices', partition: 0, offset: 1 });
    await tick();
    listeners.get('pagehide')?.();
    expect(
      decodeSession(store.data.get('fanout:default') ?? null)?.channels.get('prices')?.positions,
    ).toEqual([{ partition: 0, offset: 1 }]);
  });

  it('loads from an async storage before connecting; separate names keep separate sessions', async () => {
    const data = new Map([
      ['fanout:a', encodeSession({ sessionId: 'sess-a', channels: new Map() })],
      ['fanout:b', encodeSession({ sessionId: 'sess-b', channels: new Map() })],
    ]);
    const storage: SessionStorage = {
      get: async (k) => data.get(k) ?? null,
      set: async (k, v) => void data.set(k, v),
      remove: async (k) => void data.delete(k),
    };
    const { net } = setup({ storage, name: 'b' });
    const edge = await accept(net, { sessionId: 'sess-b', resumed: true });
    expect(edge.hello.sessionId).toBe('sess-b');
  });

  it('a storage that throws is logged and the client runs without it', async () => {
    const warn = vi.fn();
    const storage: SessionStorage = {
      get: () => {
        throw new Error('denied');
      },
      set: () => {
        throw new Error('quota');
      },
      remove: () => {},
    };
    const { net, client } = setup({ storage, logger: { warn } });
    await accept(net);
    expect(client.state).toBe('connected');
    expect(warn).toHaveBeenCalled();
  });

  it('webStorage adapts the Web Storage API', () => {
    const area = new Map<string, string>();
    const s = webStorage({
      getItem: (k) => area.get(k) ?? null,
      setItem: (k, v) => void area.set(k, v),
      removeItem: (k) => void area.delete(k),
    });
    s.set('k', 'v');
    expect(s.get('k')).toBe('v');
    s.remove('k');
    expect(s.get('k')).toBeNull();
  });
});
