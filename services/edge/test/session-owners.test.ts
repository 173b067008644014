import { WriteBehind, ownerKey } from '@fanout/core';
import { decodeServerFrame } from '@fanout/protocol';
import pino from 'pino';
import type { WebSocket } from 'uWebSockets.js';
import { describe, expect, it } from 'vitest';
import { Connection, type SocketData } from '../src/connection.js';
import { SessionOwners } from '../src/session-owners.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import type { SessionStore } from '../src/store/session-store.js';

const logger = pino({ level: 'silent' });
const quota = { maxSessions: 100, perSecond: 100 };

/** A socket that records what the edge sent and how it closed it. */
function fakeSocket() {
  const sent: Uint8Array[] = [];
  const state: { ended?: { code: number; reason: string } } = {};
  const ws = {
    send: (m: Uint8Array) => {
      sent.push(m);
      return 1;
    },
    end: (code: number, reason: string) => {
      state.ended = { code, reason };
    },
    getBufferedAmount: () => 0,
  } as unknown as WebSocket<SocketData>;
  const errors = () =>
    sent.flatMap((b) => {
      const d = decodeServerFrame(b);
      return d.ok && d.frame.kind === 'error' ? [d.frame.error.code] : [];
    });
  return { ws, state, errors };
}

/** One edge: its owners and write-behind over the shared store. */
function edge(store: SessionStore, nodeId: string) {
  const acks = new WriteBehind({
    write: async (batch) => {
      await store.writeAcks(batch);
    },
    timers: {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
    // Acks wait: only a flush writes them within the test.
    flushIntervalMs: 60_000,
  });
  const owners = new SessionOwners({
    store,
    acks,
    nodeId,
    logger,
    releaseWaitMs: 2000,
    flushTimeoutMs: 1000,
  });
  return { acks, owners };
}

async function connected(store: SessionStore, e: ReturnType<typeof edge>, id: string, epoch: number) {
  const socket = fakeSocket();
  const conn = new Connection(socket.ws, `${id}-${epoch}`, logger, Date.now());
  conn.sessionId = id;
  conn.epoch = epoch;
  e.owners.own(conn);
  return { conn, socket };
}

describe('SessionOwners', () => {
  it('a takeover from another edge writes the holder’s pending acks, closes it 4101, and only then lets the claim go on', async () => {
    const store = createMemoryStore({ ttlSeconds: 60 });
    const [a, b] = [edge(store, 'a'), edge(store, 'b')];
    await store.heartbeat('a');
    await store.create('s1', 'alice', 'a', quota);
    await store.subscribe('s1', 1, 'prices', new Map([[0, -1]]), 10);
    const holder = await connected(store, a, 's1', 1);
    a.acks.add(ownerKey('s1', 1), 'prices', 0, 41);

    const seen = await b.owners.takeOver('s1', 'alice');
    expect(seen).toEqual({ epoch: 1, node: 'a' });
    expect(holder.socket.state.ended?.code).toBe(4101);
    expect(holder.socket.errors()).toEqual([402]);
    expect(holder.conn.fenced).toBe(true);
    const claimed = await store.claim('s1', 'alice', 'b');
    expect(claimed?.session.subscriptions.get('prices')?.get(0)).toBe(41);
  });

  it('does not wait for a holder whose edge is gone, and answers null for a foreign or missing session', async () => {
    const store = createMemoryStore({ ttlSeconds: 60 });
    const b = edge(store, 'b');
    await store.create('s1', 'alice', 'crashed', quota);
    const started = Date.now();
    expect(await b.owners.takeOver('s1', 'alice')).toEqual({ epoch: 1, node: 'crashed' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await b.owners.takeOver('s1', 'mallory')).toBeNull();
    expect(await b.owners.takeOver('nope', 'alice')).toBeNull();
  });

  it('a takeover on the same edge closes the older connection; a claim elsewhere closes any stale holder', async () => {
    const store = createMemoryStore({ ttlSeconds: 60 });
    const [a, b] = [edge(store, 'a'), edge(store, 'b')];
    await store.create('s1', 'alice', 'a', quota);
    const older = await connected(store, a, 's1', 1);
    await a.owners.takeOver('s1', 'alice');
    expect(older.socket.state.ended?.code).toBe(4101);

    const stale = await connected(store, a, 's1', 2);
    // Edge b claims epoch 3 without asking (a race): its announcement fences a's connection.
    await connected(store, b, 's1', 3);
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(stale.socket.state.ended?.code).toBe(4101);
  });

  it('keeps connected sessions alive by refreshing them, and closes one that vanished with 4100', async () => {
    let now = 0;
    const store = createMemoryStore({ ttlSeconds: 10, now: () => now });
    const a = edge(store, 'a');
    await store.create('s1', 'alice', 'a', quota);
    const live = await connected(store, a, 's1', 1);
    for (now = 3_000; now <= 30_000; now += 3_000) await a.owners.refreshTtl();
    expect(live.socket.state.ended).toBeUndefined();
    expect(await store.peek('s1', 'alice')).not.toBeNull();
    // Gone under it (here: nothing refreshed it for longer than the TTL).
    now += 20_000;
    await a.owners.refreshTtl();
    expect(live.socket.state.ended?.code).toBe(4100);
    expect(live.socket.errors()).toEqual([400]);
  });
});
