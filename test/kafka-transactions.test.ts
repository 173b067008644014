import { Start } from '@fanout/protocol';
import { uniqueId } from '@fanout/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, waitForStoredAcks } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { type RawClient, isError, pinger } from './support/raw-client.js';

afterAll(closeRedis);

const COMMITTED_FIRST = 100;
const ABORTED = 2000;
const PLAIN = 100;

/** Pings the edge every `everyMs` until stopped; reports the slowest answer. */
describe('transactions (read_committed)', () => {
  it('committed records exactly once, an aborted transaction of 2,000 never, live goes on; resumes across the aborted range complete from the window and from Kafka while the edge keeps answering pings', async () => {
    const brokers = inject('kafkaBrokers');
    const kafka = TestKafka.create(brokers);
    const topic = await kafka.topic(1);
    const [windowed, kafkaOnly] = await Promise.all([
      startEdgeProcess(edgeEnv(topic)),
      startEdgeProcess(edgeEnv(topic, { WINDOW_MAX_RECORDS: '1', WINDOW_PRELOAD_RECORDS: '0' })),
    ]);
    const live = await connect(windowed.url, { name: 'live' });
    const { sessionId } = await live.hello();
    expect(isError(await live.subscribe(topic, Start.LATEST))).toBe(false);
    const kafkaOnlyWatcher = await connect(kafkaOnly.url, { name: 'watcher', keepPayload: false });
    await kafkaOnlyWatcher.hello();
    expect(isError(await kafkaOnlyWatcher.subscribe(topic, Start.LATEST))).toBe(false);

    const txKafka = new Kafka({ brokers, clientId: uniqueId('tx'), logLevel: logLevel.NOTHING });
    const producer = txKafka.producer({
      transactionalId: uniqueId('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    const inTransaction = async (values: string[], commit: boolean) => {
      const tx = await producer.transaction();
      for (let i = 0; i < values.length; i += 500)
        await tx.send({ topic, messages: values.slice(i, i + 500).map((value) => ({ value })) });
      await (commit ? tx.commit() : tx.abort());
    };
    const committed = Array.from({ length: COMMITTED_FIRST }, (_, i) => `c${i}`);
    await inTransaction(committed, true);
    await live.waitFor(
      () => (live.subs.get(topic)?.received.length ?? 0) === COMMITTED_FIRST,
      'the committed records',
    );
    const ackAt = live.subs.get(topic)?.received.at(-1)?.offset as number;
    live.ack(topic, [{ partition: 0, offset: ackAt }]);
    await waitForStoredAcks(sessionId, [{ channel: topic, positions: [{ partition: 0, offset: ackAt }] }]);
    await live.end();

    await inTransaction(
      Array.from({ length: ABORTED }, (_, i) => `aborted${i}`),
      false,
    );
    // Nothing but aborted offsets and markers past the ack: the windowed
    // edge's window holds no record between the resume point and its live
    // offset. The resume must still complete (it used to spin, never yielding).
    const abortMarker = ackAt + 1 + 1 + ABORTED; // commit marker, then the aborted records, then this
    const probe = await connect(windowed.url, { name: 'probe', keepPayload: false });
    await probe.hello();
    for (;;) {
      const s = await probe.subscribe(topic, Start.LATEST);
      if (isError(s)) throw new Error(s.message);
      if ((s.positions[0]?.offset ?? -1) >= abortMarker) break;
      probe.send({ unsubscribe: { requestId: 0, channel: topic } });
      await probe.waitFor(() => probe.events.some((e) => e.kind === 'unsubscribed'), 'Unsubscribed');
      probe.events.length = 0;
    }
    {
      const bystander = await connect(windowed.url, { name: 'early/pinger' });
      await bystander.hello();
      const pings = pinger(bystander, 20);
      const early = await connect(windowed.url, { name: 'early' });
      await early.hello({ sessionId });
      await early.waitFor(
        () => early.subs.get(topic)?.live === true,
        'Subscribed across aborted offsets only',
      );
      expect(early.subs.get(topic)?.received).toEqual([]);
      expect(early.subs.get(topic)?.subscribed?.positions).toEqual([{ partition: 0, offset: abortMarker }]);
      const { sent, slowestMs } = await pings.stop();
      console.log(
        `transactions, resume with only aborted offsets after the ack: Subscribed at ${abortMarker}; ${sent} pings answered, slowest ${slowestMs} ms`,
      );
      await early.end();
    }
    const plain = Array.from({ length: PLAIN }, (_, i) => `p${i}`);
    const plainProducer = await kafka.producer();
    await plainProducer.send({ topic, acks: -1, messages: plain.map((value) => ({ value })) });
    const expected = plain;
    // Both edges have ingested past the aborted range and the markers.
    await kafkaOnlyWatcher.waitFor(
      () => (kafkaOnlyWatcher.subs.get(topic)?.received.length ?? 0) === COMMITTED_FIRST + PLAIN,
      'the Kafka-only edge to ingest everything committed',
    );
    expect(
      (kafkaOnlyWatcher.subs.get(topic)?.received ?? []).every((r) => !r.payload.startsWith('aborted')),
    ).toBe(true);

    for (const [label, edge] of [
      ['window', windowed],
      ['kafka', kafkaOnly],
    ] as const) {
      const bystander = await connect(edge.url, { name: `${label}/pinger` });
      await bystander.hello();
      const pings = pinger(bystander, 20);
      const resumed = await connect(edge.url, { name: `${label}/resumed` });
      await resumed.hello({ sessionId });
      await resumed.waitFor(
        () => resumed.subs.get(topic)?.live === true,
        `${label}: Subscribed after resume`,
      );
      await resumed.waitFor(
        () => (resumed.subs.get(topic)?.received.length ?? 0) >= expected.length,
        `${label}: the records after the ack`,
      );
      const got = (resumed.subs.get(topic)?.received ?? []).map((r) => r.payload);
      expect(got, label).toEqual(expected);
      expect(resumed.violations).toEqual([]);
      expect(resumed.continuityLost).toEqual([]);
      const { sent, slowestMs } = await pings.stop();
      console.log(
        `transactions, resume from the ${label}: ${got.length} records after ${ABORTED} aborted offsets; ${sent} pings answered meanwhile, slowest ${slowestMs} ms`,
      );
      await resumed.end();
    }

    // Live goes on after all that.
    await plainProducer.send({ topic, acks: -1, messages: [{ value: 'after' }] });
    await kafkaOnlyWatcher.waitFor(
      () => kafkaOnlyWatcher.subs.get(topic)?.received.length === COMMITTED_FIRST + PLAIN + 1,
      'a live record after the aborted transaction',
    );
    expect(kafkaOnlyWatcher.violations).toEqual([]);
  });
});
