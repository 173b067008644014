import { Start } from '@fanout/protocol';
import { describe, expect, inject, it } from 'vitest';
import { jsonLogs, rssBytes, startEdgeProcess } from './support/edge-process.js';
import { connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

const RECORD_BYTES = 10 * 1024;
const RECORDS = 5000; // ~50 MB
const RSS_HEADROOM = 150 * 1024 * 1024;
const MB = 1024 * 1024;

describe('slow client', () => {
  it('a client that stops reading while 50 MB is published: bounded edge RSS, others served, then everything', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const edge = await startEdgeProcess(
      edgeEnv(topic, {
        SLOW_CLIENT_BUFFER_BYTES: String(256 * 1024),
        SLOW_CLIENT_HARD_BYTES: String(8 * MB),
        SLOW_CLIENT_STUCK_MS: '600000',
        // The paused client cannot answer pings: keep heartbeats out of the way.
        HEARTBEAT_INTERVAL_MS: '60000',
        HEARTBEAT_TIMEOUT_MS: '60000',
      }),
    );
    const slow = await connect(edge.url, { name: 'slow' });
    const fast = await connect(edge.url, { name: 'fast' });
    for (const c of [slow, fast]) {
      await c.hello();
      expect(isError(await c.subscribe(topic, Start.LATEST))).toBe(false);
    }
    const baseline = await rssBytes(edge.pid);
    slow.pause();

    let peak = baseline;
    const sampler = setInterval(() => {
      rssBytes(edge.pid).then(
        (rss) => {
          peak = Math.max(peak, rss);
        },
        () => undefined,
      );
    }, 50);
    let produced: Awaited<ReturnType<TestKafka['produce']>>;
    try {
      produced = await kafka.produce(topic, RECORDS, [null, 'a', 'b', 'c', 'd', 'e'], {
        batch: 60,
        payloadBytes: RECORD_BYTES,
      });
      // The other client keeps up meanwhile.
      await fast.waitFor(
        () => fast.subs.get(topic)?.received.length === RECORDS,
        'the fast client to get everything',
        120_000,
      );
    } finally {
      clearInterval(sampler);
    }
    const slowBeforeResume = slow.subs.get(topic)?.received.length ?? 0;
    expect(slow.close, 'the slow client is still connected').toBeUndefined();

    slow.resume();
    await slow.waitFor(
      () => (slow.subs.get(topic)?.received.length ?? 0) + lostCount(slow.continuityLost) >= RECORDS,
      'the slow client to catch up',
      120_000,
    );
    // Nothing missing or twice, unless the edge said so with ContinuityLost.
    const lost = new Set<number>();
    const fastRecords = fast.subs.get(topic)?.received ?? [];
    for (const l of slow.continuityLost)
      for (const r of fastRecords)
        if (r.partition === l.partition && r.offset >= l.requestedOffset && r.offset < l.availableOffset)
          lost.add(Number.parseInt(r.payload, 10));
    const expected = expectedFor(topic, produced).filter((s) => !lost.has(s));
    expect(problems(compare(slow.subs.get(topic)?.received ?? [], expected)), 'slow').toBe('');
    expect(problems(compare(fastRecords, expectedFor(topic, produced))), 'fast').toBe('');
    expect(slow.violations).toEqual([]);
    expect(fast.violations).toEqual([]);
    expect(edge.logs().join('\n')).toContain('slow client taken off live delivery');

    const replayed = (slow.subs.get(topic)?.received ?? []).filter((r) => r.replayed).length;
    console.log(
      `slow client: ${RECORDS} records of ${RECORD_BYTES / 1024} KiB (${((RECORDS * RECORD_BYTES) / MB).toFixed(0)} MB); edge RSS baseline ${(baseline / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB (bound ${((baseline + RSS_HEADROOM) / MB).toFixed(0)} MB); slow client had ${slowBeforeResume} before reading again, then ${slow.subs.get(topic)?.received.length} (${replayed} replayed), ${lost.size} reported lost; fast client ${fastRecords.length}`,
    );
    expect(peak).toBeLessThan(baseline + RSS_HEADROOM);
  });
});

describe('stuck client', () => {
  it('a client that stops reading for good is taken off live, then closed after SLOW_CLIENT_STUCK_MS (4002), not kept forever', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const stuckMs = 1500;
    const edge = await startEdgeProcess(
      edgeEnv(topic, {
        SLOW_CLIENT_BUFFER_BYTES: String(64 * 1024),
        SLOW_CLIENT_HARD_BYTES: String(8 * MB),
        SLOW_CLIENT_STUCK_MS: String(stuckMs),
        HEARTBEAT_INTERVAL_MS: '60000',
        HEARTBEAT_TIMEOUT_MS: '60000',
      }),
    );
    const stuck = await connect(edge.url, { name: 'stuck' });
    await stuck.hello();
    expect(isError(await stuck.subscribe(topic, Start.LATEST))).toBe(false);
    stuck.pause();
    // More than the kernel's socket buffers and the soft limit: it falls behind.
    await kafka.produce(topic, 800, [null], { batch: 50, payloadBytes: RECORD_BYTES });
    const logged = (msg: string) => jsonLogs(edge.logs()).find((l) => l.msg === msg);
    const deadline = Date.now() + 30_000;
    while (!logged('connection closed') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const offLive = logged('slow client taken off live delivery');
    const closed = logged('connection closed');
    expect(offLive, 'taken off live').toBeDefined();
    expect(closed?.code).toBe(4002);
    // It was closed once it had been behind for stuckMs (one 250 ms pass of slack), not before.
    const behindFor = Number(closed?.time) - Number(offLive?.time);
    expect(behindFor).toBeGreaterThanOrEqual(stuckMs);
    stuck.resume();
    const { code } = await stuck.waitForClose(30_000);
    expect([4002, 4008]).toContain(code);
    console.log(
      `stuck client: off live, closed ${behindFor} ms later with ${closed?.code} (client saw ${code})`,
    );
  });
});

function lostCount(lost: ReadonlyArray<{ requestedOffset: number; availableOffset: number }>): number {
  return lost.reduce((n, l) => n + (l.availableOffset - l.requestedOffset), 0);
}
