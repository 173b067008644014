import { CloseCode, ErrorCode, decodeServerFrame } from '@fanout/protocol';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionRegistry } from '../src/connection-registry.js';
import { LiveDelivery } from '../src/live-delivery.js';
import { FakeSocket } from './support/fake-socket.js';

const CONFIG = {
  nodeId: 'n1',
  compression: false,
  heartbeat: { intervalMs: 10_000, timeoutMs: 5000 },
  helloTimeoutMs: 2000,
  goAwayReconnectMs: 300,
};

function setup() {
  const counted = { errors: [] as number[], dropped: [] as string[], slow: [] as string[] };
  const live = new LiveDelivery({
    topics: new Map(),
    slowClient: { bufferBytes: 1000, hardBytes: 10_000, stuckMs: 60_000 },
  });
  const registry = new ConnectionRegistry({
    config: CONFIG,
    logger: pino({ level: 'silent' }),
    live,
    metrics: {
      errorSent: (code) => counted.errors.push(code),
      controlDropped: (kind) => counted.dropped.push(kind),
      slowClient: (e) => counted.slow.push(e),
    },
  });
  const open = () => {
    const socket = new FakeSocket();
    const conn = registry.open(socket.asWs());
    socket.onClose = () => {
      conn.closed = true;
      registry.closed(conn);
    };
    return { socket, conn };
  };
  return { registry, open, counted };
}

function kinds(socket: FakeSocket): string[] {
  return socket.sent.map((f) => {
    const d = decodeServerFrame(f);
    return d.ok ? d.frame.kind : 'undecodable';
  });
}

describe('the connection registry', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('names connections after the node and counts them', () => {
    const { registry, open } = setup();
    const a = open();
    const b = open();
    expect([a.conn.id, b.conn.id]).toEqual(['n1-1', 'n1-2']);
    expect(registry.size).toBe(2);
    a.socket.end(1000, '');
    expect([...registry.conns]).toEqual([b.conn]);
  });

  it('pings each heartbeat interval and closes a connection silent past interval + timeout', () => {
    const { registry, open } = setup();
    const { socket, conn } = open();
    conn.helloState = 'done';
    registry.start();
    vi.advanceTimersByTime(10_000);
    expect(kinds(socket)).toEqual(['ping']);
    conn.lastSeenAt = Date.now();
    vi.advanceTimersByTime(10_000);
    expect(kinds(socket)).toEqual(['ping', 'ping']);
    expect(socket.closed).toBeUndefined();
    vi.advanceTimersByTime(10_000);
    expect(socket.closed?.code).toBe(CloseCode.HEARTBEAT_TIMEOUT);
    registry.stop('test');
  });

  it('closes to resume when a heartbeat ping is dropped (the send policy)', () => {
    const { registry, open, counted } = setup();
    const { socket, conn } = open();
    conn.helloState = 'done';
    registry.start();
    socket.statuses.push(2);
    vi.advanceTimersByTime(10_000);
    expect(socket.closed?.code).toBe(CloseCode.CONTROL_FRAME_DROPPED);
    expect(counted.dropped).toEqual(['ping']);
    expect(registry.size).toBe(0);
    registry.stop('test');
  });

  it('closes a connection with no Hello in time, and one whose token expired', () => {
    const { registry, open, counted } = setup();
    const pending = open();
    const expiring = open();
    expiring.conn.helloState = 'done';
    expiring.conn.expiresAtMs = 1500;
    const fine = open();
    fine.conn.helloState = 'done';
    registry.start();
    vi.advanceTimersByTime(1500);
    expect(expiring.socket.closed?.code).toBe(CloseCode.TOKEN_EXPIRED);
    expect(pending.socket.closed).toBeUndefined();
    vi.advanceTimersByTime(750);
    expect(pending.socket.closed?.code).toBe(CloseCode.PROTOCOL_ERROR);
    expect(counted.errors).toEqual([ErrorCode.TOKEN_EXPIRED, ErrorCode.HELLO_REQUIRED]);
    expect(fine.socket.closed).toBeUndefined();
    registry.stop('test');
  });

  it('stops: timers off, GoAway to every connection, then close 4000', () => {
    const { registry, open } = setup();
    const a = open();
    const b = open();
    registry.start();
    registry.stop('deploy');
    expect(kinds(a.socket)).toEqual(['goAway']);
    expect(a.socket.closed?.code).toBe(CloseCode.SHUTDOWN);
    expect(b.socket.closed?.code).toBe(CloseCode.SHUTDOWN);
    expect(registry.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts subscriptions by channel kind', () => {
    const { registry, open } = setup();
    const { conn } = open();
    const sub = (name: string, key: string | null) =>
      ({ channel: { name, topic: 't', key } }) as unknown as Parameters<typeof conn.subs.set>[1];
    conn.subs.set('t', sub('t', null));
    conn.subs.set('t:a', sub('t:a', 'a'));
    conn.subs.set('t:b', sub('t:b', 'b'));
    expect(registry.countSubscriptions()).toEqual({ topic: 1, key: 2 });
  });
});
