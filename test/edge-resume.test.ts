import { Start } from '@fanout/protocol';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { EdgeProcess } from './support/edge-process.js';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, waitForStoredAcks } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { type RawClient, isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', null];

afterAll(closeRedis);

/** Per partition, the last offset of a subscription's records whose sequence is <= `seq`. */
function positionsUpTo(client: RawClient, channel: string, seq: number) {
  const last = new Map<number, number>();
  for (const r of client.subs.get(channel)?.received ?? [])
    if (Number.parseInt(r.payload, 10) <= seq) last.set(r.partition, r.offset);
  return [...last].map(([partition, offset]) => ({ partition, offset }));
}

describe('resume on the other edge', () => {
  it('replays exactly the records after the ack, from the window or from Kafka, then goes live', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const keyChannel = `${topic}:k1`;
    const channels = [topic, keyChannel];
    // `wide` keeps every record of the test in its window; `narrow` keeps 50 per
    // partition, so a resume there must read the gap from Kafka.
    const [wide, narrow] = await Promise.all([
      startEdgeProcess(edgeEnv(topic)),
      startEdgeProcess(edgeEnv(topic, { WINDOW_MAX_RECORDS: '50' })),
    ]);

    const scenario = async (from: EdgeProcess, to: EdgeProcess, label: string) => {
      // Sees what the resume target has ingested, so the gap is in its window (or past it) when we resume.
      const observer = await connect(to.url, { name: `${label}/observer`, keepPayload: false });
      await observer.hello();
      await observer.subscribe(topic, Start.LATEST);
      const first = await connect(from.url, { name: `${label}/first` });
      const welcome = await first.hello();
      for (const channel of channels) {
        const answer = await first.subscribe(channel, Start.LATEST);
        expect(isError(answer), `${label}: subscribe ${channel}`).toBe(false);
      }
      const before = await kafka.produce(topic, 300, KEYS);
      await first.waitFor(
        () => channels.every((c) => first.subs.get(c)?.received.length === expectedFor(c, before).length),
        'the first 300 records',
      );
      const cut = before[149]?.seq as number;
      const acks = channels.map((channel) => ({ channel, positions: positionsUpTo(first, channel, cut) }));
      for (const a of acks) first.ack(a.channel, a.positions);
      await waitForStoredAcks(welcome.sessionId, acks);
      await first.end();

      const gap = await kafka.produce(topic, 300, KEYS);
      await observer.waitFor(
        () => (observer.subs.get(topic)?.received.length ?? 0) >= 600,
        'the target edge to ingest the gap',
      );
      const second = await connect(to.url, { name: `${label}/second` });
      const resumed = await second.hello({ sessionId: welcome.sessionId });
      expect(resumed.resumed).toBe(true);
      expect(resumed.subscriptions.map((s) => s.channel).sort()).toEqual([...channels].sort());
      await second.waitFor(() => channels.every((c) => second.subs.get(c)?.live), 'Subscribed after replay');
      const live = await kafka.produce(topic, 100, KEYS);
      const after = [...before.slice(150), ...gap, ...live];
      await second.waitFor(
        () => channels.every((c) => second.subs.get(c)?.received.length === expectedFor(c, after).length),
        'every record after the ack',
      );

      const report: string[] = [];
      for (const channel of channels) {
        const sub = second.subs.get(channel);
        const c = compare(sub?.received ?? [], expectedFor(channel, after));
        expect(problems(c), `${label} ${channel}`).toBe('');
        // What was produced before the resume came replayed (the target had
        // ingested it), what was produced after Subscribed came live.
        const liveSeqs = new Set(expectedFor(channel, live));
        const replayed = (sub?.received ?? []).filter((r) => r.replayed).length;
        for (const r of sub?.received ?? []) {
          const seq = Number.parseInt(r.payload, 10);
          expect(r.replayed, `${label} ${channel} seq ${seq} replayed?`).toBe(!liveSeqs.has(seq));
        }
        report.push(`${channel}: ${c.received}/${c.expected} (${replayed} replayed)`);
      }
      expect(second.violations).toEqual([]);
      expect(second.errors).toEqual([]);
      expect(second.continuityLost).toEqual([]);
      await second.end();
      await observer.end();
      return report.join(', ');
    };

    const windowCase = await scenario(narrow, wide, 'window');
    const kafkaCase = await scenario(wide, narrow, 'kafka');
    // Where the replay came from: the narrow edge's window cannot hold the gap.
    console.log(`resume via window: ${windowCase}; resume via kafka: ${kafkaCase}`);
  });
});
