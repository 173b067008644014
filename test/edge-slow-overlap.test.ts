import { Start } from '@fanout/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { jsonLogs, startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka, steadyStream } from './support/kafka.js';
import { isError } from './support/raw-client.js';
import { compare, expectedCounts, expectedFor, problems } from './support/verify.js';

afterAll(closeRedis);

// Regression: a slow connection holding overlapping subscriptions (`<topic>`
// and `<topic>:<key>`) is taken off live and caught up. The client routes
// live publications to every live subscription it holds, so if one
// subscription went back on live while the other still replayed, a live
// record would reach the replaying one ahead of its replay: out of order on
// the wire, and records lost behind an SDK's per-(channel, partition)
// watermark. The edge must put the connection back on live as a whole.
describe('slow client with overlapping subscriptions', () => {
  it('gets every record of both channels exactly once and in order after catching up', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const edge = await startEdgeProcess(
      edgeEnv(topic, {
        SLOW_CLIENT_BUFFER_BYTES: String(64 * 1024),
        SLOW_CLIENT_STUCK_MS: '60000',
        LOG_LEVEL: 'info',
      }),
    );
    const keyChannel = `${topic}:k1`;
    const slow = await connect(edge.url, { name: 'slow' });
    await slow.hello();
    for (const channel of [topic, keyChannel])
      expect(isError(await slow.subscribe(channel, Start.LATEST))).toBe(false);

    slow.pause();
    const keys = ['k0', 'k1', 'k2', 'k3'];
    const produced = await kafka.produce(topic, 1500, keys, { payloadBytes: 8 * 1024, batch: 100 });
    await expect
      .poll(() => jsonLogs(edge.logs()).some((l) => l.msg === 'slow client taken off live delivery'), {
        timeout: 30_000,
      })
      .toBe(true);
    // More records while it is off live: they come from the window on catch-up.
    const more = await kafka.produce(topic, 300, keys, { payloadBytes: 1024 });
    slow.resume();
    // Live traffic while it catches up: the `<topic>:k1` subscription has a
    // quarter of the backlog, so it is ready long before `<topic>`.
    const stream = steadyStream(kafka, topic, keys, 10, 10);
    await slow.waitFor(
      () => (slow.subs.get(topic)?.received.length ?? 0) >= produced.length + more.length,
      'the backlog to arrive',
      90_000,
    );
    await stream.stop();
    const all = kafka.produced;
    const due = expectedCounts([topic, keyChannel], all);
    await slow.waitFor(
      () => [topic, keyChannel].every((c) => (slow.subs.get(c)?.received.length ?? 0) >= (due.get(c) ?? 0)),
      'both subscriptions to receive every record',
      90_000,
    );
    for (const channel of [topic, keyChannel]) {
      const result = compare(slow.subs.get(channel)?.received ?? [], expectedFor(channel, all));
      expect(problems(result), channel).toBe('');
    }
    expect(jsonLogs(edge.logs()).some((l) => l.msg === 'slow client drained; catching up')).toBe(true);
  });
});
