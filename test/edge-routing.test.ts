import { Start } from '@fanout/protocol';
import { describe, expect, inject, it } from 'vitest';
import { connect, edgeEnv, startEdges } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { type RawClient, type Received, isError } from './support/raw-client.js';
import { compare, expectedCounts, expectedFor, problems } from './support/verify.js';

const CLIENTS = 200;
const KEYS = Array.from({ length: 20 }, (_, i) => `key-${i}`);

interface Peer {
  index: number;
  channels: string[];
  clients: RawClient[];
  sessionId: string;
}

async function inChunks<T>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

describe('routing', () => {
  it('gives 200 clients on 2 edges exactly their channels’ records, in partition order, live and after a resume', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    // This process decodes 1.4M deliveries for its 200 clients: on a loaded machine it can
    // stall past the usual 10 s heartbeat timeout, and the edges then (rightly) close the
    // clients they checked meanwhile (4001). Heartbeats are not what this test is about.
    const edges = await startEdges(2, edgeEnv(topic, { HEARTBEAT_TIMEOUT_MS: '60000' }));

    // A third of the clients on `<topic>`, a third on `<topic>:<key>`, a third on both at once.
    const peers: Peer[] = Array.from({ length: CLIENTS }, (_, index) => {
      const key = `${topic}:${KEYS[index % KEYS.length]}`;
      const channels = [[topic], [key], [topic, key]][index % 3] as string[];
      return { index, channels, clients: [], sessionId: '' };
    });
    await inChunks(peers, 20, async (peer) => {
      const edge = edges[peer.index % 2];
      if (!edge) throw new Error('no edge');
      const client = await connect(edge.url, { name: `client-${peer.index}` });
      peer.sessionId = (await client.hello()).sessionId;
      for (const channel of peer.channels) {
        const answer = await client.subscribe(channel, Start.LATEST);
        if (isError(answer)) throw new Error(`subscribe ${channel}: ${answer.message}`);
      }
      peer.clients.push(client);
    });

    const received = (peer: Peer, channel: string): Received[] =>
      peer.clients.flatMap((c) => c.subs.get(channel)?.received ?? []);
    // Checked after every frame: a sum of lengths, no copies.
    const count = (peer: Peer, channel: string): number =>
      peer.clients.reduce((n, c) => n + (c.subs.get(channel)?.received.length ?? 0), 0);
    const waitForAll = async (peers: readonly Peer[], count_: number, what: string) => {
      const expected = kafka.produced.slice(0, count_);
      const due = expectedCounts([topic, ...KEYS.map((k) => `${topic}:${k}`)], expected);
      const results = await Promise.allSettled(
        peers.map((peer) => {
          const client = peer.clients[peer.clients.length - 1] as RawClient;
          return client.waitFor(
            () => peer.channels.every((c) => count(peer, c) >= (due.get(c) ?? 0)),
            what,
            120_000,
          );
        }),
      );
      // Every peer that fell short, not only the first, and what the edges warned about:
      // one resumed client or a whole edge tell different stories.
      const short = peers.filter((_, i) => results[i]?.status === 'rejected');
      if (short.length === 0) return;
      const lines = short.map(
        (peer) =>
          `${peer.clients.map((c) => `${c.name}: ${c.summary()}`).join(' | ')}; wanted ${peer.channels
            .map((c) => `${c}=${expectedFor(c, expected).length}`)
            .join(' ')}, got ${peer.channels.map((c) => `${c}=${received(peer, c).length}`).join(' ')}`,
      );
      const ids = short.slice(0, 5).map((p) => p.sessionId);
      const warnings = edges.map((e, i) =>
        e
          .logs()
          .filter((l) => /"level":[4-6]0/.test(l) || ids.some((id) => l.includes(id)))
          .slice(-60)
          .map((l) => `edge ${i}: ${l}`),
      );
      throw new Error(
        `${short.length} of ${peers.length} peers short of ${what}:\n${lines.join('\n')}\n${warnings.flat().join('\n')}`,
      );
    };

    // Live, with a fifth of the clients cut off while records stream in.
    await kafka.produce(topic, 6000, KEYS);
    const cut = peers.filter((p) => p.index % 5 === 0);
    for (const peer of cut) await peer.clients[0]?.end();
    await kafka.produce(topic, 3000, KEYS);

    // They resume on the other edge, presenting the positions they delivered.
    await inChunks(cut, 20, async (peer) => {
      const previous = peer.clients[0] as RawClient;
      const edge = edges[(peer.index + 1) % 2];
      if (!edge) throw new Error('no edge');
      const client = await connect(edge.url, { name: `client-${peer.index}/resumed` });
      const welcome = await client.hello({ sessionId: peer.sessionId, delivered: previous.delivered() });
      expect(welcome.resumed).toBe(true);
      peer.clients.push(client);
      await client.waitFor(
        () => peer.channels.every((c) => client.subs.get(c)?.live),
        'Subscribed after resume',
        60_000,
      );
    });
    await kafka.produce(topic, 1000, KEYS);
    await waitForAll(peers, 10_000, 'all 10,000 records');

    let delivered = 0;
    let replayed = 0;
    const failures: string[] = [];
    for (const peer of peers) {
      for (const client of peer.clients) {
        if (client.violations.length)
          failures.push(`${client.name}: ${client.violations.slice(0, 3).join('; ')}`);
        if (client.errors.length) failures.push(`${client.name}: errors ${client.summary()}`);
        if (client.continuityLost.length) failures.push(`${client.name}: continuity lost`);
      }
      for (const channel of peer.channels) {
        const got = received(peer, channel);
        delivered += got.length;
        replayed += got.filter((r) => r.replayed).length;
        const p = problems(compare(got, expectedFor(channel, kafka.produced)));
        if (p) failures.push(`client-${peer.index} ${channel}: ${p}`);
      }
    }
    console.log(
      `routing: ${kafka.produced.length} produced, ${delivered} delivered to ${CLIENTS} clients (${cut.length} resumed, ${replayed} replayed), ${failures.length} failures`,
    );
    expect(failures).toEqual([]);
  }, 360_000); // 1.4M deliveries decoded in one test process: ~40 s alone, minutes on a loaded 2-core machine
});
