import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, Start } from '@fanout/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { jsonLogs, repoRoot, startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, waitForStoredAcks } from './support/fixtures.js';
import { TEST_JWT_SECRET, signToken } from './support/jwt.js';
import { TestKafka } from './support/kafka.js';
import { EdgeErrorFrame, isError } from './support/raw-client.js';

afterAll(closeRedis);

const KEYS = ['k0', 'k1', 'k2', null];

/** The value of one series (`name{labels}`) in an exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (line.slice(0, space) === series) return Number(line.slice(space + 1));
  }
  return undefined;
}

/** Runs Debian's promtool on an exposition; fails with the package to install when it is missing. */
function promtoolCheck(body: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT')
    throw new Error(
      'promtool not found: install it with `apt-get install prometheus` (Debian package prometheus)',
    );
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

describe('edge metrics and logs', () => {
  it('serves a Prometheus exposition that promtool accepts, whose values follow the traffic; logs carry no token or payload', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const edge = await startEdgeProcess(
      edgeEnv(topic, { AUTH_MODE: 'jwt', JWT_HS256_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'debug' }),
    );
    const base = `http://127.0.0.1:${edge.port}`;
    const scrape = async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return res.text();
    };

    const before = await scrape();
    expect(sample(before, 'fanout_connections')).toBe(0);
    expect(sample(before, `fanout_ingested_records_total{topic="${topic}"}`)).toBe(0);

    // A real token and payloads with a marker that must never reach the logs.
    const token = await signToken({ sub: 'metrics-user', channels: [topic, `${topic}:*`] });
    const marker = `payload-marker-${randomUUID()}`;
    const channels = [topic, `${topic}:k1`];
    const first = await connect(edge.url, { name: 'first' });
    const welcome = await first.hello({ token });
    for (const c of channels) expect(isError(await first.subscribe(c, Start.LATEST))).toBe(false);

    const produce = async (from: number, count: number) => {
      const producer = await kafka.producer();
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: count }, (_, i) => ({
          key: KEYS[(from + i) % KEYS.length] ?? null,
          value: `${from + i} ${marker}`,
        })),
      });
    };
    const keyedK1 = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => from + i).filter((s) => KEYS[s % KEYS.length] === 'k1').length;
    await produce(0, 200);
    await first.waitFor(
      () =>
        first.subs.get(topic)?.received.length === 200 &&
        first.subs.get(`${topic}:k1`)?.received.length === keyedK1(0, 200),
      'the first 200 records',
    );

    const during = await scrape();
    expect(sample(during, 'fanout_connections')).toBe(1);
    expect(sample(during, 'fanout_subscriptions{kind="topic"}')).toBe(1);
    expect(sample(during, 'fanout_subscriptions{kind="key"}')).toBe(1);
    expect(sample(during, `fanout_ingested_records_total{topic="${topic}"}`)).toBe(200);
    // One publish per record on <topic>, one more per keyed record on <topic>:<key>.
    expect(sample(during, `fanout_deliveries_total{topic="${topic}"}`)).toBe(200 + 150);
    expect(sample(during, 'fanout_record_latency_seconds_count')).toBe(200);
    expect(sample(during, 'fanout_sessions_total{outcome="created"}')).toBe(1);
    expect(sample(during, `fanout_topic_subscribers{topic="${topic}"}`)).toBe(1);

    // Ack the first half, leave, produce more, resume: replayed from the window.
    const acked = channels.map((channel) => {
      const last = new Map<number, number>();
      for (const r of first.subs.get(channel)?.received ?? [])
        if (Number.parseInt(r.payload, 10) < 100) last.set(r.partition, r.offset);
      return { channel, positions: [...last].map(([partition, offset]) => ({ partition, offset })) };
    });
    for (const a of acked) first.ack(a.channel, a.positions);
    await waitForStoredAcks(welcome.sessionId, acked);
    await first.end();
    await produce(200, 50);

    const second = await connect(edge.url, { name: 'second' });
    expect((await second.hello({ token, sessionId: welcome.sessionId })).resumed).toBe(true);
    await second.waitFor(
      () =>
        second.subs.get(topic)?.received.length === 150 &&
        second.subs.get(`${topic}:k1`)?.received.length === keyedK1(100, 150),
      'the 150 records after the ack',
    );

    // A forged token: the edge closes the connection and says why in its log.
    const forged = `${token.slice(0, -8)}AAAAAAAA`;
    const intruder = await connect(edge.url, { name: 'intruder' });
    await expect(intruder.hello({ token: forged })).rejects.toBeInstanceOf(EdgeErrorFrame);
    await intruder.closed;

    let after = '';
    for (let i = 0; i < 50; i++) {
      after = await scrape();
      if (
        sample(after, 'fanout_connections') === 1 &&
        (sample(after, 'fanout_acks_persisted_total') ?? 0) > 0
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sample(after, 'fanout_connections')).toBe(1);
    expect(sample(after, 'fanout_connections_opened_total')).toBe(3);
    expect(sample(after, 'fanout_connections_closed_total{code="1000",by="client"}')).toBe(1);
    expect(sample(after, 'fanout_connections_closed_total{code="4401",by="edge"}')).toBe(1);
    expect(sample(after, `fanout_errors_sent_total{code="${ErrorCode.UNAUTHENTICATED}"}`)).toBe(1);
    expect(sample(after, 'fanout_sessions_total{outcome="resumed"}')).toBe(1);
    expect(sample(after, 'fanout_resume_outcomes_total{outcome="window"}')).toBe(channels.length);
    expect(sample(after, 'fanout_resume_outcomes_total{outcome="kafka"}')).toBe(0);
    expect(sample(after, 'fanout_replayed_records_total{outcome="window"}')).toBeGreaterThan(0);
    expect(sample(after, 'fanout_acks_persisted_total')).toBeGreaterThan(0);
    expect(sample(after, 'fanout_store_write_duration_seconds_count{result="ok"}')).toBeGreaterThan(0);
    expect(sample(after, `fanout_ingested_records_total{topic="${topic}"}`)).toBe(250);
    for (let p = 0; p < 3; p++)
      expect(sample(after, `fanout_kafka_consumer_lag{topic="${topic}",partition="${p}"}`)).toBe(0);
    expect(after).toContain('fanout_event_loop_lag_seconds_bucket');
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // No label carries a session id, a key or a subject.
    expect(after).not.toContain(welcome.sessionId);
    expect(after).not.toContain('k1');
    expect(after).not.toContain('metrics-user');

    const check = promtoolCheck(after);
    const outDir = join(repoRoot, 'test-output');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'edge-metrics.prom'), after);
    writeFileSync(join(outDir, 'promtool-check-metrics.txt'), `exit ${check.status}\n${check.output}\n`);
    expect(check.output, 'promtool check metrics').toBe('');
    expect(check.status).toBe(0);

    await second.end();
    expect(await edge.stop()).toBe(0);

    // Logs: JSON lines, one per connection open and close (with reason and
    // duration), and never a token or a payload, even at debug level.
    const lines = edge.logs();
    const logs = jsonLogs(lines);
    expect(logs.length).toBeGreaterThan(10);
    const opened = logs.filter((l) => l.msg === 'connection opened');
    const closed = logs.filter((l) => l.msg === 'connection closed');
    expect(opened).toHaveLength(3);
    expect(opened.every((l) => l.level === 30 && typeof l.conn_id === 'string')).toBe(true);
    expect(closed).toHaveLength(3);
    for (const l of closed) {
      expect(typeof l.duration_ms).toBe('number');
      expect(typeof l.code).toBe('number');
      expect(typeof l.reason).toBe('string');
    }
    expect(closed.find((l) => l.code === 4401)).toMatchObject({ by: 'edge', reason: 'unauthenticated' });
    expect(closed.find((l) => l.code === 1000)).toMatchObject({ by: 'client' });
    const all = lines.join('\n');
    expect(all).not.toContain(marker);
    expect(all).not.toContain(token);
    expect(all).not.toContain(forged);
    expect(all).not.toContain(token.split('.')[2] as string);
    expect(all).not.toContain(TEST_JWT_SECRET);
  });

  it('/metrics, /status and /status.json are off with METRICS_ENABLED=false', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const edge = await startEdgeProcess(edgeEnv(topic, { METRICS_ENABLED: 'false' }));
    for (const path of ['/metrics', '/status', '/status.json']) {
      // uWS closes a plain request to a path it does not route; either way, nothing is served.
      const status = await fetch(`http://127.0.0.1:${edge.port}${path}`).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 'closed',
      );
      expect(status, path).not.toBe(200);
    }
    expect((await fetch(`http://127.0.0.1:${edge.port}/readyz`)).status).toBe(200);
  });
});
