import { CloseCode, ErrorCode, closeAction, decodeServerFrame, encodeServerFrame } from '@fanout/protocol';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Connection, type ControlKind } from '../src/connection.js';
import { FakeSocket, closeOnEnd } from './support/fake-socket.js';

function connection() {
  const socket = new FakeSocket();
  const dropped: ControlKind[] = [];
  let publicationsDropped = 0;
  const errors: number[] = [];
  const conn = new Connection(socket.asWs(), 'c-1', pino({ level: 'silent' }), 0, {
    errorSent: (code) => errors.push(code),
    controlDropped: (kind) => dropped.push(kind),
    publicationDropped: () => publicationsDropped++,
  });
  closeOnEnd(socket, conn);
  return { socket, conn, dropped, errors, publicationsDropped: () => publicationsDropped };
}

describe('the send policy', () => {
  it('keeps a connection whose control frame was sent or buffered', () => {
    const { socket, conn, dropped } = connection();
    socket.statuses.push(1, 0);
    expect(conn.send({ kind: 'pong', pong: {} })).toBe(1);
    expect(conn.send({ kind: 'pong', pong: {} })).toBe(0);
    expect(socket.closed).toBeUndefined();
    expect(dropped).toEqual([]);
  });

  it.each<[ControlKind, Parameters<Connection['send']>[0]]>([
    ['welcome', { kind: 'welcome', welcome: { sessionId: 's', resumed: false } }],
    ['subscribed', { kind: 'subscribed', subscribed: { requestId: 1, channel: 't', positions: [] } }],
    ['unsubscribed', { kind: 'unsubscribed', unsubscribed: { requestId: 1, channel: 't' } }],
    [
      'continuityLost',
      { kind: 'continuityLost', continuityLost: { channel: 't', partition: 0, requestedOffset: 1 } },
    ],
    ['goAway', { kind: 'goAway', goAway: { reconnectAfterMs: 0 } }],
    ['pong', { kind: 'pong', pong: {} }],
  ])('closes to resume when a %s frame is dropped, logged and counted', (kind, frame) => {
    const { socket, conn, dropped } = connection();
    socket.statuses.push(2);
    expect(conn.send(frame)).toBe(2);
    expect(socket.closed?.code).toBe(CloseCode.CONTROL_FRAME_DROPPED);
    expect(socket.closed?.reason).toBe(`${kind} frame dropped`);
    expect(conn.closeReason).toBe(`${kind} frame dropped`);
    expect(dropped).toEqual([kind]);
    // A transient code: the SDK reconnects and resumes.
    expect(closeAction(CloseCode.CONTROL_FRAME_DROPPED)).toBe('resume');
  });

  it('closes to resume when an Error is dropped, and the close that was to follow does nothing more', () => {
    const { socket, conn, dropped, errors } = connection();
    socket.statuses.push(2);
    conn.error(ErrorCode.HELLO_REQUIRED, 'no Hello in time');
    conn.close(CloseCode.PROTOCOL_ERROR, 'hello timeout');
    expect(socket.closed?.code).toBe(CloseCode.CONTROL_FRAME_DROPPED);
    expect(conn.closeReason).toBe('error frame dropped');
    expect(dropped).toEqual(['error']);
    expect(errors).toEqual([ErrorCode.HELLO_REQUIRED]);
  });

  it('applies to pre-encoded control frames (the heartbeat ping, the shutdown GoAway)', () => {
    const { socket, conn, dropped } = connection();
    socket.statuses.push(2);
    conn.sendControl('ping', encodeServerFrame({ kind: 'ping', ping: {} }));
    expect(socket.closed?.code).toBe(CloseCode.CONTROL_FRAME_DROPPED);
    expect(dropped).toEqual(['ping']);
  });

  it('sends nothing on a closed connection, and does not count that as a drop', () => {
    const { socket, conn, dropped } = connection();
    conn.close(CloseCode.SHUTDOWN, 'edge shutting down');
    expect(conn.send({ kind: 'pong', pong: {} })).toBe(2);
    expect(conn.sendBytes(new Uint8Array([1]))).toBe(2);
    expect(socket.sent).toEqual([]);
    expect(socket.closed?.code).toBe(CloseCode.SHUTDOWN);
    expect(dropped).toEqual([]);
  });

  it('sends the frame it was given', () => {
    const { socket, conn } = connection();
    conn.send({ kind: 'unsubscribed', unsubscribed: { requestId: 7, channel: 'prices' } });
    const decoded = decodeServerFrame(socket.sent[0] as Uint8Array);
    expect(decoded.ok && decoded.frame.kind === 'unsubscribed' && decoded.frame.unsubscribed.requestId).toBe(
      7,
    );
  });

  it('closes a connection whose replayed publication was dropped as a slow consumer', () => {
    const { socket, conn, dropped, publicationsDropped } = connection();
    socket.statuses.push(0, 2);
    expect(conn.sendBytes(new Uint8Array([1]))).toBe(0);
    expect(socket.closed).toBeUndefined();
    expect(conn.sendBytes(new Uint8Array([2]))).toBe(2);
    expect(socket.closed?.code).toBe(CloseCode.SLOW_CONSUMER);
    expect(publicationsDropped()).toBe(1);
    expect(dropped).toEqual([]);
    // What follows in the same step is a no-op, not a throw.
    expect(conn.sendBytes(new Uint8Array([3]))).toBe(2);
    expect(conn.send({ kind: 'subscribed', subscribed: { requestId: 1, channel: 't' } })).toBe(2);
  });
});
