import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Start } from '@fanout/protocol';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { repoRoot, startEdgeProcess } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka, steadyStream } from './support/kafka.js';
import { isError } from './support/raw-client.js';
import { CHROMIUM, CHROMIUM_ARGS } from './support/sdk-browser.js';

afterAll(closeRedis);

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
}

describe('edge status page', () => {
  it('draws live charts of connections, deliveries, ingest and lag while records flow', async () => {
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const edge = await startEdgeProcess(edgeEnv(topic));
    const clients = await Promise.all(
      Array.from({ length: 8 }, (_, i) => connect(edge.url, { name: `c${i}`, keepPayload: false })),
    );
    for (const [i, c] of clients.entries()) {
      await c.hello();
      expect(isError(await c.subscribe(i % 2 === 0 ? topic : `${topic}:k${i}`, Start.LATEST))).toBe(false);
    }
    const stream = steadyStream(kafka, topic, ['k1', 'k3', 'k5', 'k7', null], 50, 100);
    onTestFinished(() => stream.stop());

    // One client leaves and comes back while records flow: a resume from the window.
    const leaver = clients[0];
    if (!leaver) throw new Error('no client');
    await leaver.waitFor(() => (leaver.subs.get(topic)?.received.length ?? 0) > 0, 'a first record');
    const sessionId = leaver.welcome?.sessionId ?? '';
    const delivered = leaver.delivered();
    await leaver.end();
    // Records flow while it is away, so its resume replays from the window.
    const observer = clients[2];
    if (!observer) throw new Error('no observer');
    const seen = observer.subs.get(topic)?.received.length ?? 0;
    await observer.waitFor(
      () => (observer.subs.get(topic)?.received.length ?? 0) > seen,
      'records while away',
    );
    const back = await connect(edge.url, { name: 'back', keepPayload: false });
    expect((await back.hello({ sessionId, delivered })).resumed).toBe(true);
    await back.waitFor(() => back.subs.get(topic)?.live === true, 'the resumed subscription live');

    const browser = await launch();
    onTestFinished(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1200, height: 720 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const response = await page.goto(`http://127.0.0.1:${edge.port}/status`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);

    // The page polls /status.json every second; wait for the charts to hold
    // several seconds of samples with records flowing.
    await page.waitForFunction(
      () => {
        const points = (id: string) => Number(document.getElementById(id)?.getAttribute('data-points') ?? 0);
        const delivered = Number(document.getElementById('chart-deliveries')?.getAttribute('data-max') ?? 0);
        const resumes = Number(document.getElementById('resume-window')?.textContent ?? 0);
        return (
          resumes >= 1 &&
          points('chart-connections') >= 5 &&
          points('chart-deliveries') >= 5 &&
          points('chart-ingest') >= 5 &&
          points('chart-lag') >= 5 &&
          delivered > 1
        );
      },
      undefined,
      { timeout: 30_000, polling: 200 },
    );
    expect(await page.locator('#connections').textContent()).toBe('8');
    expect(await page.locator('#ready').textContent()).toBe('ready');
    expect(await page.locator('#chart-lag polyline').count()).toBe(3);
    expect(Number(await page.locator('#ingest').textContent())).toBeGreaterThan(0);

    const json = (await (await fetch(`http://127.0.0.1:${edge.port}/status.json`)).json()) as {
      connections: number;
      lag: unknown[];
      history: unknown[];
      totals: { ingested: number };
    };
    expect(json.connections).toBe(8);
    expect(json.lag).toHaveLength(3);
    expect(json.history.length).toBeGreaterThanOrEqual(5);
    expect(json.totals.ingested).toBeGreaterThan(0);

    const outDir = join(repoRoot, 'test-output');
    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'status-page.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
