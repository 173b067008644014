import { Start } from '@fanout/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { jsonLogs, startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka, steadyStream } from './support/kafka.js';
import { type RawClient, isError, pinger } from './support/raw-client.js';
import { compare, expectedCounts, expectedFor, problems } from './support/verify.js';

afterAll(closeRedis);

/**
 * Pings the edge every `everyMs` from a bystander connection until stopped;
 * the slowest round trip bounds the edge's longest event-loop stall meanwhile.
 */
describe('catch-up (the core machine executed by the edge)', () => {
  it('a slow client with 50 overlapping subscriptions resumes at once from Kafka under a steady stream: all Subscribed, every record exactly once', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const edge = await startEdgeProcess(
      edgeEnv(topic, {
        // Kafka only: every resume reads through the shared scans.
        WINDOW_MAX_RECORDS: '1',
        WINDOW_PRELOAD_RECORDS: '0',
        SLOW_CLIENT_BUFFER_BYTES: String(64 * 1024),
        SLOW_CLIENT_STUCK_MS: '60000',
      }),
    );
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    // `<topic>` and 49 key channels (overlapping it; some keys never produced).
    const channels = [topic, ...Array.from({ length: 49 }, (_, i) => `${topic}:k${i}`)];
    const first = await connect(edge.url, { name: 'first' });
    const { sessionId } = await first.hello();
    for (const c of channels) expect(isError(await first.subscribe(c, Start.LATEST))).toBe(false);
    await first.end();
    // The session resumes from its subscribe positions: everything since is replayed.
    await kafka.produce(topic, 3000, keys, { payloadBytes: 512, batch: 250 });

    const bystander = await connect(edge.url, { name: 'pinger' });
    await bystander.hello();
    const pings = pinger(bystander, 20);
    const stream = steadyStream(kafka, topic, keys, 10, 20);
    const slow = await connect(edge.url, { name: 'slow', keepPayload: true });
    const started = Date.now();
    const welcome = await slow.hello({ sessionId });
    expect(welcome.subscriptions.length).toBe(50);
    // Slow: it stops reading while the replay fills its buffer, then reads again.
    slow.pause();
    await new Promise((r) => setTimeout(r, 500));
    slow.resume();
    await slow.waitFor(
      () => channels.every((c) => slow.subs.get(c)?.live === true),
      'all 50 Subscribed',
      90_000,
    );
    const allSubscribedMs = Date.now() - started;
    await stream.stop();
    const all = kafka.produced;
    const due = expectedCounts(channels, all);
    await slow.waitFor(
      () => channels.every((c) => (slow.subs.get(c)?.received.length ?? 0) >= (due.get(c) ?? 0)),
      'every record on every channel',
      60_000,
    );
    const { sent, slowestMs } = await pings.stop();
    for (const c of channels) {
      const result = compare(slow.subs.get(c)?.received ?? [], expectedFor(c, all));
      expect(problems(result), c).toBe('');
    }
    expect(slow.events.some((e) => e.kind === 'continuityLost')).toBe(false);
    expect(slow.events.filter((e) => e.kind === 'error')).toEqual([]);
    expect(jsonLogs(edge.logs()).filter((l) => l.msg === 'catch-up failed')).toEqual([]);
    console.log(
      `catch-up, 50 subscriptions resumed from Kafka: ${all.length} records, all Subscribed in ${allSubscribedMs} ms; ${sent} bystander pings, slowest ${slowestMs} ms`,
    );
  });

  it('a client resuming on an edge that lags the one it came from gets no ContinuityLost and nothing twice', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(2);
    const [ahead, behind] = await Promise.all([
      startEdgeProcess(edgeEnv(topic, { LOG_LEVEL: 'info' })),
      startEdgeProcess(edgeEnv(topic, { LOG_LEVEL: 'info' })),
    ]);
    const keys = ['a', 'b', 'c'];
    const client = await connect(ahead.url, { name: 'on-ahead' });
    const { sessionId } = await client.hello();
    expect(isError(await client.subscribe(topic, Start.LATEST))).toBe(false);
    await kafka.produce(topic, 200, keys);
    // Connected to the second edge already; its Hello is sent while that edge is stopped.
    const resumed = await connect(behind.url, { name: 'on-behind' });
    // The second edge stops reading: it falls behind what the client receives.
    process.kill(behind.pid, 'SIGSTOP');
    let stopped = true;
    try {
      await kafka.produce(topic, 2000, keys, { payloadBytes: 4096, batch: 250 });
      await client.waitFor(
        () => (client.subs.get(topic)?.received.length ?? 0) === 2200,
        'every record on the leading edge',
      );
      const delivered = client.delivered();
      const before = client.subs.get(topic)?.received ?? [];
      client.terminate();
      // Resumes claiming what it received; the lagging edge reads the Hello
      // as soon as it runs again, with its ingest 2,000 records behind.
      const welcome = resumed.hello({ sessionId, delivered });
      process.kill(behind.pid, 'SIGCONT');
      stopped = false;
      await welcome;
      await resumed.waitFor(() => resumed.subs.get(topic)?.live === true, 'Subscribed on the lagging edge');
      const stream = steadyStream(kafka, topic, keys, 10, 20);
      await new Promise((r) => setTimeout(r, 300));
      await stream.stop();
      const all = kafka.produced;
      const rest = all.length - 2200;
      await resumed.waitFor(
        () => (resumed.subs.get(topic)?.received.length ?? 0) >= rest,
        'the records after the resume',
      );
      expect(resumed.events.some((e) => e.kind === 'continuityLost')).toBe(false);
      expect(resumed.events.filter((e) => e.kind === 'error')).toEqual([]);
      const result = compare(
        [...before, ...(resumed.subs.get(topic)?.received ?? [])],
        expectedFor(topic, all),
      );
      expect(problems(result)).toBe('');
      const waited = jsonLogs(behind.logs()).filter(
        (l) => l.msg === 'client ahead of this edge; waiting for ingest',
      );
      console.log(
        `catch-up, resume on a lagging edge: ${waited.length} partition(s) waited for ingest; ${resumed.subs.get(topic)?.received.length} records after the resume, none twice, no ContinuityLost`,
      );
    } finally {
      if (stopped) process.kill(behind.pid, 'SIGCONT');
    }
  });

  it('an Unsubscribe right after a START_EARLIEST Subscribe is honoured: Unsubscribed, never Subscribed, never stored', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(2);
    await kafka.produce(topic, 50, ['a', 'b']);
    const edge = await startEdgeProcess(edgeEnv(topic));
    const client = await connect(edge.url, { name: 'unsub' });
    const { sessionId } = await client.hello();
    const gone = `${topic}:a`;
    // Same tick: the Unsubscribe arrives while the edge reads the log start for the Subscribe.
    client.send({ subscribe: { requestId: 7, channel: gone, start: Start.EARLIEST, after: [] } });
    client.send({ unsubscribe: { requestId: 8, channel: gone } });
    // A later Subscribe from EARLIEST takes the same path (bounds, store): once it is answered, so is the first.
    expect(isError(await client.subscribe(topic, Start.EARLIEST))).toBe(false);
    expect(client.events.some((e) => e.kind === 'unsubscribed' && e.unsubscribed.requestId === 8)).toBe(true);
    expect(client.events.filter((e) => e.kind === 'error')).toEqual([]);
    expect(client.events.some((e) => e.kind === 'subscribed' && e.subscribed.requestId === 7)).toBe(false);
    await client.end();
    const again = await connect(edge.url, { name: 'unsub/resumed' });
    const welcome = await again.hello({ sessionId });
    expect(welcome.subscriptions.map((s) => s.channel)).toEqual([topic]);
  });
});
