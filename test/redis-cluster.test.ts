import { ownerKey } from '@fanout/core';
import { CloseCode, Start } from '@fanout/protocol';
import { type LocalRedisCluster, startRedisCluster, waitFor } from '@fanout/testing';
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { createRedisStore } from '../services/edge/src/store/redis-store.js';
import { startEdgeProcess } from './support/edge-process.js';
import { connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { type RawClient, isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);
let cluster: LocalRedisCluster;
let admin: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster({ log });
  admin = new Cluster(cluster.seeds, { redisOptions: { maxRetriesPerRequest: 1 } });
}, 120_000);
afterAll(async () => {
  admin?.disconnect();
  await cluster?.stop();
});

const sessionKey = (id: string) => `fanout:session:{${id}}`;

/** Acked offsets the cluster holds for a session: channel → partition → offset. */
async function stored(id: string): Promise<Map<string, Map<number, number>>> {
  const hash = await admin.hgetall(sessionKey(id));
  const out = new Map<string, Map<number, number>>();
  for (const [field, value] of Object.entries(hash)) {
    const m = /^a:(\d+):(.*)$/s.exec(field);
    if (!m) continue;
    const positions = out.get(m[2] as string) ?? new Map<number, number>();
    positions.set(Number(m[1]), Number(value));
    out.set(m[2] as string, positions);
  }
  return out;
}

const covers = (have: Map<number, number> | undefined, want: Array<{ partition: number; offset: number }>) =>
  want.every((p) => (have?.get(p.partition) ?? -2) >= p.offset);

describe('Redis Cluster (3 masters, 3 replicas, real redis-server)', () => {
  it('the store writes each session in its own slot and acks of many sessions in per-node pipelines', async () => {
    const store = createRedisStore({
      clusterNodes: cluster.seeds,
      ttlSeconds: 60,
      logger: pino({ level: 'silent' }),
    });
    onTestFinished(() => store.close());
    await waitFor(
      () =>
        store.heartbeat('t').then(
          () => true,
          () => false,
        ),
      {
        timeoutMs: 10_000,
        description: 'cluster store ready',
      },
    );
    const ids = Array.from({ length: 40 }, (_, i) => `cluster-store-${Date.now()}-${i}`.padEnd(22, 'x'));
    const slots = new Set(ids.map((id) => calculateSlot(sessionKey(id))));
    expect(slots.size).toBeGreaterThan(10);
    for (const id of ids) {
      await store.create(id, 'alice', 'edge', { maxSessions: 1000, perSecond: 1000 });
      await store.subscribe(id, 1, 'prices', new Map([[0, -1]]), 10);
    }
    const batch = new Map(ids.map((id, i) => [ownerKey(id, 1), new Map([['prices', new Map([[0, i]])]])]));
    const result = await store.writeAcks(batch);
    expect(result.refused.size + result.retry.size).toBe(0);
    for (const [i, id] of ids.entries()) expect((await stored(id)).get('prices')?.get(0)).toBe(i);
    const claimed = await store.claim(ids[0] as string, 'alice', 'edge-2');
    expect(claimed?.epoch).toBe(2);
    expect((await store.writeAcks(new Map([[ownerKey(ids[0] as string, 1), new Map()]]))).refused.size).toBe(
      1,
    );
  });

  it('ack, resume on the other edge and takeover work against the cluster', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const env = edgeEnv(topic, { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodeList });
    const [a, b] = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
    const first = await connect(a.url, { name: 'first' });
    const welcome = await first.hello();
    expect(isError(await first.subscribe(topic, Start.LATEST))).toBe(false);
    const before = await kafka.produce(topic, 100, [null, 'x', 'y']);
    await first.waitFor(() => first.subs.get(topic)?.received.length === 100, '100 records');
    const acked = first.delivered();
    first.ackAll();
    await waitFor(
      async () => covers((await stored(welcome.sessionId)).get(topic), acked[0]?.positions ?? []),
      {
        timeoutMs: 10_000,
        description: 'acks stored in the cluster',
      },
    );
    const gap = await kafka.produce(topic, 50, [null]);
    // Resume on B while the first is still connected: a takeover through the cluster's pub/sub.
    const second = await connect(b.url, { name: 'second' });
    const resumed = await second.hello({ sessionId: welcome.sessionId });
    expect(resumed.resumed).toBe(true);
    expect((await first.waitForClose(10_000)).code).toBe(CloseCode.SESSION_TAKEN_OVER);
    await second.waitFor(() => second.subs.get(topic)?.live === true, 'live after replay');
    await second.waitFor(
      () => second.subs.get(topic)?.received.length === gap.length,
      'the 50 after the ack',
    );
    const c = compare(second.subs.get(topic)?.received ?? [], expectedFor(topic, gap));
    expect(problems(c)).toBe('');
    expect(before.length).toBe(100);
  });

  it('a master failover during a stream with acks loses no acked position', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const env = edgeEnv(topic, { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodeList });
    const [a, b] = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);

    // 20 sessions spread over the slots of every master, each acking everything it gets.
    const clients: RawClient[] = [];
    for (let i = 0; i < 20; i++) {
      const c = await connect(a.url, { name: `streamer-${i}`, keepPayload: true });
      await c.hello();
      expect(isError(await c.subscribe(topic, Start.LATEST))).toBe(false);
      // Acks coalesced (at most one per 20 ms), as the SDK does: one ack per
      // message would pass MAX_FRAMES_PER_SECOND (close 4006) whenever more
      // than 1,000 records a second reach a client, e.g. after the failover.
      let ackPending = false;
      c.ws.on('message', () => {
        if (ackPending) return;
        ackPending = true;
        setTimeout(() => {
          ackPending = false;
          if (!c.close) c.ackAll();
        }, 20);
      });
      clients.push(c);
    }
    const ids = clients.map((c) => c.welcome?.sessionId as string);
    let streaming = true;
    const produced: Awaited<ReturnType<typeof kafka.produce>> = [];
    const stream = (async () => {
      while (streaming) produced.push(...(await kafka.produce(topic, 10, [null])));
    })();
    await waitFor(() => produced.length >= 100, { timeoutMs: 20_000, description: 'the stream running' });

    // Kill the master holding the first session; what its replica had is what survives.
    const slot = calculateSlot(sessionKey(ids[0] as string));
    const owner = (await admin.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to);
    const masterPort = owner?.[2]?.[1] as number;
    const beforeKill = await Promise.all(ids.map((id) => stored(id)));
    const started = Date.now();
    await cluster.failOverMaster(masterPort);
    log(`master ${masterPort} killed; replica took over in ${Date.now() - started} ms`);
    await waitFor(() => produced.length >= 400, {
      timeoutMs: 30_000,
      description: 'the stream after failover',
    });
    streaming = false;
    await stream;

    // Every client gets everything and acks it; every ack ends up stored.
    for (const c of clients)
      await c.waitFor(
        () => c.subs.get(topic)?.received.length === produced.length,
        `${c.name}: every record`,
      );
    for (const c of clients) c.ackAll();
    await Promise.all(
      clients.map((c, i) =>
        waitFor(
          async () => covers((await stored(ids[i] as string)).get(topic), c.delivered()[0]?.positions ?? []),
          {
            timeoutMs: 30_000,
            description: `${c.name}: final acks stored after the failover`,
          },
        ),
      ),
    );
    // Nothing stored before the failover went backwards (max-merge; what the old master had acked).
    const afterAll = await Promise.all(ids.map((id) => stored(id)));
    let regressed = 0;
    for (const [i, was] of beforeKill.entries())
      for (const [p, offset] of was.get(topic) ?? [])
        if ((afterAll[i]?.get(topic)?.get(p) ?? -2) < offset) regressed++;
    expect(regressed).toBe(0);
    for (const c of clients) await c.end();

    // Resumes on the other edge replay nothing: the acks are all there.
    const last = await kafka.produce(topic, 30, [null]);
    let replayedTotal = 0;
    for (const id of ids) {
      const r = await connect(b.url, { name: `resume-${id.slice(0, 6)}` });
      const w = await r.hello({ sessionId: id });
      expect(w.resumed).toBe(true);
      await r.waitFor(
        () => r.subs.get(topic)?.live === true && r.subs.get(topic)?.received.length === last.length,
        'the 30 new records',
      );
      const c = compare(r.subs.get(topic)?.received ?? [], expectedFor(topic, last));
      expect(problems(c)).toBe('');
      replayedTotal += (r.subs.get(topic)?.received ?? []).filter((x) => x.replayed).length;
      await r.end();
    }
    log(
      `failover during a stream: ${produced.length} records × ${clients.length} sessions acked, 0 acked positions lost or regressed, resumes replayed ${replayedTotal} (only records produced after the clients left)`,
    );
  });
});
