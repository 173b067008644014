import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { onTestFinished } from 'vitest';

interface Pair {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
}

/**
 * A TCP proxy (loopback) in front of an edge. `stall()` stops forwarding on
 * the open connections without closing them (both sides stop being read, as
 * on a network that silently drops everything); `cut()` destroys them. New
 * connections are forwarded normally. Closed when the test finishes.
 */
export class TcpProxy {
  /** Connections accepted so far. */
  accepted = 0;
  /** Bytes forwarded from the edge to clients (what crossed the wire towards them). */
  bytesToClients = 0;
  /** The first bytes the edge sent on each connection (its HTTP upgrade response), as latin1 text. */
  readonly responseHeads: string[] = [];
  private readonly pairs = new Set<Pair>();

  private readonly server: Server;
  private port_ = 0;

  private constructor(private readonly targetPort: number) {
    this.server = createServer((client) => this.accept(client));
  }

  /** The proxy's port. */
  get port(): number {
    return this.port_;
  }

  /** `ws://127.0.0.1:<port>/`. */
  get url(): string {
    return `ws://127.0.0.1:${this.port_}/`;
  }

  /** Open connections. */
  get open(): number {
    return this.pairs.size;
  }

  /** Listens on a free loopback port, forwarding to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    onTestFinished(() => proxy.close());
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy.port_ = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  private accept(client: Socket): void {
    this.accepted++;
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, stalled: false };
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    let head = true;
    upstream.on('data', (chunk: Buffer) => {
      this.bytesToClients += chunk.length;
      if (head) this.responseHeads.push(chunk.subarray(0, 1024).toString('latin1'));
      head = false;
    });
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (chunk) => {
        if (!pair.stalled) to.write(chunk);
      });
      from.on('error', end);
      // A stalled connection never tells either side that the other left.
      from.on('close', () => {
        if (!pair.stalled) end();
      });
    }
  }

  /** Stops forwarding on every open connection, without closing anything. Returns how many. */
  stall(): number {
    for (const p of this.pairs) {
      p.stalled = true;
      p.client.pause();
      p.upstream.pause();
    }
    return this.pairs.size;
  }

  /** Destroys every open connection (both sockets). Returns how many. */
  cut(): number {
    const n = this.pairs.size;
    for (const p of [...this.pairs]) {
      this.pairs.delete(p);
      p.client.destroy();
      p.upstream.destroy();
    }
    return n;
  }

  async close(): Promise<void> {
    this.cut();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
