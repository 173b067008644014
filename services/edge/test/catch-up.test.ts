import { parseChannel } from '@fanout/core';
import pino from 'pino';
import type { WebSocket } from 'uWebSockets.js';
import { describe, expect, it } from 'vitest';
import { type CatchUpContext, bringLive, catchUpConnection } from '../src/catch-up.js';
import { Connection, type SocketData, type Subscription } from '../src/connection.js';
import type { KafkaLog, PartitionBounds } from '../src/kafka/kafka-log.js';
import { PartitionState, TopicState } from '../src/topic-state.js';

const logger = pino({ level: 'silent' });
const WINDOW = { maxRecords: 100, maxBytes: 1 << 20, maxAgeMs: 60_000 };

/** A socket that takes every frame (a stand-in for uWS in this shell test; no network). */
function socket(): WebSocket<SocketData> {
  const ws = {
    cork: (f: () => void) => {
      f();
      return ws;
    },
    send: () => 1,
    getBufferedAmount: () => 0,
    subscribe: () => true,
    unsubscribe: () => true,
    ping: () => 1,
    end: () => undefined,
  };
  return ws as unknown as WebSocket<SocketData>;
}

function subscription(channel: string, after: number): Subscription {
  const parsed = parseChannel(channel);
  if (!parsed.ok) throw new Error(parsed.reason);
  return {
    channel: parsed.channel,
    partitions: [0],
    positions: new Map([[0, after]]),
    sent: new Map([[0, after]]),
    claims: new Map(),
    state: 'replaying',
    cancelled: false,
    announce: null,
    catchingUp: false,
  };
}

describe('catchUpConnection', () => {
  it('puts back on live a subscription that arrived (and held) while the connection caught up', async () => {
    // Bounds answer only when released: the catch-up of `t` awaits them.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const log = {
      bounds: async (): Promise<PartitionBounds[]> => {
        await gate;
        return [{ partition: 0, logStart: 0, logEnd: 11 }];
      },
    } as unknown as KafkaLog;
    const topic = new TopicState('t', '', log, 1 << 20);
    const ps = new PartitionState('t', 0, 4, WINDOW, Date.now);
    for (let o = 5; o <= 10; o++) {
      ps.window.append({
        offset: o,
        bytes: 1,
        frame: new Uint8Array(1),
        pub: new Uint8Array(0),
        keyName: null,
        keyTopic: null,
      });
      ps.live = o;
    }
    topic.partitions.set(0, ps);
    const conn = new Connection(socket(), 'c1', logger, Date.now());
    const ctx: CatchUpContext = {
      topics: new Map([['t', topic]]),
      softBytes: 1 << 20,
      updateLiveTopics: () => {},
    };
    const behind = subscription('t', 5);
    conn.subs.set('t', behind);
    conn.lagging = true;
    const done = catchUpConnection(ctx, conn);
    // Meanwhile a Subscribe: its own catch-up holds (the connection is lagging) and leaves it replaying.
    const late = subscription('t:k', 10);
    conn.subs.set('t:k', late);
    await bringLive(ctx, conn, late);
    expect(late.state).toBe('replaying');
    release();
    await done;
    expect(conn.lagging).toBe(false);
    expect(behind.state).toBe('live');
    expect(late.state).toBe('live');
  });
});
