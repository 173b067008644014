/**
 * Where the JS heap of an idle subscribed connection goes, measured object
 * by object: `npm run bench:memory-breakdown [-- N]` (N connections, default
 * 10,000). Builds, layer by layer, what the edge keeps for each connection
 * after Hello and one Subscribe to `<topic>` (4 partitions) has gone live —
 * the uWS user data, the Connection, its session id and log bindings, the
 * Subscription (channel, partitions, positions), the subscription map and
 * live-topic set, and the edge's sets and maps that index it — with the real
 * classes of services/edge, and prints the retained heap per connection of
 * each layer (heapUsed after two full GCs, before and after the layer). uWS's
 * native per-socket memory is not JS heap: the memory scenario's raw uWS
 * rows measure it.
 */
import { randomBytes } from 'node:crypto';
import { parseChannel } from '@fanout/core';
import pino from 'pino';
import type { WebSocket } from 'uWebSockets.js';
import { Connection, type SocketData, type Subscription } from '../services/edge/src/connection.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('run with node --expose-gc (npm run bench:memory-breakdown)\n');
  process.exit(2);
}
const n = Number(process.argv[2] ?? 10_000);
const logger = pino({ level: 'silent' });
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const keep: unknown[] = [];
const rows: Array<[string, number]> = [];
function layer(name: string, build: (i: number) => unknown): void {
  const before = heap();
  const made = Array.from({ length: n }, (_, i) => build(i));
  keep.push(made);
  // The array holding them (8 bytes a slot) is the script's, not the edge's.
  rows.push([name, (heap() - before - 8 * n) / n]);
}

const data: SocketData[] = [];
const conns: Connection[] = [];
layer('uWS user data (SocketData: origin, remote address)', (i) => {
  const d: SocketData = { origin: '', remote: `127.0.0.${1 + (i % 4)}` };
  data.push(d);
  return d;
});
// uWS's own JS WebSocket object exists per socket in raw uWS too: one stand-in for all.
const ws = {} as WebSocket<SocketData>;
layer('Connection (+ its id string)', (i) => {
  const c = new Connection(ws, `edge-1-${i + 1}`, logger, Date.now());
  (data[i] as SocketData).conn = c;
  conns.push(c);
  return null;
});
layer('session id, subject, Hello state', (i) => {
  const c = conns[i] as Connection;
  c.sessionId = randomBytes(18).toString('base64url');
  c.subject = 'anonymous';
  c.helloState = 'done';
  return null;
});
layer('Subscription (channel, partitions, positions of 4 partitions)', (i) => {
  const c = conns[i] as Connection;
  const parsed = parseChannel('bench-topic');
  if (!parsed.ok) throw new Error(parsed.reason);
  const positions = new Map<number, number>();
  for (const p of [0, 1, 2, 3]) positions.set(p, 1000 + p);
  const sub: Subscription = {
    channel: parsed.channel,
    partitions: [0, 1, 2, 3],
    positions,
    sent: new Map(positions),
    claims: undefined,
    state: 'live',
    cancelled: false,
    announce: null,
    catchingUp: false,
  };
  c.subs.set(sub.channel.name, sub);
  return null;
});
layer('live uWS topics of the connection', (i) => {
  const c = conns[i] as Connection;
  c.liveTopics = new Set(['bench-topic']);
  return null;
});
const all = new Set<Connection>();
const live = new Set<Connection>();
const bySession = new Map<string, Connection>();
layer("the edge's indexes (connections, live connections, session owners)", (i) => {
  const c = conns[i] as Connection;
  all.add(c);
  live.add(c);
  bySession.set(c.sessionId, c);
  return null;
});

let total = 0;
process.stdout.write(
  `retained JS heap per idle subscribed connection, ${n.toLocaleString('en-US')} connections\n`,
);
for (const [name, bytes] of rows) {
  total += bytes;
  process.stdout.write(`${bytes.toFixed(0).padStart(7)} B  ${name}\n`);
}
process.stdout.write(`${total.toFixed(0).padStart(7)} B  total\n`);
