import { CloseCode, ErrorCode } from '@fanout/protocol';
import { type RedisHandle, startRedis, waitFor } from '@fanout/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EdgeProcess, startEdgeProcess, tail } from './support/edge-process.js';
import {
  type FaultClient,
  faultClient,
  faultReport,
  mixedChannels,
  printReport,
  waitDelivered,
  waitSubscribed,
} from './support/fault-clients.js';
import { checkRedis, faultEdgeEnv, processGone, readyz, storedAcksAt } from './support/fault-infra.js';
import { connect } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { EdgeErrorFrame, type RawClient } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

const CLIENTS = 20;
const KEYS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'];
/** A refusal while Redis is away must come at least this fast (no hang). */
const PROMPT_MS = 3000;

// A Redis of this file's own, with an fsynced append-only file: restarting
// it keeps the sessions, as a production Redis would.
let redis: RedisHandle;
beforeAll(async () => {
  redis = await startRedis({ ignoreEnv: true, persistence: true });
});
afterAll(async () => {
  await redis?.stop();
});

/** Hello (new session or resume) while the store is away: the Error frame, the close, and how long it took. */
async function refusedHello(
  url: string,
  sessionId?: string,
): Promise<{ code: number; retriable: boolean; close: number; ms: number }> {
  const c = await connect(url, { name: sessionId ? 'resume' : 'new session' });
  const started = Date.now();
  const welcome = await c.hello(sessionId ? { sessionId } : {}).then(
    (w) => w,
    (err: unknown) => err,
  );
  if (!(welcome instanceof EdgeErrorFrame)) throw new Error(`Hello was answered: ${String(welcome)}`);
  const closed = await c.waitForClose(PROMPT_MS * 2);
  return {
    code: welcome.frame.code,
    retriable: welcome.frame.retriable,
    close: closed.code,
    ms: Date.now() - started,
  };
}

/** Every client's delivered positions are held as acks by the store. */
async function acksPersisted(clients: readonly FaultClient[], check: ReturnType<typeof checkRedis>) {
  for (const c of clients) {
    const sessionId = c.client.sessionId;
    if (!sessionId) return false;
    const stored = (await storedAcksAt(check, sessionId)).get(c.channel);
    const positions = c.client.subscription(c.channel)?.positions() ?? [];
    if (!stored || positions.some((p) => (stored.get(p.partition) ?? -2) < p.offset)) return false;
  }
  return true;
}

describe('fault: Redis restart', () => {
  it('no crash; new sessions and resumes get STORE_UNAVAILABLE/4004 at once while it is away; acks are retried and persisted once it is back; resumes then replay nothing acked', async () => {
    const tk = TestKafka.create(inject('kafkaBrokers'));
    const topic = await tk.topic(3);
    const check = checkRedis(redis.url);
    const env = faultEdgeEnv(topic, { brokers: inject('kafkaBrokers'), redisUrl: redis.url });
    const edges = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
    const [a, b] = edges as [EdgeProcess, EdgeProcess];
    const clients = mixedChannels(topic, KEYS, CLIENTS).map((channel, i) =>
      faultClient(`client-${i}`, channel, {
        endpoints: i % 2 === 0 ? [a.url, b.url] : [b.url, a.url],
        backoff: { minMs: 50, maxMs: 500 },
        ack: { maxDelayMs: 20 },
      }),
    );
    await waitSubscribed(clients);
    await tk.produce(topic, 200, KEYS, { batch: 50 });
    await waitDelivered(clients, tk.produced);
    await waitFor(() => acksPersisted(clients, check), {
      timeoutMs: 20_000,
      description: 'acks persisted before the restart',
    });

    // Redis goes away (stopped; restarted below, same port and data).
    const pid = redis.pid as number;
    const stoppedAt = Date.now();
    process.kill(pid, 'SIGTERM');
    await waitFor(() => processGone(pid), { timeoutMs: 20_000, description: 'redis-server exited' });
    const notReady = await Promise.all(
      edges.map((e) =>
        waitFor(
          async () => {
            const s = await readyz(e.port);
            return s.status === 503 ? s : undefined;
          },
          { timeoutMs: 10_000, intervalMs: 100, description: `edge ${e.port} not ready` },
        ),
      ),
    );
    const notReadyMs = Math.max(...notReady.map((s) => s.at)) - stoppedAt;

    // Connected clients keep receiving; their acks cannot be written yet.
    await tk.produce(topic, 200, KEYS, { batch: 50 });
    await waitDelivered(clients, tk.produced);
    // New sessions and resumes are refused at once, with a retriable code.
    const refusals = [
      await refusedHello(a.url),
      await refusedHello(b.url),
      await refusedHello(a.url, clients[0]?.client.sessionId),
      await refusedHello(b.url, clients[1]?.client.sessionId),
    ];
    // An SDK client started now retries until the store is back.
    const late = faultClient('late', topic, {
      endpoints: [a.url, b.url],
      backoff: { minMs: 100, maxMs: 500 },
    });
    await waitFor(() => late.states.some((s) => s.to === 'reconnecting' && s.message.includes('4004')), {
      timeoutMs: 10_000,
      description: 'the late client refused with 4004',
    });
    expect(late.client.state).not.toBe('closed');

    const restartAt = Date.now();
    await redis.restart();
    const awayMs = Date.now() - stoppedAt;
    await waitFor(() => acksPersisted(clients, check), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: 'acks of the outage persisted once Redis is back',
    });
    const acksPersistedMs = Date.now() - restartAt;
    await Promise.all(
      edges.map((e) =>
        waitFor(async () => (await readyz(e.port)).status === 200, {
          timeoutMs: 10_000,
          intervalMs: 100,
          description: `edge ${e.port} ready again`,
        }),
      ),
    );
    await waitSubscribed([late], 30_000);
    const r = faultReport('redis-restart', clients, tk.produced);

    // Resume every session on the other edge without delivered positions:
    // the replay starts after the persisted acks, i.e. nothing is repeated.
    const acked = clients.map((c) => c.client.subscription(c.channel)?.positions() ?? []);
    await Promise.all(clients.map((c) => c.client.close()));
    const resumed: RawClient[] = await Promise.all(
      clients.map(async (c, i) => {
        const raw = await connect(i % 2 === 0 ? b.url : a.url, { name: `${c.name}/resumed` });
        const welcome = await raw.hello({ sessionId: c.client.sessionId as string });
        expect(welcome.resumed).toBe(true);
        const starts = welcome.subscriptions.find((s) => s.channel === c.channel)?.positions ?? [];
        expect(
          new Map(starts.map((p) => [p.partition, p.offset])),
          `${c.name}: resumed after its acks`,
        ).toEqual(new Map(acked[i]?.map((p) => [p.partition, p.offset])));
        await raw.waitFor(() => raw.subs.get(c.channel)?.live === true, 'Subscribed', 30_000);
        return raw;
      }),
    );
    const after = await tk.produce(topic, 100, KEYS, { batch: 50 });
    const resumeProblems: string[] = [];
    let replayed = 0;
    for (const [i, raw] of resumed.entries()) {
      const channel = clients[i]?.channel as string;
      const expected = expectedFor(channel, after);
      await raw.waitFor(
        () => (raw.subs.get(channel)?.received.length ?? 0) >= expected.length,
        'new records',
      );
      const received = raw.subs.get(channel)?.received ?? [];
      replayed += received.filter((x) => x.replayed).length;
      const p = problems(compare(received, expected));
      if (p || raw.violations.length) resumeProblems.push(`${raw.name}: ${p} ${raw.violations.join('; ')}`);
    }
    await waitDelivered([late], after);
    const lateReport = faultReport('redis-restart (late client)', [late], after);

    printReport(
      r,
      `redis away ${awayMs} ms: readyz 503 (store false) after ${notReadyMs} ms; refusals ${refusals.map((x) => `${x.code}/${x.close} in ${x.ms} ms`).join(', ')}; acks persisted ${acksPersistedMs} ms after the restart; ${resumed.length} sessions resumed on the other edge without delivered positions: ${replayed} replayed, ${resumeProblems.length} problems; late client: ${late.states.filter((s) => s.to === 'reconnecting').length} refusals then ${lateReport.delivered}/${lateReport.expected}`,
    );

    for (const e of edges)
      expect(await Promise.race([e.exited, Promise.resolve('running')]), tail(e.logs())).toBe('running');
    for (const s of notReady) expect(s.body).toMatchObject({ store: false, kafka: true });
    // The outage's acks were written after failed attempts, not only after the restart.
    expect(edges.some((e) => e.logs().some((l) => l.includes('ack write failed; retrying')))).toBe(true);
    for (const x of refusals) {
      expect(x).toMatchObject({
        code: ErrorCode.STORE_UNAVAILABLE,
        retriable: true,
        close: CloseCode.STORE_UNAVAILABLE,
      });
      expect(x.ms).toBeLessThan(PROMPT_MS);
    }
    expect(r.examples).toEqual([]);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.reconnects).toBe(0);
    expect(r.closed).toBe(0);
    expect(replayed).toBe(0);
    expect(resumeProblems).toEqual([]);
    expect(lateReport.lost + lateReport.duplicated + lateReport.unexpected).toBe(0);
  });
});
