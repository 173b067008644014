/**
 * The baseline: a raw uWebSockets.js server with nothing of fanout in it.
 * Each socket joins one pub/sub topic on open (round robin over the topics
 * set by the benchmark); `publish` hands the same pre-encoded publication
 * frame to `app.publish`, which is the ceiling fanout's edge is measured
 * against. With BASELINE_COMPRESSION=shared it negotiates permessage-deflate
 * (uWS's shared compressor) and publishes compressed, like the edge with
 * WS_COMPRESSION=shared.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { encodePublication, publicationFrame } from '@fanout/protocol';
import type * as Uws from 'uWebSockets.js';
import { serveRpc } from './lib/children.js';

const require = createRequire(import.meta.url);
const uws = require('uWebSockets.js') as typeof Uws;

let topics = ['bench'];
let opened = 0;
let sockets = 0;
let frame = publicationFrame(
  encodePublication({ topic: 'bench', partition: 0, offset: 0, payload: new Uint8Array(100) }),
);

let timedTopic = 'bench';
let timedOffset = 2_000_000;
const compress = process.env.BASELINE_COMPRESSION === 'shared';
const app = uws.App();
// With --expose-gc (memory scenario): a full GC on SIGUSR2, like the edge.
const exposedGc = (globalThis as { gc?: () => void }).gc;
if (exposedGc) process.on('SIGUSR2', () => exposedGc());
app.ws('/*', {
  maxPayloadLength: 64 * 1024,
  maxBackpressure: 64 * 1024 * 1024,
  closeOnBackpressureLimit: 0,
  idleTimeout: 0,
  sendPingsAutomatically: false,
  compression: compress ? uws.SHARED_COMPRESSOR : uws.DISABLED,
  open: (ws) => {
    ws.subscribe(topics[opened++ % topics.length] as string);
    sockets++;
  },
  close: () => {
    sockets--;
  },
});

const port = await new Promise<number>((resolve, reject) => {
  app.listen('127.0.0.1', 0, (s) =>
    s ? resolve(uws.us_socket_local_port(s)) : reject(new Error('listen failed')),
  );
});

serveRpc({
  info: () => ({ port, sockets, pid: process.pid }),
  cpu: () => process.cpuUsage(),
  /** The JS heap after two full GCs (with --expose-gc; NaN without). */
  heap: () => {
    if (!exposedGc) return Number.NaN;
    exposedGc();
    exposedGc();
    return process.memoryUsage().heapUsed;
  },
  setup(msg) {
    topics = msg.topics as string[];
    opened = 0;
    const payload =
      typeof msg.payload === 'string'
        ? new TextEncoder().encode(msg.payload)
        : new Uint8Array(msg.payloadBytes as number).fill(0x78);
    timedTopic = msg.topic as string;
    frame = publicationFrame(
      encodePublication({
        topic: msg.topic as string,
        partition: 0,
        offset: 1_000_000,
        timestampMs: Date.now(),
        payload,
      }),
    );
    return frame.length;
  },
  /** Publishes `count` records each carrying its send time (the latency rows): what uWS and the clients add. */
  publishTimed(msg) {
    const count = msg.count as number;
    for (let i = 0; i < count; i++) {
      const t = (performance.timeOrigin + performance.now()).toFixed(3);
      const f = publicationFrame(
        encodePublication({
          topic: timedTopic,
          partition: 0,
          offset: timedOffset++,
          timestampMs: Date.now(),
          payload: new TextEncoder().encode(`${t}|`.padEnd(msg.payloadBytes as number, 'x')),
        }),
      );
      app.publish(topics[i % topics.length] as string, f, true, compress);
    }
    return null;
  },
  publish(msg) {
    const count = msg.count as number;
    let t = msg.from as number;
    for (let i = 0; i < count; i++) app.publish(topics[t++ % topics.length] as string, frame, true, compress);
    return null;
  },
});
