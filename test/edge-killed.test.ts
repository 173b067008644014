import { Start } from '@fanout/protocol';
import { describe, expect, inject, it } from 'vitest';
import { connect, edgeEnv, startEdges, storedAcks } from './support/fixtures.js';
import { TestKafka, steadyStream } from './support/kafka.js';
import { type RawClient, type Received, isError } from './support/raw-client.js';
import { compare, expectedFor, problems } from './support/verify.js';

const CLIENTS = 100;
const KEYS = Array.from({ length: 10 }, (_, i) => `key-${i}`);

interface Peer {
  index: number;
  channel: string;
  sessionId: string;
  clients: RawClient[];
  /** Reconnects without presenting delivered positions: replay must start after the persisted ack. */
  ackOnly: boolean;
  storedAck?: Map<number, number>;
}

describe('edge killed', () => {
  it('SIGKILL of an edge: its 100 clients resume on the other one and end with every record exactly once', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const [victim, survivor] = await startEdges(2, edgeEnv(topic));
    if (!victim || !survivor) throw new Error('edges');

    const peers: Peer[] = Array.from({ length: CLIENTS }, (_, index) => ({
      index,
      channel: index % 2 === 0 ? topic : `${topic}:${KEYS[index % KEYS.length]}`,
      sessionId: '',
      clients: [],
      ackOnly: index % 10 === 1,
    }));
    for (let i = 0; i < peers.length; i += 25)
      await Promise.all(
        peers.slice(i, i + 25).map(async (peer) => {
          const client = await connect(victim.url, { name: `client-${peer.index}` });
          peer.sessionId = (await client.hello()).sessionId;
          const answer = await client.subscribe(peer.channel, Start.LATEST);
          if (isError(answer)) throw new Error(answer.message);
          peer.clients.push(client);
        }),
      );
    const current = (peer: Peer) => peer.clients[peer.clients.length - 1] as RawClient;
    // The application acks what it processed, every 100 ms.
    const acking = setInterval(() => {
      for (const peer of peers) if (!current(peer).close) current(peer).ackAll();
    }, 100);

    const stream = steadyStream(kafka, topic, KEYS, 40, 50);
    try {
      await Promise.all(
        peers.map((peer) =>
          current(peer).waitFor(
            () => (current(peer).subs.get(peer.channel)?.received.length ?? 0) >= 20,
            'records',
          ),
        ),
      );
      await victim.kill();
      await Promise.all(peers.map((peer) => current(peer).waitForClose(10_000)));
      for (const peer of peers.filter((p) => p.ackOnly))
        peer.storedAck = (await storedAcks(peer.sessionId)).get(peer.channel) ?? new Map();

      // Everyone arrives at the survivor at once.
      await Promise.all(
        peers.map(async (peer) => {
          const previous = current(peer);
          const client = await connect(survivor.url, { name: `client-${peer.index}/resumed` });
          peer.clients.push(client);
          const welcome = await client.hello({
            sessionId: peer.sessionId,
            ...(peer.ackOnly ? {} : { delivered: previous.delivered() }),
          });
          expect(welcome.resumed).toBe(true);
          if (peer.ackOnly) {
            const starts = welcome.subscriptions.find((s) => s.channel === peer.channel)?.positions ?? [];
            expect(new Map(starts.map((p) => [p.partition, p.offset]))).toEqual(peer.storedAck);
          }
          await client.waitFor(() => client.subs.get(peer.channel)?.live === true, 'Subscribed', 60_000);
        }),
      );
      // Some more live records after the switch-over.
      const target = stream.count + 400;
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (stream.count >= target) {
            clearInterval(check);
            resolve();
          }
        }, 20);
        setTimeout(() => reject(new Error('stream stalled')), 30_000).unref();
      });
    } finally {
      clearInterval(acking);
      await stream.stop();
    }

    const all = kafka.produced;
    await Promise.all(
      peers.map((peer) =>
        current(peer).waitFor(
          () =>
            (current(peer).subs.get(peer.channel)?.received.length ?? 0) >=
            expectedFor(peer.channel, all).length - firstCount(peer),
          'every record',
          60_000,
        ),
      ),
    );

    const failures: string[] = [];
    let delivered = 0;
    let replayed = 0;
    for (const peer of peers) {
      const [first, second] = peer.clients as [RawClient, RawClient];
      for (const c of peer.clients)
        if (c.violations.length || c.errors.length || c.continuityLost.length)
          failures.push(`${c.name}: ${c.violations.slice(0, 3).join('; ')} ${c.summary()}`);
      const got1 = first.subs.get(peer.channel)?.received ?? [];
      const got2 = second.subs.get(peer.channel)?.received ?? [];
      delivered += got1.length + got2.length;
      replayed += got2.filter((r) => r.replayed).length;
      const expected = expectedFor(peer.channel, all);
      if (!peer.ackOnly) {
        const p = problems(compare([...got1, ...got2], expected));
        if (p) failures.push(`client-${peer.index} ${peer.channel}: ${p}`);
      } else {
        // Without delivered positions the replay starts right after the persisted ack.
        const acked = peer.storedAck ?? new Map<number, number>();
        const after = (r: Received) => r.offset > (acked.get(r.partition) ?? -1);
        const want = new Set(got1.filter(after).map((r) => Number.parseInt(r.payload, 10)));
        const wanted = expected.filter(
          (s) => want.has(s) || !got1.some((r) => Number.parseInt(r.payload, 10) === s),
        );
        const p = problems(compare(got2, wanted));
        if (p) failures.push(`client-${peer.index} (ack only) ${peer.channel}: ${p}`);
      }
    }
    console.log(
      `edge killed: ${all.length} produced, ${delivered} delivered to ${CLIENTS} clients, ${replayed} replayed after the kill, ${failures.length} failures`,
    );
    expect(failures).toEqual([]);
  });
});

/** Records of the first connection the second one must not repeat: all (delivered given) or those up to the ack. */
function firstCount(peer: Peer): number {
  const got = peer.clients[0]?.subs.get(peer.channel)?.received ?? [];
  if (!peer.ackOnly) return got.length;
  const acked = peer.storedAck ?? new Map<number, number>();
  return got.filter((r) => r.offset <= (acked.get(r.partition) ?? -1)).length;
}
