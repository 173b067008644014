/**
 * Where the JS heap of an idle subscribed connection goes, measured object
 * by object: `npm run bench:memory-breakdown [-- N]` (N connections, default
 * 10,000). Builds, layer by layer, what the edge keeps for each connection
 * after Hello and one Subscribe to `<topic>` (4 partitions) has gone live —
 * the uWS user data, the Connection, its session id, the Subscription
 * (channel, partitions, positions), the live-topic set, and the edge's sets
 * and maps that index it — with the real classes of services/edge
 * (Connection, TopicState's shared channel, LiveDelivery.update,
 * SessionOwners.own), and prints the retained heap per connection of each
 * layer (heapUsed after two full GCs, before and after the layer). Then, apart
 * (not part of the edge's total with Redis), the in-process memory store's
 * state per session (STORE=memory; with Redis this lives in Redis, measured
 * by the memory scenario's "Redis bytes per session" row). uWS's native
 * per-socket memory is not JS heap: the memory scenario's raw uWS rows
 * measure it.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { WebSocket } from 'uWebSockets.js';
import { Connection, type SocketData, type Subscription } from '../services/edge/src/connection.js';
import type { KafkaLog } from '../services/edge/src/kafka/kafka-log.js';
import { LiveDelivery } from '../services/edge/src/live-delivery.js';
import { SessionOwners } from '../services/edge/src/session-owners.js';
import { createMemoryStore } from '../services/edge/src/store/memory-store.js';
import type { SessionStore } from '../services/edge/src/store/session-store.js';
import { TopicState } from '../services/edge/src/topic-state.js';

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
async function measure(build: (i: number) => unknown): Promise<number> {
  const before = heap();
  const made: unknown[] = [];
  for (let i = 0; i < n; i++) made.push(await build(i));
  keep.push(made);
  // The array holding them (8 bytes a slot) is the script's, not the edge's.
  return (heap() - before - 8 * n) / n;
}
const rows: Array<[string, number]> = [];
async function layer(name: string, build: (i: number) => unknown): Promise<void> {
  rows.push([name, await measure(build)]);
}

const TOPIC = 'bench-topic';
const topic = new TopicState(TOPIC, 'id-1', {} as KafkaLog, 1 << 20);
const topics = new Map([[TOPIC, topic]]);
const live = new LiveDelivery({
  topics,
  slowClient: { bufferBytes: 1 << 20, hardBytes: 4 << 20, stuckMs: 30_000 },
  defer: () => undefined,
});
const noStore = { onTakeover: () => undefined, announce: async () => undefined } as unknown as SessionStore;
const owners = new SessionOwners({
  store: noStore,
  acks: {} as ConstructorParameters<typeof SessionOwners>[0]['acks'],
  nodeId: 'edge-1',
  logger,
  releaseWaitMs: 1000,
  flushTimeoutMs: 800,
});

const data: SocketData[] = [];
const conns: Connection[] = [];
await layer('uWS user data (SocketData: origin, remote address)', (i) => {
  const d: SocketData = { origin: '', remote: `127.0.0.${1 + (i % 4)}` };
  data.push(d);
  return d;
});
// uWS's own JS WebSocket object exists per socket in raw uWS too: one stand-in for all.
const ws = {
  subscribe: () => true,
  unsubscribe: () => true,
  ping: () => 1,
} as unknown as WebSocket<SocketData>;
await layer('Connection (fields, subscription map, id string)', (i) => {
  const c = new Connection(ws, `edge-1-${i + 1}`, logger, Date.now());
  (data[i] as SocketData).conn = c;
  conns.push(c);
  return null;
});
await layer('session id, subject, Hello state', (i) => {
  const c = conns[i] as Connection;
  c.sessionId = randomBytes(18).toString('base64url');
  c.subject = 'anonymous';
  c.helloState = 'done';
  return null;
});
await layer('Subscription (shared channel, partitions, positions and sent of 4 partitions)', (i) => {
  const c = conns[i] as Connection;
  const positions = new Map<number, number>();
  for (const p of [0, 1, 2, 3]) positions.set(p, 1000 + p);
  const sub: Subscription = {
    // As session-handler.ts does for a whole-topic channel: the topic's one object.
    channel: topic.channel,
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
await layer('live uWS topics (a shared set) and the live-connection index', (i) => {
  live.update(conns[i] as Connection);
  return null;
});
const all = new Set<Connection>();
await layer("the edge's indexes (connections, session owners)", (i) => {
  const c = conns[i] as Connection;
  all.add(c);
  owners.own(c);
  return null;
});

// Apart: with STORE=memory the sessions live in the edge's process.
const store = createMemoryStore({ ttlSeconds: 3600 });
const memoryStore = await measure(async (i) => {
  const c = conns[i] as Connection;
  await store.create(c.sessionId, `user-${i}`, 'edge-1', { maxSessions: 10, perSecond: 1_000_000 });
  await store.subscribe(
    c.sessionId,
    1,
    TOPIC,
    new Map([...(c.subs.get(TOPIC)?.positions ?? [])]),
    100,
    'id-1',
  );
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
process.stdout.write(`${total.toFixed(0).padStart(7)} B  total (the session store in Redis)\n`);
process.stdout.write(
  `${memoryStore.toFixed(0).padStart(7)} B  apart: the in-process memory store per session (STORE=memory: subject, epoch, one subscription's 4 positions, topic id, quota index)\n`,
);
