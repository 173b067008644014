import { CloseCode, ErrorCode, PROTOCOL_VERSION, Start, encodeClientFrame } from '@fanout/protocol';
import { waitFor } from '@fanout/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { rssBytes, startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TEST_JWT_SECRET, signToken } from './support/jwt.js';
import { TestKafka } from './support/kafka.js';
import { EdgeErrorFrame, isError } from './support/raw-client.js';

afterAll(closeRedis);
const MB = 1024 * 1024;
const sessionKey = (id: string) => `fanout:session:{${id}}`;

function redis(): Redis {
  const r = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
  onTestFinished(() => r.disconnect());
  return r;
}

/** Opens `n` plain ws sockets (in batches), closed when the test finishes. */
async function openSockets(url: string, n: number): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  onTestFinished(() => {
    for (const ws of out) ws.terminate();
  });
  for (let i = 0; i < n; i += 200) {
    const batch = Array.from(
      { length: Math.min(200, n - i) },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          ws.on('error', () => undefined);
          ws.once('open', () => resolve(ws));
          ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
          ws.once('close', (code) => reject(new Error(`closed ${code} before open`)));
        }),
    );
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

describe('sessions while connected', () => {
  it('a connected, subscribed client that never acks keeps its session for 3 × SESSION_TTL_SECONDS; a session that vanishes is reported (4100)', async () => {
    const ttlSeconds = 10;
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const edge = await startEdgeProcess(edgeEnv(topic, { SESSION_TTL_SECONDS: String(ttlSeconds) }));
    const r = redis();
    const first = await connect(edge.url, { name: 'silent' });
    const welcome = await first.hello();
    expect(isError(await first.subscribe(topic, Start.LATEST))).toBe(false);
    await kafka.produce(topic, 20, [null]);
    await first.waitFor(() => first.subs.get(topic)?.received.length === 20, '20 records, never acked');

    // Time passing is the event here: watch the session's TTL while 3 × TTL elapse.
    const started = Date.now();
    let refreshes = 0;
    let lastTtl = await r.pttl(sessionKey(welcome.sessionId));
    await waitFor(
      async () => {
        const ttl = await r.pttl(sessionKey(welcome.sessionId));
        if (ttl < 0) throw new Error('the session expired while connected');
        if (ttl > lastTtl) refreshes++;
        lastTtl = ttl;
        return Date.now() - started >= 3 * ttlSeconds * 1000;
      },
      { timeoutMs: 3 * ttlSeconds * 1000 + 20_000, intervalMs: 250, description: '3 × TTL elapsed' },
    );
    expect(refreshes).toBeGreaterThanOrEqual(3);
    first.terminate();
    await first.closed;

    const second = await connect(edge.url, { name: 'resumer' });
    const resumed = await second.hello({ sessionId: welcome.sessionId });
    expect(resumed.resumed).toBe(true);
    expect(resumed.subscriptions.map((s) => s.channel)).toEqual([topic]);
    await second.waitFor(
      () => second.subs.get(topic)?.received.length === 20,
      'the 20 unacked records again',
    );

    // Flushed or evicted under it: the client is told with the documented code within a refresh.
    await r.del(sessionKey(welcome.sessionId));
    const closed = await second.waitForClose((ttlSeconds * 1000) / 3 + 10_000);
    expect(closed.code).toBe(CloseCode.SESSION_NOT_FOUND);
    expect(second.errors.map((e) => e.code)).toEqual([ErrorCode.SESSION_NOT_FOUND]);
    process.stderr.write(
      `[ttl] ${3 * ttlSeconds} s connected without an ack: ${refreshes} TTL refreshes, resumed; vanished session closed ${closed.code}\n`,
    );
  });
});

describe('edge limits', () => {
  it('refuses the upgrade with HTTP 503 past MAX_CONNECTIONS', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const edge = await startEdgeProcess(edgeEnv(topic, { MAX_CONNECTIONS: '3' }));
    const held = await Promise.all([0, 1, 2].map((i) => connect(edge.url, { name: `c${i}` })));
    await expect(connect(edge.url, { name: 'fourth' })).rejects.toThrow(/HTTP 503/);
    await held[0]?.end();
    await waitFor(
      () =>
        connect(edge.url, { name: 'after one left' }).then(
          () => true,
          () => false,
        ),
      { timeoutMs: 5000, description: 'a free slot after a close' },
    );
  });

  it('3,000 half-sent fragmented frames before Hello and 50 ping-flooding non-readers keep the edge within a stated bound', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const maxFrameBytes = 4096;
    const edge = await startEdgeProcess(
      // Nothing closes them for silence during the measurement: only the limits under test act.
      edgeEnv(topic, {
        MAX_FRAME_BYTES: String(maxFrameBytes),
        HELLO_TIMEOUT_MS: '120000',
        HEARTBEAT_TIMEOUT_MS: '120000',
      }),
    );
    const idle = await openSockets(edge.url, 10);
    const baseline = await rssBytes(edge.pid);

    // Each holds a message the transport must buffer: a first fragment just under its limit, never finished.
    const fragment = new Uint8Array(2 * maxFrameBytes - 512).fill(0x0a);
    const holders = await openSockets(edge.url, 3000);
    await Promise.all(
      holders.map(
        (ws) =>
          new Promise<void>((resolve) => ws.send(fragment, { binary: true, fin: false }, () => resolve())),
      ),
    );
    // The edge has read them all when a Hello sent after them on another socket is answered.
    const probe = await connect(edge.url, { name: 'probe' });
    await probe.hello();
    const fragments = await rssBytes(edge.pid);
    expect(holders.filter((ws) => ws.readyState === WebSocket.OPEN)).toHaveLength(holders.length);

    // Non-readers that flood pings (WebSocket pings, answered by the transport, and protocol pings).
    const flooders = await openSockets(edge.url, 50);
    const ping = encodeClientFrame({ ping: {} });
    const payload = Buffer.alloc(125, 1);
    for (const ws of flooders) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let closedFlooders = 0;
    for (const ws of flooders) ws.once('close', () => closedFlooders++);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && closedFlooders < flooders.length) {
      for (const ws of flooders) {
        if (ws.readyState !== WebSocket.OPEN) continue;
        for (let i = 0; i < 20; i++) {
          ws.ping(payload);
          ws.send(ping, { binary: true });
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    const flooded = await rssBytes(edge.pid);
    const perConnection = (fragments - baseline) / holders.length;
    process.stderr.write(
      `[memory] MAX_FRAME_BYTES=${maxFrameBytes}: baseline ${(baseline / MB).toFixed(1)} MB; +3000 half-sent frames before Hello ${((fragments - baseline) / MB).toFixed(1)} MB (${(perConnection / 1024).toFixed(1)} KiB each); +50 ping flooders ${((flooded - fragments) / MB).toFixed(1)} MB (${closedFlooders} closed for not reading)\n`,
    );
    // Bound: per connection the transport limit (2 × MAX_FRAME_BYTES) plus socket overhead.
    expect(fragments - baseline).toBeLessThan(3000 * (2 * maxFrameBytes + 16 * 1024));
    expect(flooded - fragments).toBeLessThan(50 * MB);
    expect(probe.close).toBeUndefined();
    expect(idle.every((ws) => ws.readyState === WebSocket.OPEN)).toBe(true);
    // And a fresh client is still served.
    const served = await connect(edge.url, { name: 'served' });
    await served.hello();
    expect(isError(await served.subscribe(topic, Start.LATEST))).toBe(false);
  });

  it('a subject opening sessions in a loop is rate limited (4006) and keeps at most MAX_SESSIONS_PER_SUBJECT', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const maxSessions = 5;
    const perSecond = 10;
    const edge = await startEdgeProcess(
      edgeEnv(topic, {
        AUTH_MODE: 'jwt',
        JWT_HS256_SECRET: TEST_JWT_SECRET,
        MAX_SESSIONS_PER_SUBJECT: String(maxSessions),
        NEW_SESSIONS_PER_SECOND: String(perSecond),
      }),
    );
    const subject = `looper-${Date.now()}`;
    const token = await signToken({ sub: subject, channels: ['*'] });
    const r = redis();
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await r.info('memory'))?.[1]);
    const before = await usedMemory();
    let created = 0;
    let limited = 0;
    const started = Date.now();
    while (Date.now() - started < 3000) {
      const c = await connect(edge.url, { name: 'looper' });
      try {
        await c.hello({ token });
        created++;
        await c.subscribe(topic, Start.LATEST);
      } catch (err) {
        if (!(err instanceof EdgeErrorFrame) || err.frame.code !== ErrorCode.RATE_LIMITED) throw err;
        expect((await c.waitForClose()).code).toBe(CloseCode.RATE_LIMITED);
        limited++;
      }
      c.terminate();
      await c.closed;
    }
    const elapsed = (Date.now() - started) / 1000;
    // The edge releases closed sessions asynchronously; the last ones may still count as connected.
    await waitFor(
      async () => {
        const ids = await r.zrange(`fanout:subject:{${subject}}`, 0, -1);
        let alive = 0;
        for (const id of ids) alive += await r.exists(sessionKey(id));
        return alive <= maxSessions + 1;
      },
      { timeoutMs: 10_000, description: 'at most the quota of sessions kept' },
    );
    const growth = (await usedMemory()) - before;
    process.stderr.write(
      `[quota] edge: ${created} sessions created and ${limited} refused (4006) in ${elapsed.toFixed(1)} s at ${perSecond}/s; at most ${maxSessions} kept; Redis used_memory growth ${(growth / 1024).toFixed(0)} KiB\n`,
    );
    expect(created).toBeLessThanOrEqual(perSecond * Math.ceil(elapsed + 1));
    expect(limited).toBeGreaterThan(0);
  });

  it('states the memory of an authenticated idle connection', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const edge = await startEdgeProcess(edgeEnv(topic));
    await openSockets(edge.url, 10);
    const baseline = await rssBytes(edge.pid);
    const sockets = await openSockets(edge.url, 2000);
    const hello = encodeClientFrame({
      hello: { token: '', protocolVersion: PROTOCOL_VERSION, clientName: 'idle' },
    });
    let welcomed = 0;
    for (const ws of sockets) {
      ws.once('message', () => welcomed++);
      ws.send(hello, { binary: true });
    }
    await waitFor(() => welcomed === sockets.length, { timeoutMs: 60_000, description: '2000 Welcomes' });
    const after = await rssBytes(edge.pid);
    process.stderr.write(
      `[memory] authenticated idle connection (session created, no subscription): ${((after - baseline) / sockets.length / 1024).toFixed(1)} KiB each over 2000\n`,
    );
    expect(after - baseline).toBeLessThan(2000 * 64 * 1024);
  });
});
