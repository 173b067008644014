import { parseChannel } from '@fanout/core';
import { CloseCode } from '@fanout/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Connection, type Subscription } from '../src/connection.js';
import type { KafkaLog } from '../src/kafka/kafka-log.js';
import { LiveDelivery, SWEEP_EVERY_BYTES } from '../src/live-delivery.js';
import { PartitionState, TopicState } from '../src/topic-state.js';
import { FakeSocket, closeOnEnd } from './support/fake-socket.js';

const SLOW = { bufferBytes: 1000, hardBytes: 10_000, stuckMs: 5000 };

function setup() {
  const topic = new TopicState('t', 'id-1', {} as KafkaLog, 1024);
  const ps = new PartitionState('t', 0, 41, { maxRecords: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 }, () => 0);
  topic.partitions.set(0, ps);
  const events: string[] = [];
  const deferred: Array<() => void> = [];
  const live = new LiveDelivery({
    topics: new Map([['t', topic]]),
    slowClient: SLOW,
    metrics: { slowClient: (e) => events.push(e), resume: () => undefined },
    defer: (fn) => deferred.push(fn),
  });
  const socket = new FakeSocket();
  const conn = new Connection(socket.asWs(), 'c', pino({ level: 'silent' }), 0);
  closeOnEnd(socket, conn);
  conn.helloState = 'done';
  return { live, socket, conn, events, deferred, ps };
}

function subscription(name: string, state: Subscription['state']): Subscription {
  const parsed = parseChannel(name);
  if (!parsed.ok) throw new Error(parsed.reason);
  return {
    channel: parsed.channel,
    partitions: [0],
    positions: new Map([[0, 10]]),
    sent: new Map([[0, 10]]),
    claims: new Map(),
    state,
    cancelled: false,
    announce: null,
    catchingUp: false,
  };
}

function add(conn: Connection, ...subs: Subscription[]): void {
  for (const s of subs) conn.subs.set(s.channel.name, s);
}

describe('live delivery: the covering set', () => {
  it('puts a socket on the covering set of its live subscriptions only', () => {
    const { live, socket, conn } = setup();
    add(conn, subscription('t:a', 'live'), subscription('t:b', 'live'), subscription('u', 'replaying'));
    live.update(conn);
    expect([...socket.topics].sort()).toEqual(['t:a', 't:b']);
    expect(live.liveConns.has(conn)).toBe(true);
    // `t` covers its key channels: they leave, after a ping drained what is queued for them.
    add(conn, subscription('t', 'live'));
    live.update(conn);
    expect([...socket.topics]).toEqual(['t']);
    expect(socket.calls.slice(2)).toEqual(['ping', '+t', '-t:a', '-t:b']);
  });

  it('pings before any unsubscribe, and not when nothing leaves', () => {
    const { live, socket, conn } = setup();
    add(conn, subscription('t', 'live'));
    live.update(conn);
    expect(socket.calls).toEqual(['+t']);
    conn.subs.clear();
    live.update(conn);
    expect(socket.calls).toEqual(['+t', 'ping', '-t']);
    expect(live.liveConns.has(conn)).toBe(false);
  });

  it('closes as a slow consumer when the ping before an unsubscribe is dropped (queued publications were lost)', () => {
    const { live, socket, conn, events } = setup();
    add(conn, subscription('t', 'live'));
    live.update(conn);
    conn.subs.clear();
    socket.statuses.push(2);
    live.update(conn);
    expect(socket.closed?.code).toBe(CloseCode.SLOW_CONSUMER);
    expect(events).toEqual(['closed']);
  });

  it('does nothing for a closed connection', () => {
    const { live, socket, conn } = setup();
    add(conn, subscription('t', 'live'));
    conn.closed = true;
    live.update(conn);
    expect(socket.calls).toEqual([]);
  });
});

describe('live delivery: slow clients', () => {
  it('sweeps once enough bytes were published, outside the publishing callback', () => {
    const { live, socket, conn, deferred, events } = setup();
    add(conn, subscription('t', 'live'));
    live.update(conn);
    socket.buffered = SLOW.bufferBytes + 1;
    live.published(SWEEP_EVERY_BYTES - 1);
    expect(deferred).toHaveLength(0);
    live.published(1);
    live.published(1000);
    expect(deferred).toHaveLength(1);
    expect(conn.lagging).toBe(false);
    deferred[0]?.();
    expect(conn.lagging).toBe(true);
    expect(events).toEqual(['lagging']);
  });

  it('takes a connection past the soft limit off live, remembering the live offsets', () => {
    const { live, socket, conn, ps } = setup();
    const sub = subscription('t', 'live');
    add(conn, sub);
    live.update(conn);
    ps.live = 99;
    socket.buffered = SLOW.bufferBytes + 1;
    live.sweep();
    expect(sub.state).toBe('replaying');
    expect(sub.positions.get(0)).toBe(99);
    expect(conn.lagging).toBe(true);
    expect(socket.topics.size).toBe(0);
    expect(live.liveConns.has(conn)).toBe(false);
    expect(socket.closed).toBeUndefined();
  });

  it('closes a connection at the hard limit, or whose sweep ping is dropped', () => {
    for (const [buffered, ping] of [
      [SLOW.hardBytes, 1],
      [SLOW.bufferBytes + 1, 2],
    ]) {
      const { live, socket, conn, events } = setup();
      add(conn, subscription('t', 'live'));
      live.update(conn);
      socket.buffered = buffered as number;
      socket.statuses.push(ping as number);
      live.sweep();
      expect(socket.closed?.code).toBe(CloseCode.SLOW_CONSUMER);
      expect(events).toEqual(['closed']);
    }
  });

  it('leaves connections under the soft limit alone', () => {
    const { live, socket, conn } = setup();
    add(conn, subscription('t', 'live'));
    live.update(conn);
    socket.buffered = SLOW.bufferBytes;
    live.sweep();
    expect(conn.lagging).toBe(false);
    expect(socket.calls).toEqual(['+t']);
  });

  it('closes a connection behind that drained nothing for stuckMs, with GoAway and Error first', () => {
    const { live, socket, conn, events } = setup();
    socket.buffered = SLOW.bufferBytes + 1;
    // Connected long before it fell behind: the clock starts when it does.
    live.maintain([conn], 100_000);
    live.maintain([conn], 100_000 + SLOW.stuckMs);
    expect(socket.closed).toBeUndefined();
    live.maintain([conn], 100_000 + SLOW.stuckMs + 1);
    expect(socket.sent).toHaveLength(2);
    expect(socket.closed?.code).toBe(CloseCode.SLOW_CONSUMER);
    expect(events).toEqual(['closed']);
  });

  it('counts a shrinking buffer as progress, and starts the clock again each time it falls behind', () => {
    const { live, socket, conn } = setup();
    socket.buffered = SLOW.bufferBytes + 500;
    live.maintain([conn], 0);
    socket.buffered = SLOW.bufferBytes + 400;
    live.maintain([conn], SLOW.stuckMs);
    live.maintain([conn], 2 * SLOW.stuckMs);
    expect(socket.closed).toBeUndefined();
    socket.buffered = 0;
    live.maintain([conn], 2 * SLOW.stuckMs + 1);
    socket.buffered = SLOW.bufferBytes + 500;
    live.maintain([conn], 4 * SLOW.stuckMs);
    live.maintain([conn], 5 * SLOW.stuckMs);
    expect(socket.closed).toBeUndefined();
    live.maintain([conn], 5 * SLOW.stuckMs + 1);
    expect(socket.closed?.code).toBe(CloseCode.SLOW_CONSUMER);
  });

  it('closes a lagging connection whose catch-up stalled with an empty buffer (it resumes elsewhere)', () => {
    const { live, socket, conn } = setup();
    add(conn, subscription('t', 'live'));
    live.update(conn);
    socket.buffered = SLOW.bufferBytes + 1;
    live.sweep();
    expect(conn.lagging).toBe(true);
    // A catch-up that never finishes (simulated: it is marked running and does nothing).
    conn.catchUpRunning = true;
    socket.buffered = 0;
    live.maintain([conn], 1000);
    live.maintain([conn], 1000 + SLOW.stuckMs);
    expect(socket.closed).toBeUndefined();
    live.maintain([conn], 1001 + SLOW.stuckMs);
    expect(socket.closed?.code).toBe(CloseCode.SLOW_CONSUMER);
  });

  it('closes to resume, not as a slow consumer, when that GoAway is dropped (the send policy)', () => {
    const { live, socket, conn } = setup();
    socket.buffered = SLOW.bufferBytes + 1;
    live.maintain([conn], 0);
    socket.statuses.push(2);
    live.maintain([conn], SLOW.stuckMs + 1);
    expect(socket.closed?.code).toBe(CloseCode.CONTROL_FRAME_DROPPED);
  });

  it('hands the catch-ups it starts the configured ingest wait (REPLAY_INGEST_WAIT_MS)', () => {
    const topics = new Map<string, TopicState>();
    expect(new LiveDelivery({ topics, slowClient: SLOW, ingestWaitMs: 2500 }).catchUp.ingestWaitMs).toBe(
      2500,
    );
    expect(new LiveDelivery({ topics, slowClient: SLOW }).catchUp.ingestWaitMs).toBeUndefined();
  });

  it('forgets a closed connection', () => {
    const { live, conn } = setup();
    add(conn, subscription('t', 'live'));
    live.update(conn);
    live.closed(conn);
    expect(live.liveConns.size).toBe(0);
  });
});
