import { request } from 'node:http';
import { Agent } from 'node:http';
import { CloseCode, GoAwayReason, Start } from '@fanout/protocol';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { RawClient, isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

const KEYS = Array.from({ length: 12 }, (_, i) => `key-${i}`);

/** GET over one keep-alive connection: the status, or the error's code (ECONNREFUSED…). */
function get(agent: Agent, port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('SIGTERM', () => {
  it('turns /readyz 503, refuses upgrades, sends GoAway and 4000, flushes acks: a resume replays nothing acked', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    // Acks are written behind only every minute here: only the shutdown flush can persist them.
    const env = edgeEnv(topic, { ACK_FLUSH_INTERVAL_MS: '60000', SHUTDOWN_TIMEOUT_MS: '8000' });
    const edge = await startEdgeProcess(env);

    const clients: RawClient[] = [];
    const sessions: string[] = [];
    for (let i = 0; i < 10; i++) {
      const client = await connect(edge.url, { name: `client-${i}` });
      sessions.push((await client.hello()).sessionId);
      const answer = await client.subscribe(topic, Start.LATEST);
      if (isError(answer)) throw new Error(answer.message);
      clients.push(client);
    }
    const before = await kafka.produce(topic, 300, KEYS);
    await Promise.all(
      clients.map((c) => c.waitFor(() => c.subs.get(topic)?.received.length === before.length, 'records')),
    );
    for (const c of clients) c.ackAll();
    // An ack is processed once a later frame on the same socket is answered.
    await Promise.all(
      clients.map(async (c) => {
        const pongs = c.events.filter((f) => f.kind === 'pong').length;
        c.send({ ping: {} });
        await c.waitFor(() => c.events.filter((f) => f.kind === 'pong').length > pongs, 'pong');
      }),
    );

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    onTestFinished(() => agent.destroy());
    expect(await get(agent, edge.port, '/readyz')).toBe(200);
    const statuses: Array<number | string> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) statuses.push(await get(agent, edge.port, '/readyz'));
    })();

    const exitCode = edge.stop();
    await Promise.all(clients.map((c) => c.waitForClose(10_000)));
    const refused = await RawClient.connect(edge.url).then(
      (c) => {
        c.terminate();
        return 'accepted';
      },
      (err: Error) => err.message,
    );
    expect(await exitCode, edge.logs().slice(-10).join('\n')).toBe(0);
    polling = false;
    await poller;

    for (const c of clients) {
      expect(c.close?.code, c.name).toBe(CloseCode.SHUTDOWN);
      expect(
        c.goAways.map((g) => g.reason),
        c.name,
      ).toEqual([GoAwayReason.SHUTDOWN]);
      expect(c.events[c.events.length - 1]?.kind, `${c.name}: GoAway is the last frame`).toBe('goAway');
    }
    expect(refused).not.toBe('accepted');
    expect(statuses, 'readyz during shutdown').toContain(503);
    expect(statuses.indexOf(503)).toBeLessThan(statuses.findIndex((s) => typeof s === 'string') >>> 0);
    const logs = edge.logs().join('\n');
    expect(logs).toContain('pending acks flushed');

    // A restarted edge: the sessions resume right after what they acked.
    const restarted = await startEdgeProcess(env);
    const resumed = await Promise.all(
      sessions.map(async (sessionId, i) => {
        const c = await connect(restarted.url, { name: `client-${i}/resumed` });
        const welcome = await c.hello({ sessionId });
        const acked = clients[i]?.delivered().find((d) => d.channel === topic)?.positions ?? [];
        const starts = welcome.subscriptions.find((s) => s.channel === topic)?.positions ?? [];
        // The fresh topic's partitions start at -1 (subscribed at latest); acked ones after the ack.
        const expected = new Map([0, 1, 2].map((p) => [p, -1]));
        for (const p of acked) expected.set(p.partition, p.offset);
        expect(new Map(starts.map((p) => [p.partition, p.offset]))).toEqual(expected);
        await c.waitFor(() => c.subs.get(topic)?.live === true, 'Subscribed');
        return c;
      }),
    );
    const after = await kafka.produce(topic, 100, KEYS);
    for (const c of resumed) {
      await c.waitFor(() => (c.subs.get(topic)?.received.length ?? 0) >= after.length, 'new records');
      const received = c.subs.get(topic)?.received ?? [];
      expect(
        received.filter((r) => r.replayed),
        `${c.name} replayed`,
      ).toEqual([]);
      expect(problems(compare(received, expectedFor(topic, after))), c.name).toBe('');
      expect(c.violations).toEqual([]);
    }
    console.log(
      `sigterm: readyz during shutdown ${[...new Set(statuses)].join(',')}; ${clients.length} clients got GoAway+4000; upgrade after SIGTERM: ${refused}; resumed with 0 replayed, ${after.length} live each`,
    );
  });
});
