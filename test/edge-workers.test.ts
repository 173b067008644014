import { get as httpGet } from 'node:http';
import { CloseCode, GoAwayReason, Start } from '@fanout/protocol';
import { waitFor } from '@fanout/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type EdgeProcess, jsonLogs, startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, storedAcks, waitForStoredAcks } from './support/fixtures.js';
import { TestKafka, steadyStream } from './support/kafka.js';
import { type RawClient, isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

// EDGE_WORKERS=2: two edge worker processes on one port under a supervisor.
// Resume across workers, one worker killed, SIGTERM drain, metrics and
// readiness per worker.

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', null];

afterAll(closeRedis);

interface Workers {
  edge: EdgeProcess;
  adminPort: number;
  pids: number[];
}

async function startWorkers(env: Record<string, string>): Promise<Workers> {
  const edge = await startEdgeProcess(
    { ...env, EDGE_WORKERS: '2', EDGE_ADMIN_PORT: '0' },
    { listeningMessage: 'edge workers listening' },
  );
  const line = jsonLogs(edge.logs()).find((l) => l.msg === 'edge workers listening');
  const workers = (line?.workers ?? []) as Array<{ worker: number; pid: number }>;
  return { edge, adminPort: line?.admin_port as number, pids: workers.map((w) => w.pid) };
}

function getText(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

interface HostReadiness {
  ready: boolean;
  workers: Array<{ worker: number; ready: boolean; restarts: number; pid: number | null }>;
}
async function readyz(port: number): Promise<{ status: number; body: HostReadiness }> {
  const r = await getText(port, '/readyz');
  return { status: r.status, body: JSON.parse(r.body) as HostReadiness };
}

/** The value of one series of the supervisor's /metrics, e.g. `fanout_connections{worker="0"}`. */
function series(text: string, name: string, labels: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.indexOf('}');
    if (line.slice(name.length + 1, close) === labels) return Number(line.slice(close + 1));
  }
  return undefined;
}

/** Which worker a Welcome's node id names (`…-w<n>` or `…-w<n>-r<restarts>`). */
const workerOf = (nodeId: string) => /-w(\d+)(-r\d+)?$/.exec(nodeId)?.[1] ?? '?';

describe('EDGE_WORKERS=2', () => {
  it('a session acked on one worker resumes on the other: exactly the records after the ack, then live', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const channels = [topic, `${topic}:k1`];
    const { edge } = await startWorkers(edgeEnv(topic));

    const first = await connect(edge.url, { name: 'first' });
    const welcome = await first.hello();
    for (const channel of channels) expect(isError(await first.subscribe(channel, Start.LATEST))).toBe(false);
    const before = await kafka.produce(topic, 200, KEYS);
    await first.waitFor(
      () => channels.every((c) => first.subs.get(c)?.received.length === expectedFor(c, before).length),
      'the first 200 records',
    );
    // Ack up to the 100th record of each channel and partition.
    const cut = before[99]?.seq as number;
    const acks = channels.map((channel) => {
      const last = new Map<number, number>();
      for (const r of first.subs.get(channel)?.received ?? [])
        if (Number.parseInt(r.payload, 10) <= cut) last.set(r.partition, r.offset);
      return { channel, positions: [...last].map(([partition, offset]) => ({ partition, offset })) };
    });
    for (const a of acks) first.ack(a.channel, a.positions);
    await waitForStoredAcks(welcome.sessionId, acks);
    await first.end();
    const gap = await kafka.produce(topic, 200, KEYS);

    // The kernel picks the worker: resume (without acking) until one lands on the other worker.
    let second: RawClient | undefined;
    const landed: string[] = [];
    for (let attempt = 0; attempt < 30 && !second; attempt++) {
      const c = await connect(edge.url, { name: `second-${attempt}` });
      const resumed = await c.hello({ sessionId: welcome.sessionId });
      expect(resumed.resumed).toBe(true);
      landed.push(workerOf(resumed.nodeId));
      if (workerOf(resumed.nodeId) !== workerOf(welcome.nodeId)) second = c;
      else await c.end();
    }
    if (!second) throw new Error(`every resume landed on worker ${workerOf(welcome.nodeId)}: ${landed}`);
    const resumedOn = second;
    await resumedOn.waitFor(
      () => channels.every((c) => resumedOn.subs.get(c)?.live),
      'Subscribed after replay',
    );
    const live = await kafka.produce(topic, 100, KEYS);
    const after = [...before.slice(100), ...gap, ...live];
    await resumedOn.waitFor(
      () => channels.every((c) => resumedOn.subs.get(c)?.received.length === expectedFor(c, after).length),
      'every record after the ack',
    );
    for (const channel of channels)
      expect(
        problems(compare(resumedOn.subs.get(channel)?.received ?? [], expectedFor(channel, after))),
        channel,
      ).toBe('');
    expect(resumedOn.violations).toEqual([]);
    expect(resumedOn.errors).toEqual([]);
    expect(resumedOn.continuityLost).toEqual([]);
    console.log(
      `workers resume: acked on worker ${workerOf(welcome.nodeId)}, resumes landed on ${landed.join(',')}`,
    );
  });

  it('SIGKILL of one worker: its clients resume on the other with every record exactly once; it is restarted; /metrics and /readyz per worker', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const { edge, adminPort, pids } = await startWorkers(edgeEnv(topic));
    expect(pids).toHaveLength(2);

    interface Peer {
      channel: string;
      sessionId: string;
      worker: string;
      clients: RawClient[];
    }
    const peers: Peer[] = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const channel = i % 2 === 0 ? topic : `${topic}:${KEYS[i % 6]}`;
        const client = await connect(edge.url, { name: `client-${i}` });
        const welcome = await client.hello();
        const answer = await client.subscribe(channel, Start.LATEST);
        if (isError(answer)) throw new Error(answer.message);
        return { channel, sessionId: welcome.sessionId, worker: workerOf(welcome.nodeId), clients: [client] };
      }),
    );
    const on = (w: string) => peers.filter((p) => p.worker === w).length;
    // 20 connections hashed over two listen sockets: both get some (all on one: 2^-19).
    expect(on('0') + on('1')).toBe(20);
    expect(on('0')).toBeGreaterThan(0);
    expect(on('1')).toBeGreaterThan(0);

    // Per worker: the supervisor's /metrics labels each worker's series; /readyz lists each worker.
    const metrics = await waitFor(
      async () => {
        const m = (await getText(adminPort, '/metrics')).body;
        return series(m, 'fanout_connections', 'worker="0"') === on('0') &&
          series(m, 'fanout_connections', 'worker="1"') === on('1')
          ? m
          : undefined;
      },
      { description: 'fanout_connections per worker' },
    );
    expect(series(metrics, 'fanout_ready', 'worker="0"')).toBe(1);
    expect(series(metrics, 'fanout_ready', 'worker="1"')).toBe(1);
    expect(metrics).toMatch(/^fanout_workers_listening 2$/m);
    const ready = await readyz(adminPort);
    expect(ready.status).toBe(200);
    expect(ready.body.workers.map((w) => [w.worker, w.ready, w.pid])).toEqual([
      [0, true, pids[0]],
      [1, true, pids[1]],
    ]);

    const current = (p: Peer) => p.clients[p.clients.length - 1] as RawClient;
    const acking = setInterval(() => {
      for (const p of peers) if (!current(p).close) current(p).ackAll();
    }, 100);
    const stream = steadyStream(kafka, topic, KEYS, 20, 50);
    try {
      await Promise.all(
        peers.map((p) =>
          current(p).waitFor(() => (current(p).subs.get(p.channel)?.received.length ?? 0) >= 10, 'records'),
        ),
      );
      process.kill(pids[0] as number, 'SIGKILL');
      const victims = peers.filter((p) => p.worker === '0');
      await Promise.all(victims.map((p) => current(p).waitForClose(10_000)));
      // They reconnect to the same port: the surviving worker (or the restarted one) takes them.
      await Promise.all(
        victims.map(async (p, i) => {
          const previous = current(p);
          const client = await connect(edge.url, { name: `victim-${i}/resumed` });
          p.clients.push(client);
          const welcome = await client.hello({ sessionId: p.sessionId, delivered: previous.delivered() });
          expect(welcome.resumed).toBe(true);
          // Not the dead worker: the other one, or worker 0 restarted (a new node id).
          expect(workerOf(welcome.nodeId) === '1' || /-w0-r\d+$/.test(welcome.nodeId), welcome.nodeId).toBe(
            true,
          );
          await client.waitFor(() => client.subs.get(p.channel)?.live === true, 'Subscribed', 30_000);
        }),
      );
      const target = stream.count + 200;
      await waitFor(() => stream.count >= target, { timeoutMs: 30_000, description: 'more live records' });
    } finally {
      clearInterval(acking);
      await stream.stop();
    }
    const all = kafka.produced;
    const failures: string[] = [];
    for (const p of peers) {
      const expected = expectedFor(p.channel, all);
      const got = () => p.clients.flatMap((c) => c.subs.get(p.channel)?.received ?? []);
      await current(p).waitFor(() => got().length >= expected.length, 'every record', 30_000);
      const issue = problems(compare(got(), expected));
      if (issue) failures.push(`${current(p).name}: ${issue}`);
      for (const c of p.clients)
        if (c.violations.length || c.errors.length || c.continuityLost.length) failures.push(c.summary());
    }
    expect(failures).toEqual([]);

    // The supervisor restarted worker 0; the host is ready again, with both workers.
    const again = await waitFor(
      async () => {
        const r = await readyz(adminPort);
        return r.status === 200 && r.body.workers[0]?.restarts === 1 ? r : undefined;
      },
      { timeoutMs: 30_000, description: 'worker 0 restarted and ready' },
    );
    expect(again.body.workers[0]?.pid).not.toBe(pids[0]);
    const logs = jsonLogs(edge.logs());
    expect(
      logs.some((l) => l.msg === 'worker died; restarting it' && l.worker === 0 && l.signal === 'SIGKILL'),
    ).toBe(true);
    const after = (await getText(adminPort, '/metrics')).body;
    expect(series(after, 'fanout_worker_restarts_total', 'worker="0"')).toBe(1);
    console.log(
      `workers kill: ${on('0')} clients on the killed worker, ${on('1')} on the other; ${all.length} records, ${failures.length} failures`,
    );
  });

  it('SIGTERM drains every worker: /readyz 503, GoAway and 4000 to every client, acks flushed, exit 0', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    // Acks are written behind only every minute: only the shutdown flush can persist them.
    const { edge, adminPort } = await startWorkers(
      edgeEnv(topic, { ACK_FLUSH_INTERVAL_MS: '60000', SHUTDOWN_TIMEOUT_MS: '8000' }),
    );
    const clients: Array<{ client: RawClient; sessionId: string; worker: string }> = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const client = await connect(edge.url, { name: `client-${i}` });
        const welcome = await client.hello();
        const answer = await client.subscribe(topic, Start.LATEST);
        if (isError(answer)) throw new Error(answer.message);
        return { client, sessionId: welcome.sessionId, worker: workerOf(welcome.nodeId) };
      }),
    );
    const records = await kafka.produce(topic, 100, KEYS);
    await Promise.all(
      clients.map(({ client }) =>
        client.waitFor(() => client.subs.get(topic)?.received.length === records.length, 'records'),
      ),
    );
    for (const { client } of clients) client.ackAll();
    // An ack is processed once a later frame on the same socket is answered.
    await Promise.all(
      clients.map(async ({ client }) => {
        const pongs = client.events.filter((f) => f.kind === 'pong').length;
        client.send({ ping: {} });
        await client.waitFor(() => client.events.filter((f) => f.kind === 'pong').length > pongs, 'pong');
      }),
    );
    expect((await readyz(adminPort)).status).toBe(200);

    const statuses: Array<number | string> = [];
    let polling = true;
    const poller = (async () => {
      while (polling)
        statuses.push(
          await readyz(adminPort).then(
            (r) => r.status,
            (err: NodeJS.ErrnoException) => err.code ?? 'error',
          ),
        );
    })();
    const exitCode = edge.stop();
    await Promise.all(clients.map(({ client }) => client.waitForClose(10_000)));
    expect(await exitCode, edge.logs().slice(-10).join('\n')).toBe(0);
    polling = false;
    await poller;

    for (const { client } of clients) {
      expect(client.close?.code, client.name).toBe(CloseCode.SHUTDOWN);
      expect(client.goAways.map((g) => g.reason)).toEqual([GoAwayReason.SHUTDOWN]);
    }
    expect(statuses).toContain(503);
    const logs = jsonLogs(edge.logs());
    const flushedBy = new Set(logs.filter((l) => l.msg === 'pending acks flushed').map((l) => l.worker));
    expect([...flushedBy].sort()).toEqual([0, 1]);
    // Every client's acks reached the store, whichever worker held it.
    for (const { client, sessionId } of clients) {
      const stored = (await storedAcks(sessionId)).get(topic) ?? new Map();
      const delivered = client.delivered().find((d) => d.channel === topic)?.positions ?? [];
      expect(new Map(delivered.map((p) => [p.partition, p.offset])), client.name).toEqual(stored);
    }
    const spread = ['0', '1'].map((w) => clients.filter((c) => c.worker === w).length).join('/');
    console.log(
      `workers sigterm: clients per worker ${spread}; readyz during drain ${[...new Set(statuses)]}`,
    );
  });
});
