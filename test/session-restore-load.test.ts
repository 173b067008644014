import { readFile } from 'node:fs/promises';
import { ErrorCode, Start } from '@fanout/protocol';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { type RawClient, isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

afterAll(closeRedis);
const MAX_SUBSCRIPTIONS = 100;

/** CPU seconds (user + system) a process used so far (/proc/<pid>/stat, 100 ticks per second). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function storedChannels(r: Redis, id: string): Promise<number> {
  return r.hkeys(`fanout:session:{${id}}`).then((fields) => fields.filter((f) => f.startsWith('c:')).length);
}

describe('restoring sessions under load', () => {
  it('the subscription limit holds across 30 concurrent connections on one session, and on restore', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(2);
    const edges = await Promise.all([0, 1].map(() => startEdgeProcess(edgeEnv(topic))));
    const r = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 });
    onTestFinished(() => r.disconnect());
    const owner = await connect(edges[0]?.url as string, { name: 'owner' });
    const { sessionId } = await owner.hello();

    // 30 connections resume it at once, on both edges, and each asks for 100 channels of its own.
    const attackers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        connect(edges[i % 2]?.url as string, { name: `attacker-${i}`, keepPayload: false }),
      ),
    );
    await Promise.all(
      attackers.map(async (c, i) => {
        try {
          await c.hello({ sessionId });
        } catch {
          return; // taken over before its Welcome
        }
        await Promise.all(
          Array.from({ length: MAX_SUBSCRIPTIONS }, (_, j) =>
            c.subscribe(`${topic}:a${i}-${j}`, Start.LATEST, [], 20_000).catch(() => undefined),
          ),
        );
      }),
    );
    const stored = await storedChannels(r, sessionId);
    const tooMany = attackers
      .flatMap((c) => c.errors)
      .filter((e) => e.code === ErrorCode.TOO_MANY_SUBSCRIPTIONS);
    const takenOver =
      attackers.filter((c) => c.close?.code === 4101).length + (owner.close?.code === 4101 ? 1 : 0);
    expect(stored).toBeLessThanOrEqual(MAX_SUBSCRIPTIONS);
    for (const c of attackers) c.terminate();

    const last = await connect(edges[1]?.url as string, { name: 'restorer', keepPayload: false });
    const welcome = await last.hello({ sessionId });
    expect(welcome.subscriptions.length).toBeLessThanOrEqual(MAX_SUBSCRIPTIONS);
    process.stderr.write(
      `[quota] 30 connections on one session: ${takenOver} taken over (4101), ${tooMany.length} subscriptions refused (302), ${stored} stored, ${welcome.subscriptions.length} restored (limit ${MAX_SUBSCRIPTIONS})\n`,
    );
  });

  it('50 parallel resumes of 100 subscriptions each do not starve a bystander: nothing lost, no heartbeat close', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const keys = Array.from({ length: MAX_SUBSCRIPTIONS }, (_, j) => `k${j}`);
    const edge = await startEdgeProcess(
      // Pings every 500 ms; a connection silent for 5.5 s is closed (4001). The test process
      // itself decodes every replayed record of 50 clients, so it needs some slack on a shared machine.
      edgeEnv(topic, { HEARTBEAT_INTERVAL_MS: '500', HEARTBEAT_TIMEOUT_MS: '5000' }),
    );

    // 50 sessions of 100 key channels each, with records to replay after their acks.
    const sessions: string[] = [];
    const setups: RawClient[] = await Promise.all(
      Array.from({ length: 50 }, (_, i) => connect(edge.url, { name: `setup-${i}`, keepPayload: false })),
    );
    await Promise.all(
      setups.map(async (c) => {
        sessions.push((await c.hello()).sessionId);
        for (const key of keys) {
          const answer = await c.subscribe(`${topic}:${key}`, Start.LATEST);
          if (isError(answer)) throw new Error(answer.message);
        }
      }),
    );
    await kafka.produce(topic, 1000, keys);
    await Promise.all(
      setups.map((c) =>
        c.waitFor(
          () => [...c.subs.values()].reduce((n, s) => n + s.received.length, 0) === 1000,
          `${c.name}: 1000 records`,
        ),
      ),
    );
    await Promise.all(setups.map((c) => c.end()));

    // The bystander, with a steady stream, times every frame it gets (the edge pings every 500 ms).
    const bystander = await connect(edge.url, { name: 'bystander' });
    await bystander.hello();
    expect(isError(await bystander.subscribe(topic, Start.LATEST))).toBe(false);
    let lastFrameAt = Date.now();
    let longestGapMs = 0;
    bystander.ws.on('message', () => {
      const now = Date.now();
      longestGapMs = Math.max(longestGapMs, now - lastFrameAt);
      lastFrameAt = now;
    });
    let streaming = true;
    const produced: Awaited<ReturnType<typeof kafka.produce>> = [];
    const stream = (async () => {
      while (streaming) produced.push(...(await kafka.produce(topic, 20, [null, 'k1', 'zz'])));
    })();

    const cpuBefore = await cpuSeconds(edge.pid);
    const started = Date.now();
    longestGapMs = 0;
    lastFrameAt = Date.now();
    const resumers = await Promise.all(
      sessions.map((_, i) => connect(edge.url, { name: `resumer-${i}`, keepPayload: false })),
    );
    await Promise.all(
      resumers.map(async (c, i) => {
        const w = await c.hello({ sessionId: sessions[i] as string });
        expect(w.subscriptions.length).toBe(MAX_SUBSCRIPTIONS);
        await c.waitFor(
          () => [...c.subs.values()].every((s) => s.live) && c.subs.size === MAX_SUBSCRIPTIONS,
          `${c.name}: 100 subscriptions live`,
          120_000,
        );
      }),
    );
    const resumeMs = Date.now() - started;
    const cpu = (await cpuSeconds(edge.pid)) - cpuBefore;
    const gapDuringResume = longestGapMs;
    streaming = false;
    await stream;
    await bystander.waitFor(
      () => bystander.subs.get(topic)?.received.length === produced.length,
      'the bystander to get every streamed record',
    );
    const c = compare(bystander.subs.get(topic)?.received ?? [], expectedFor(topic, produced));
    process.stderr.write(
      `[restore] 50 parallel resumes × 100 subscriptions: all live in ${resumeMs} ms, edge CPU ${cpu.toFixed(2)} s; bystander: longest gap between frames ${gapDuringResume} ms (pings every 500 ms, closed after 5500 ms of silence), ${c.received}/${c.expected} streamed records\n`,
    );
    expect(problems(c)).toBe('');
    expect(bystander.close).toBeUndefined();
    expect(bystander.errors).toEqual([]);
  });
});
