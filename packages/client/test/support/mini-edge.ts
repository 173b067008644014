import type { AddressInfo } from 'node:net';
import type { ClientFrame } from '@fanout/protocol';
import {
  Start,
  decodeClientFrame,
  encodePublication,
  encodeServerFrame,
  publicationFrame,
} from '@fanout/protocol';
import { type WebSocket, WebSocketServer } from 'ws';

interface Session {
  /** channel → last acked offset (partition 0 only). */
  acked: Map<string, number>;
}

/**
 * A tiny real edge for Node tests of the SDK's transport: one partition per
 * topic, whole-topic channels, sessions in memory, replay from
 * max(acked, delivered) + 1 then live, as the .proto specifies.
 */
export class MiniEdge {
  readonly log = new Map<string, Uint8Array[]>();
  readonly sessions = new Map<string, Session>();
  readonly received: ClientFrame[] = [];
  readonly closes: number[] = [];
  private readonly live = new Map<WebSocket, Set<string>>();
  private nextSession = 1;

  private constructor(private readonly server: WebSocketServer) {
    server.on('connection', (ws) => this.connection(ws));
  }

  static async start(): Promise<MiniEdge> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new MiniEdge(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Appends a record to `topic` and sends it live to subscribed connections. */
  produce(topic: string, value: string): void {
    const records = this.log.get(topic) ?? [];
    this.log.set(topic, records);
    const offset = records.length;
    records.push(
      encodePublication({ topic, partition: 0, offset, payload: new TextEncoder().encode(value) }),
    );
    const frame = publicationFrame(records[offset]!);
    for (const [ws, channels] of this.live) if (channels.has(topic)) ws.send(frame);
  }

  /** Kills every connection without a close frame (the client sees 1006). */
  dropAll(): void {
    for (const ws of this.server.clients) ws.terminate();
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connection(ws: WebSocket): void {
    let session: Session | undefined;
    const send = (frame: Parameters<typeof encodeServerFrame>[0]) => ws.send(encodeServerFrame(frame));
    const subscribe = (channel: string, after: number, requestId: number) => {
      const records = this.log.get(channel) ?? [];
      for (let o = after + 1; o < records.length; o++) ws.send(publicationFrame(records[o]!, channel));
      send({ subscribed: { requestId, channel, positions: [{ partition: 0, offset: records.length - 1 }] } });
      this.live.get(ws)?.add(channel);
    };
    ws.on('close', (code) => {
      this.closes.push(code);
      this.live.delete(ws);
    });
    ws.on('message', (data: Buffer) => {
      const result = decodeClientFrame(new Uint8Array(data));
      if (!result.ok) return void ws.close(4400);
      const frame = result.frame;
      this.received.push(frame);
      switch (frame.kind) {
        case 'hello': {
          const known = this.sessions.get(frame.hello.sessionId);
          const id = known ? frame.hello.sessionId : `mini-${this.nextSession++}`;
          session = known ?? { acked: new Map() };
          this.sessions.set(id, session);
          this.live.set(ws, new Set());
          const channels = known ? [...session.acked.keys()] : [];
          const delivered = new Map(
            frame.hello.delivered.map((d) => [d.channel, d.positions[0]?.offset ?? -1]),
          );
          const starts = channels.map((c) => Math.max(session!.acked.get(c) ?? -1, delivered.get(c) ?? -1));
          send({
            welcome: {
              sessionId: id,
              resumed: Boolean(known),
              subscriptions: channels.map((channel, i) => ({
                channel,
                positions: [{ partition: 0, offset: starts[i]! }],
              })),
              heartbeatIntervalMs: 10_000,
            },
          });
          for (const [i, c] of channels.entries()) subscribe(c, starts[i]!, 0);
          return;
        }
        case 'subscribe': {
          const { channel, start, after, requestId } = frame.subscribe;
          const end = (this.log.get(channel)?.length ?? 0) - 1;
          const from =
            start === Start.EARLIEST ? -1 : start === Start.AFTER ? (after[0]?.offset ?? end) : end;
          session?.acked.set(channel, session.acked.get(channel) ?? -1);
          subscribe(channel, from, requestId);
          return;
        }
        case 'ack':
          for (const p of frame.ack.positions) session?.acked.set(frame.ack.channel, p.offset);
          return;
        case 'ping':
          return void send({ pong: {} });
        default:
          return;
      }
    });
  }
}

/** Resolves when `check()` holds, polling on each event-loop turn; rejects after `ms`. */
export async function until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
