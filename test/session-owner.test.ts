import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStorage } from '@fanout/client/node';
import { CloseCode, ErrorCode, Start } from '@fanout/protocol';
import { waitFor } from '@fanout/testing';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, storedAcks, waitForStoredAcks } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { isError } from './support/raw-client.js';
import { sdkClient } from './support/sdk-client.js';
import { TickProducer, describeTally, exact, tally } from './support/sdk-fixtures.js';

afterAll(closeRedis);

describe('one owner per session', () => {
  it('a resume on another edge takes the session over: the holder acks are written first, then it is closed 4101 and fenced', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(2);
    // Edge A writes acks only every minute: what the takeover finds stored was flushed by the takeover.
    const [a, b] = await Promise.all([
      startEdgeProcess(edgeEnv(topic, { ACK_FLUSH_INTERVAL_MS: '60000' })),
      startEdgeProcess(edgeEnv(topic)),
    ]);
    const first = await connect(a.url, { name: 'first' });
    const welcome = await first.hello();
    const sub = await first.subscribe(topic, Start.LATEST);
    expect(isError(sub)).toBe(false);
    await kafka.produce(topic, 100, [null, 'a', 'b']);
    await first.waitFor(() => (first.subs.get(topic)?.received.length ?? 0) === 100, '100 records');
    const acked = first.delivered();
    first.ackAll();
    // The ack reached edge A (a ping is answered after it), but is not written yet.
    first.send({ ping: {} });
    await first.waitFor(() => first.events.some((f) => f.kind === 'pong'), 'pong');
    const pending = await storedAcks(welcome.sessionId);
    for (const p of acked[0]?.positions ?? [])
      expect(pending.get(topic)?.get(p.partition) ?? -1).toBeLessThan(p.offset);

    const second = await connect(b.url, { name: 'second' });
    const resumed = await second.hello({ sessionId: welcome.sessionId });
    expect(resumed.resumed).toBe(true);
    // The holder's pending acks were written before the takeover: the resume starts after them.
    const startsAfter = new Map(resumed.subscriptions[0]?.positions.map((p) => [p.partition, p.offset]));
    for (const p of acked[0]?.positions ?? []) expect(startsAfter.get(p.partition)).toBe(p.offset);

    // The first connection is told and closed with the documented code.
    const closed = await first.waitForClose(10_000);
    expect(closed.code).toBe(CloseCode.SESSION_TAKEN_OVER);
    expect(first.errors.map((e) => e.code)).toEqual([ErrorCode.SESSION_TAKEN_OVER]);

    // It keeps acking (records it got after the takeover): nothing of it is stored.
    await kafka.produce(topic, 30, [null]);
    await second.waitFor(() => second.subs.get(topic)?.live === true, 'second live');
    await second.waitFor(() => (second.subs.get(topic)?.received.length ?? 0) === 30, '30 new records');
    const late = second.delivered();
    for (const d of late) first.ack(d.channel, d.positions);
    const before = await storedAcks(welcome.sessionId);
    // The new owner acks one record less per partition than it has; only that is stored.
    const own = late.map((d) => ({
      channel: d.channel,
      positions: d.positions.map((p) => ({ partition: p.partition, offset: p.offset - 1 })),
    }));
    for (const d of own) second.ack(d.channel, d.positions);
    await waitForStoredAcks(welcome.sessionId, own);
    const after = await storedAcks(welcome.sessionId);
    for (const p of own[0]?.positions ?? []) expect(after.get(topic)?.get(p.partition)).toBe(p.offset);
    expect(before.get(topic)?.size).toBeGreaterThan(0);
    expect(second.close).toBeUndefined();
    expect(second.violations).toEqual([]);
    process.stderr.write(
      `[owner] takeover across edges: first closed ${closed.code}, resume after ${JSON.stringify(acked[0]?.positions)}\n`,
    );
  });

  it('two SDK clients sharing one fileStorage file end with two sessions, each getting every record exactly once', async () => {
    const ticks = await TickProducer.create(3);
    const env = edgeEnv(ticks.topic);
    const [a, b] = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
    const dir = mkdtempSync(join(tmpdir(), 'fanout-owner-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'session.json');
    const backoff = { minMs: 50, maxMs: 200 };

    const one = sdkClient(ticks.topic, { endpoints: [a.url], storage: fileStorage(file), backoff });
    await waitFor(() => one.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 15_000,
      description: 'first client subscribed',
    });
    await ticks.produce(60);
    await waitFor(() => one.seqs.length >= 60, { timeoutMs: 10_000, description: '60 records' });
    const shared = one.client.sessionId;
    // Its positions are in the file (written at most persistDelayMs after a record).
    await waitFor(() => fileStorage(file).get('fanout:default') !== null, {
      timeoutMs: 5000,
      description: 'session file written',
    });

    // A second process starts from the same file, on the other edge.
    const two = sdkClient(ticks.topic, { endpoints: [b.url], storage: fileStorage(file), backoff });
    await waitFor(() => two.client.sessionId === shared && two.client.state === 'connected', {
      timeoutMs: 15_000,
      description: 'second client resumed the shared session',
    });
    // The first is taken over and forks a new session instead of fighting back.
    await waitFor(
      () => one.client.state === 'connected' && one.client.sessionId !== shared && !!one.client.sessionId,
      { timeoutMs: 15_000, description: 'first client on a new session' },
    ).catch((err: unknown) => {
      throw new Error(
        `${(err as Error).message}: ${JSON.stringify(one.states)}\n${a.logs().slice(-30).join('\n')}`,
      );
    });
    expect(one.states.some((s) => /4101/.test(s.message))).toBe(true);
    await waitFor(() => one.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 15_000,
      description: 'first client re-subscribed',
    });
    await waitFor(() => two.client.subscription(ticks.topic)?.state === 'subscribed', {
      timeoutMs: 15_000,
      description: 'second client subscribed',
    });
    await ticks.produce(60);
    const all = ticks.produced.map((t) => t.seq);
    await waitFor(() => one.seqs.length >= 120, { timeoutMs: 15_000, description: 'first: 120 records' });
    await waitFor(() => two.seqs.filter((s) => s >= 60).length >= 60, {
      timeoutMs: 15_000,
      description: 'second: the 60 new records',
    });
    const t1 = tally(one.seqs, all);
    // The second continues the shared session: per partition after what the session had
    // acked (records the first handled but had not acked yet are replayed to it), then every
    // new record once, and nothing twice.
    const t2 = tally(
      two.seqs.filter((s) => s >= 60),
      all.filter((s) => s >= 60),
    );
    expect(new Set(two.seqs).size, 'no record twice').toBe(two.seqs.length);
    process.stderr.write(`[owner] file storage: first ${describeTally(t1)}; second ${describeTally(t2)}\n`);
    expect(exact(t1), describeTally(t1)).toBe(true);
    expect(exact(t2), describeTally(t2)).toBe(true);
    // Both stay on their own sessions: nobody fights back.
    expect(one.client.sessionId).not.toBe(two.client.sessionId);
    expect(two.client.sessionId).toBe(shared);
    expect(two.states.filter((s) => /4101/.test(s.message))).toEqual([]);
  });
});
