import type {
  ClientFrame,
  ClientFrameKind,
  Position,
  PublicationInput,
  ServerFrameInput,
  Subscribed,
  Welcome,
} from '@fanout/protocol';
import { decodeClientFrame, encodePublication, encodeServerFrame, publicationFrame } from '@fanout/protocol';
import type { WebSocketCtor, WebSocketLike } from '../../src/index.js';

/** Welcome fields; restored subscriptions may omit their positions. */
export type WelcomeInput = Omit<Partial<Welcome>, 'subscriptions'> & {
  subscriptions?: { channel: string; positions?: Position[] }[];
};

type Frame<K extends ClientFrameKind> = Extract<ClientFrame, { kind: K }> extends { [P in K]: infer V }
  ? V
  : never;

/**
 * An in-memory WebSocket. The client side is the WebSocket API; the `server*`
 * side lets a test play the edge, encoding frames with @fanout/protocol the
 * way the edge does (publications through encodePublication + publicationFrame).
 */
export class FakeSocket implements WebSocketLike {
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** Every frame the client sent, decoded. */
  readonly sent: ClientFrame[] = [];
  /** Set when the client called close(). */
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  open = false;

  constructor(readonly url: string) {}

  send(data: Uint8Array): void {
    if (!this.open) throw new Error('send on a socket that is not open');
    const result = decodeClientFrame(data);
    if (!result.ok) throw result.error;
    this.sent.push(result.frame);
  }

  close(code?: number, reason?: string): void {
    // Like a stalled network: the close handshake never completes, no close event.
    this.closedWith = { code, reason };
    this.open = false;
  }

  /** Frames of one kind the client sent. */
  frames<K extends ClientFrameKind>(kind: K): Frame<K>[] {
    return this.sent.filter((f) => f.kind === kind).map((f) => (f as Record<K, Frame<K>>)[kind]);
  }

  /** The Hello the client sent. */
  get hello(): Frame<'hello'> {
    const hello = this.frames('hello')[0];
    if (!hello) throw new Error('no Hello sent');
    return hello;
  }

  // --- the edge's side

  serverOpen(): this {
    this.open = true;
    this.onopen?.({});
    return this;
  }

  serverSend(frame: ServerFrameInput): this {
    this.serverSendBytes(encodeServerFrame(frame));
    return this;
  }

  serverSendBytes(bytes: Uint8Array): this {
    // Browsers and `ws` (binaryType 'arraybuffer') deliver an ArrayBuffer.
    const data = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    this.onmessage?.({ data });
    return this;
  }

  welcome(welcome: WelcomeInput = {}): this {
    const subscriptions = (welcome.subscriptions ?? []).map((s) => ({ positions: [], ...s }));
    return this.serverSend({
      welcome: {
        sessionId: 'session-1',
        heartbeatIntervalMs: 0,
        nodeId: 'edge-a',
        ...welcome,
        subscriptions,
      },
    });
  }

  subscribed(subscribed: Partial<Subscribed>): this {
    return this.serverSend({ subscribed });
  }

  /** Answers the last Subscribe for `channel` with Subscribed. */
  confirm(channel: string, positions: Subscribed['positions'] = []): this {
    const sub = this.frames('subscribe')
      .filter((s) => s.channel === channel)
      .pop();
    if (!sub) throw new Error(`no Subscribe for ${channel}`);
    return this.subscribed({ requestId: sub.requestId, channel, positions });
  }

  /** A live publication (no channel) or, with `channel`, a replayed one. */
  publish(
    publication: Omit<PublicationInput, 'key'> & { key?: Uint8Array | string | null },
    channel?: string,
  ): this {
    const key =
      typeof publication.key === 'string' ? new TextEncoder().encode(publication.key) : publication.key;
    const bytes = encodePublication({ timestampMs: 1, payload: new Uint8Array([1]), ...publication, key });
    return this.serverSendBytes(publicationFrame(bytes, channel));
  }

  serverClose(code = 1006, reason = ''): this {
    this.open = false;
    this.onclose?.({ code, reason });
    return this;
  }
}

/** Hands out FakeSockets and remembers them. */
export class FakeNetwork {
  readonly sockets: FakeSocket[] = [];
  readonly WebSocket: WebSocketCtor;

  constructor() {
    const sockets = this.sockets;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    };
  }

  /** The most recent socket. */
  get last(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket opened');
    return socket;
  }

  get urls(): string[] {
    return this.sockets.map((s) => s.url);
  }
}
