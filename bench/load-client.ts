/**
 * A load-client process: holds many raw TCP sockets speaking WebSocket by
 * hand, counts publication frames from their headers only, and decodes a
 * sample (and every control frame) with @fanout/protocol. Driven by the
 * benchmark over IPC; exits when its parent is gone.
 */
import { type Socket, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect } from 'node:tls';
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import {
  type ChannelPositions,
  PROTOCOL_VERSION,
  Start,
  decodeServerFrame,
  encodeClientFrame,
} from '@fanout/protocol';
import { serveRpc } from './lib/children.js';
import { FrameParser, clientFrame, readPublication, upgradeRequest } from './lib/ws-wire.js';

interface OpenArgs {
  host: string;
  port: number;
  count: number;
  localAddrs: string[];
  mode: 'fanout' | 'raw';
  channels: string[];
  /** Index of this process's first connection in the whole run (channel assignment). */
  base: number;
  /** Every n-th connection decodes every publication (positions checked); 0: none. */
  trackEvery: number;
  /** Every n-th connection reads the send time out of every payload; 0: none. */
  latencyEvery: number;
  /** Offsets are dense per partition (a `<topic>` channel): gaps are errors too. */
  dense: boolean;
  /** Connect with TLS (wss://; the certificate is not verified: loopback, our own edge). */
  tls?: boolean;
  /** Offer permessage-deflate. */
  deflate?: boolean;
}

/** What permessage-deflate strips from the end of each message (RFC 7692). */
const DEFLATE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

interface Conn {
  idx: number;
  channel: string;
  sock: Socket | null;
  ready: boolean;
  closed: boolean;
  sessionId: string;
  pubs: number;
  tracked: boolean;
  latency: boolean;
  last: Map<number, number>;
  ackedVersion: number;
  version: number;
  caughtUpAt: number;
  /** When the resumed Welcome arrived (ms after the resume began; 0: not yet). */
  welcomedAt: number;
}

const conns: Conn[] = [];
let args: OpenArgs | undefined;
let now = 0;
const latencies: number[] = [];
/** The send time of each latency sample (pairs them with Kafka's floor per record). */
const latencySent: number[] = [];
const errors: string[] = [];
const counters = {
  gaps: 0,
  dups: 0,
  decodeChecks: 0,
  decodeMismatches: 0,
  closedEarly: 0,
  failed: 0,
  /** WebSocket bytes received after the upgrade (TLS: decrypted), every connection. */
  bytes: 0,
  /** Frames that arrived compressed (RSV1). */
  compressedFrames: 0,
};
const closeCodes = new Map<number, number>();
let targets: number[] | undefined;
let resumeStart = 0;
let ackTimer: NodeJS.Timeout | undefined;

const subscribeFrames = new Map<string, Buffer>();
const PONG = clientFrame(encodeClientFrame({ pong: {} }));
const NEW_HELLO = clientFrame(
  encodeClientFrame({
    hello: {
      token: '',
      sessionId: '',
      clientName: 'bench',
      clientVersion: '0',
      protocolVersion: PROTOCOL_VERSION,
    },
  }),
);

function note(msg: string): void {
  if (errors.length < 20) errors.push(msg);
}

function subscribeFrame(channel: string): Buffer {
  let f = subscribeFrames.get(channel);
  if (!f) {
    f = clientFrame(
      encodeClientFrame({ subscribe: { requestId: 1, channel, start: Start.LATEST, after: [] } }),
    );
    subscribeFrames.set(channel, f);
  }
  return f;
}

function checkCaughtUp(c: Conn): void {
  if (!targets || c.caughtUpAt > 0) return;
  for (let p = 0; p < targets.length; p++) if ((c.last.get(p) ?? -1) < (targets[p] as number)) return;
  c.caughtUpAt = performance.now() - resumeStart;
}

function onPublication(c: Conn, frame: Buffer): void {
  const f = readPublication(frame);
  if (c.latency) {
    const sent = Number.parseFloat(
      frame.toString('latin1', f.payloadStart, Math.min(f.payloadEnd, f.payloadStart + 24)),
    );
    if (Number.isFinite(sent)) {
      latencies.push(now - sent);
      latencySent.push(sent);
    }
  }
  if (!c.tracked) return;
  if (++counters.decodeChecks % 500 === 1) {
    const d = decodeServerFrame(frame);
    if (
      !d.ok ||
      d.frame.kind !== 'publication' ||
      d.frame.publication.offset !== f.offset ||
      d.frame.publication.partition !== f.partition
    )
      counters.decodeMismatches++;
  }
  const last = c.last.get(f.partition);
  if (last !== undefined) {
    if (f.offset <= last) counters.dups++;
    else if (args?.dense && f.offset !== last + 1) counters.gaps++;
  }
  c.last.set(f.partition, f.offset);
  c.version++;
  checkCaughtUp(c);
}

function onControl(c: Conn, opcode: number, payload: Buffer): void {
  if (opcode === 8) {
    const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
    closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
    c.sock?.destroy();
    return;
  }
  if (opcode !== 2) return; // uWS pings (flow control) need no answer
  const d = decodeServerFrame(payload);
  if (!d.ok) {
    note(`undecodable frame: ${d.error.message}`);
    return;
  }
  const fr = d.frame;
  switch (fr.kind) {
    case 'welcome':
      c.sessionId = fr.welcome.sessionId;
      if (fr.welcome.resumed && targets && c.welcomedAt === 0) c.welcomedAt = performance.now() - resumeStart;
      if (!fr.welcome.resumed) c.sock?.write(subscribeFrame(c.channel));
      return;
    case 'subscribed':
      for (const p of fr.subscribed.positions)
        if (!c.last.has(p.partition)) c.last.set(p.partition, p.offset);
      c.ready = true;
      checkCaughtUp(c);
      return;
    case 'ping':
      c.sock?.write(PONG);
      return;
    case 'error':
      note(`edge error ${fr.error.code}: ${fr.error.message}`);
      return;
    case 'continuityLost':
      note(`continuity lost on ${fr.continuityLost.channel} p${fr.continuityLost.partition}`);
      return;
    default:
      return;
  }
}

function open(c: Conn, a: OpenArgs, hello: Buffer | null): Promise<void> {
  return new Promise((resolve) => {
    const localAddress = a.localAddrs[c.idx % a.localAddrs.length];
    const target = { host: a.host, port: a.port, ...(localAddress ? { localAddress } : {}), noDelay: true };
    const sock = a.tls ? tlsConnect({ ...target, rejectUnauthorized: false }) : connect(target);
    c.sock = sock;
    c.closed = false;
    c.ready = false;
    let upgraded = false;
    let head = '';
    const wants = () => c.tracked || c.latency;
    const parser = new FrameParser(
      {
        publication: (compressed) => {
          c.pubs++;
          if (compressed) counters.compressedFrames++;
        },
        frame: (opcode, raw, compressed) => {
          if (compressed && opcode === 2) counters.compressedFrames++;
          const payload = compressed
            ? inflateRawSync(Buffer.concat([raw, DEFLATE_TAIL]), { finishFlush: zlibConstants.Z_SYNC_FLUSH })
            : raw;
          if (opcode === 2 && payload[0] === 0x0a) {
            c.pubs++;
            onPublication(c, payload);
          } else onControl(c, opcode, payload);
        },
      },
      wants,
    );
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    sock.on(a.tls ? 'secureConnect' : 'connect', () =>
      sock.write(upgradeRequest(a.host, a.port, a.deflate ?? false)),
    );
    sock.on('data', (chunk: Buffer) => {
      now = performance.timeOrigin + performance.now();
      if (upgraded) {
        counters.bytes += chunk.length;
        return parser.push(chunk);
      }
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!head.startsWith('HTTP/1.1 101')) {
        note(`upgrade refused: ${head.slice(0, 40)}`);
        counters.failed++;
        sock.destroy();
        return;
      }
      upgraded = true;
      if (a.mode === 'raw') c.ready = true;
      else sock.write(hello ?? NEW_HELLO);
      settle();
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      if (rest.length > 0) parser.push(rest);
    });
    sock.on('error', (err) => {
      if (!upgraded) {
        counters.failed++;
        note(`connect: ${err.message}`);
      }
    });
    sock.on('close', () => {
      c.closed = true;
      c.sock = null;
      if (!c.ready) counters.closedEarly++;
      settle();
    });
  });
}

async function openAll(list: Conn[], a: OpenArgs, hello: (c: Conn) => Buffer | null): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const c = list[next++] as Conn;
      await open(c, a, hello(c));
    }
  };
  await Promise.all(Array.from({ length: Math.min(128, list.length) }, worker));
}

function sendAcks(): void {
  for (const c of conns) {
    if (!c.tracked || c.closed || !c.sock || c.version === c.ackedVersion || c.last.size === 0) continue;
    c.ackedVersion = c.version;
    const positions = [...c.last].map(([partition, offset]) => ({ partition, offset }));
    c.sock.write(clientFrame(encodeClientFrame({ ack: { channel: c.channel, positions } })));
  }
}

serveRpc({
  async open(msg) {
    const a = msg as unknown as OpenArgs;
    args = a;
    const list: Conn[] = [];
    for (let i = 0; i < a.count; i++) {
      const idx = a.base + conns.length + i;
      list.push({
        idx,
        channel: a.channels[idx % a.channels.length] as string,
        sock: null,
        ready: false,
        closed: true,
        sessionId: '',
        pubs: 0,
        tracked: a.trackEvery > 0 && idx % a.trackEvery === 0,
        latency: a.latencyEvery > 0 && idx % a.latencyEvery === 0,
        last: new Map(),
        ackedVersion: 0,
        version: 0,
        caughtUpAt: 0,
        welcomedAt: 0,
      });
    }
    conns.push(...list);
    await openAll(list, a, () => null);
    return null;
  },
  stats() {
    let ready = 0;
    let open = 0;
    let pubs = 0;
    let minPubs = Number.POSITIVE_INFINITY;
    let caughtUp = 0;
    let maxCaughtUpMs = 0;
    let maxWelcomedMs = 0;
    for (const c of conns) {
      if (c.welcomedAt > maxWelcomedMs) maxWelcomedMs = c.welcomedAt;
      if (!c.closed) open++;
      if (c.ready && !c.closed) ready++;
      pubs += c.pubs;
      if (c.pubs < minPubs) minPubs = c.pubs;
      if (c.caughtUpAt > 0) {
        caughtUp++;
        if (c.caughtUpAt > maxCaughtUpMs) maxCaughtUpMs = c.caughtUpAt;
      }
    }
    const lat = latencies.splice(0);
    return {
      conns: conns.length,
      open,
      ready,
      pubs,
      minPubs: conns.length ? minPubs : 0,
      caughtUp,
      maxCaughtUpMs,
      maxWelcomedMs,
      latencies: lat,
      latencySent: latencySent.splice(0),
      counters: { ...counters },
      closeCodes: Object.fromEntries(closeCodes),
      errors: errors.slice(),
    };
  },
  /** Makes every n-th connection (0: none) read the send time out of every publication from now on. */
  sample(msg) {
    const every = msg.every as number;
    for (const c of conns) c.latency = every > 0 && c.idx % every === 0;
    latencies.length = 0;
    latencySent.length = 0;
    return null;
  },
  acks(msg) {
    if (ackTimer) clearInterval(ackTimer);
    ackTimer = undefined;
    const everyMs = msg.everyMs as number;
    if (everyMs > 0) ackTimer = setInterval(sendAcks, everyMs);
    else sendAcks();
    return null;
  },
  /** Per tracked connection the last offsets: what the storm checks for exactly-once. */
  positions() {
    return conns.filter((c) => c.tracked).map((c) => Object.fromEntries(c.last));
  },
  async resume(msg) {
    const a = { ...(args as OpenArgs), host: msg.host as string, port: msg.port as number };
    targets = msg.targets as number[];
    resumeStart = performance.now();
    for (const c of conns) {
      c.caughtUpAt = 0;
      c.welcomedAt = 0;
    }
    const list = conns.filter((c) => c.closed && c.sessionId);
    await openAll(list, a, (c) => {
      const delivered: ChannelPositions[] = [
        { channel: c.channel, positions: [...c.last].map(([partition, offset]) => ({ partition, offset })) },
      ];
      return clientFrame(
        encodeClientFrame({
          hello: {
            token: '',
            sessionId: c.sessionId,
            delivered,
            clientName: 'bench',
            clientVersion: '0',
            protocolVersion: PROTOCOL_VERSION,
          },
        }),
      );
    });
    return list.length;
  },
  close() {
    if (ackTimer) clearInterval(ackTimer);
    for (const c of conns) c.sock?.destroy();
    conns.length = 0;
    return null;
  },
  exit() {
    setTimeout(() => process.exit(0), 10);
    return null;
  },
});
