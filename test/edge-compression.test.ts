import { Start } from '@fanout/protocol';
import { produceQuotes, quotePayload, quoteSeq, waitFor } from '@fanout/testing';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startDemoServer } from '../packages/demo/src/serve.js';
import { startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { type RawClient, isError } from './support/raw-client.js';
import { openBrowserPage } from './support/sdk-browser.js';
import { describeTally, exact, tally } from './support/sdk-fixtures.js';
import { TcpProxy } from './support/sdk-proxy.js';

afterAll(closeRedis);

const RECORDS = 300;

/** A raw client through its own proxy (to count the bytes the edge sent it), with or without permessage-deflate. */
async function client(edgePort: number, deflate: boolean, name: string) {
  const proxy = await TcpProxy.start(edgePort);
  const c = await connect(proxy.url, { name, ws: { perMessageDeflate: deflate } });
  await c.hello();
  return { c, proxy };
}

function payloads(c: RawClient, channel: string): string[] {
  return (c.subs.get(channel)?.received ?? []).map((r) => `${r.partition}:${r.offset}:${r.payload}`);
}

describe('permessage-deflate (WS_COMPRESSION=shared)', () => {
  it('compresses live and replayed records for clients that negotiated it, sends the others the same records uncompressed', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(2);
    const edge = await startEdgeProcess(edgeEnv(topic, { WS_COMPRESSION: 'shared' }));
    const deflated = await client(edge.port, true, 'deflate');
    const plain = await client(edge.port, false, 'plain');
    expect(deflated.c.ws.extensions).toContain('permessage-deflate');
    expect(deflated.proxy.responseHeads[0]).toMatch(/sec-websocket-extensions: permessage-deflate/i);
    expect(plain.c.ws.extensions).toBe('');
    for (const x of [deflated, plain]) expect(isError(await x.c.subscribe(topic))).toBe(false);

    // Live.
    const before = [deflated.proxy.bytesToClients, plain.proxy.bytesToClients];
    const producer = await kafka.producer();
    await produceQuotes(producer, topic, 0, RECORDS);
    await waitFor(() => deflated.c.publications >= RECORDS && plain.c.publications >= RECORDS, {
      timeoutMs: 20_000,
      description: `${RECORDS} live records on both clients`,
    });
    const live = {
      deflate: (deflated.proxy.bytesToClients - (before[0] as number)) / RECORDS,
      plain: (plain.proxy.bytesToClients - (before[1] as number)) / RECORDS,
    };
    expect(payloads(deflated.c, topic)).toEqual(payloads(plain.c, topic));
    expect(deflated.c.violations).toEqual([]);

    // Replay (a subscription from the earliest offset: the window).
    const replayD = await client(edge.port, true, 'replay-deflate');
    const replayP = await client(edge.port, false, 'replay-plain');
    const rBefore = [replayD.proxy.bytesToClients, replayP.proxy.bytesToClients];
    for (const x of [replayD, replayP])
      expect(isError(await x.c.subscribe(topic, Start.EARLIEST))).toBe(false);
    await waitFor(() => replayD.c.publications >= RECORDS && replayP.c.publications >= RECORDS, {
      timeoutMs: 20_000,
      description: `${RECORDS} replayed records on both clients`,
    });
    const replay = {
      deflate: (replayD.proxy.bytesToClients - (rBefore[0] as number)) / RECORDS,
      plain: (replayP.proxy.bytesToClients - (rBefore[1] as number)) / RECORDS,
    };
    expect(payloads(replayD.c, topic)).toEqual(payloads(replayP.c, topic));
    expect(replayD.c.subs.get(topic)?.received.every((r) => r.replayed)).toBe(true);

    // A ~300-byte JSON record, one deflate per message without context
    // takeover (uWS's shared compressor): about a quarter smaller on the wire.
    const payloadBytes = quotePayload(RECORDS).length;
    for (const [what, v] of Object.entries({ live, replay })) {
      expect(v.plain, `${what}: uncompressed bytes per record`).toBeGreaterThan(payloadBytes);
      expect(v.deflate, `${what}: compressed bytes per record`).toBeLessThan(v.plain * 0.9);
    }
    process.stderr.write(
      `[compression] ${payloadBytes}-byte JSON payload, wire bytes per record: live ${live.plain.toFixed(0)} plain / ${live.deflate.toFixed(0)} deflate (${((live.deflate / live.plain) * 100).toFixed(0)}%), replay ${replay.plain.toFixed(0)} / ${replay.deflate.toFixed(0)} (${((replay.deflate / replay.plain) * 100).toFixed(0)}%)\n`,
    );
  });

  it('does not negotiate it when WS_COMPRESSION is off (the default)', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(1);
    const edge = await startEdgeProcess(edgeEnv(topic));
    const offered = await client(edge.port, true, 'offers-deflate');
    expect(offered.c.ws.extensions).toBe('');
    expect(isError(await offered.c.subscribe(topic))).toBe(false);
    await produceQuotes(await kafka.producer(), topic, 0, 10);
    await waitFor(() => offered.c.publications >= 10, { timeoutMs: 20_000, description: '10 records' });
  });

  it('the SDK in Chromium negotiates it and receives compressed frames, every record exactly once', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(2);
    const edge = await startEdgeProcess(edgeEnv(topic, { WS_COMPRESSION: 'shared' }));
    const proxy = await TcpProxy.start(edge.port);
    const server = await startDemoServer({ port: 0 });
    onTestFinished(() => server.close());
    const { page, console: pageLog } = await openBrowserPage();
    type View = {
      state: string;
      subscription: string;
      received: number;
      gaps: number;
      duplicates: number;
      seqs: string[];
    };
    const view = () =>
      page.evaluate((): View | undefined => {
        const d = window.fanoutDemo;
        if (!d) return undefined;
        return {
          state: d.state,
          subscription: d.subscription,
          received: d.received,
          gaps: d.gaps,
          duplicates: d.duplicates,
          seqs: d.records.map((r) => r.payload),
        };
      });
    await page.goto(
      `${server.url}?url=${encodeURIComponent(proxy.url)}&channel=${encodeURIComponent(topic)}`,
    );
    await waitFor(
      async () => {
        const v = await view();
        return v?.state === 'connected' && v.subscription === 'subscribed';
      },
      { timeoutMs: 30_000, intervalMs: 50, description: `the page live (${pageLog.slice(-5).join(' | ')})` },
    );
    expect(proxy.responseHeads[0]).toMatch(/sec-websocket-extensions: permessage-deflate/i);

    const before = proxy.bytesToClients;
    await produceQuotes(await kafka.producer(), topic, 0, RECORDS);
    const done = await waitFor(
      async () => {
        const v = await view();
        return v && v.received >= RECORDS ? v : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, description: `${RECORDS} records in the page` },
    );
    const perRecord = (proxy.bytesToClients - before) / RECORDS;
    const t = tally(
      done.seqs.map(quoteSeq),
      Array.from({ length: RECORDS }, (_, i) => i),
    );
    expect(exact(t), describeTally(t)).toBe(true);
    expect([done.gaps, done.duplicates]).toEqual([0, 0]);
    // Uncompressed, a record costs its payload plus the frame's envelope;
    // fewer bytes than the payload itself means the frames were compressed.
    const payloadBytes = quotePayload(RECORDS).length;
    expect(perRecord).toBeLessThan(payloadBytes);
    process.stderr.write(
      `[compression] Chromium: ${RECORDS} records exactly once, ${perRecord.toFixed(0)} wire bytes per ${payloadBytes}-byte record\n`,
    );
  });
});
