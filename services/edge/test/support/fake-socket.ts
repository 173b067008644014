import type { WebSocket } from 'uWebSockets.js';
import type { Connection, SocketData } from '../../src/connection.js';

/**
 * A stand-in for a uWS WebSocket, for the pure send/close logic only: each
 * send answers the next scripted status (1 when none is left), `end` calls
 * the close handler synchronously, as uWS does.
 */
export class FakeSocket {
  /** Statuses the next sends (frames and pings) answer, in order. */
  readonly statuses: number[] = [];
  readonly sent: Uint8Array[] = [];
  readonly pings: number[] = [];
  readonly topics = new Set<string>();
  /** Topics in the order of (un)subscribe calls: `+t` / `-t`, and `ping`. */
  readonly calls: string[] = [];
  buffered = 0;
  closed: { code: number; reason: string } | undefined;
  /** Called by `end`, like uWS's close handler (set by the test). */
  onClose: ((code: number) => void) | undefined;
  readonly data: SocketData = { origin: '', remote: '' };

  send(frame: Uint8Array): number {
    this.assertOpen();
    this.sent.push(frame);
    return this.statuses.shift() ?? 1;
  }

  ping(): number {
    this.assertOpen();
    this.calls.push('ping');
    const status = this.statuses.shift() ?? 1;
    this.pings.push(status);
    return status;
  }

  subscribe(topic: string): boolean {
    this.assertOpen();
    this.calls.push(`+${topic}`);
    if (this.topics.has(topic)) return false;
    this.topics.add(topic);
    return true;
  }

  unsubscribe(topic: string): boolean {
    this.assertOpen();
    this.calls.push(`-${topic}`);
    return this.topics.delete(topic);
  }

  end(code: number, reason: string): void {
    this.assertOpen();
    this.closed = { code, reason };
    this.onClose?.(code);
  }

  cork(fn: () => void): void {
    fn();
  }

  getBufferedAmount(): number {
    return this.buffered;
  }

  getUserData(): SocketData {
    return this.data;
  }

  /** uWS throws on any use of a closed socket; so does the fake. */
  private assertOpen(): void {
    if (this.closed) throw new Error('Invalid access of closed uWS.WebSocket/SSLWebSocket.');
  }

  asWs(): WebSocket<SocketData> {
    return this as unknown as WebSocket<SocketData>;
  }
}

/** Marks the connection closed when its fake socket ends, as the edge's close handler does. */
export function closeOnEnd(socket: FakeSocket, conn: Connection): void {
  socket.onClose = () => {
    conn.closed = true;
  };
}
