import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@fanout/testing';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { DemoState } from '../packages/demo/src/main.js';
import { startDemoServer } from '../packages/demo/src/serve.js';
import type { SeenRecord } from '../packages/demo/src/tracker.js';
import { repoRoot, startEdgeProcess, tail } from './support/edge-process.js';
import { openBrowserPage } from './support/sdk-browser.js';
import { TickProducer, describeTally, exact, sdkEdgeEnv, seqOf, tally } from './support/sdk-fixtures.js';

const SCREENSHOT = join(repoRoot, 'test-output/demo-page.png');

/** What the page recorded, as plain data. */
interface PageView {
  state: DemoState['state'];
  subscription: DemoState['subscription'];
  sessionId: string | undefined;
  endpoint: string | undefined;
  connections: number;
  resumed: number;
  received: number;
  gaps: number;
  duplicates: number;
  continuityLost: number;
  errors: string[];
  records: SeenRecord[];
  previous: SeenRecord[];
  /** The counters as the page shows them. */
  shown: { received: string; gaps: string; duplicates: string };
}

function view(page: Page): Promise<PageView | undefined> {
  return page.evaluate(() => {
    const d = window.fanoutDemo;
    if (!d) return undefined;
    const shown = (id: string) => document.getElementById(id)?.textContent ?? '';
    return {
      state: d.state,
      subscription: d.subscription,
      sessionId: d.sessionId,
      endpoint: d.endpoint,
      connections: d.connections,
      resumed: d.resumed,
      received: d.received,
      gaps: d.gaps,
      duplicates: d.duplicates,
      continuityLost: d.continuityLost,
      errors: [...d.errors],
      records: [...d.records],
      previous: [...d.previous],
      shown: { received: shown('received'), gaps: shown('gaps'), duplicates: shown('duplicates') },
    };
  });
}

describe('the demo page in Chromium', () => {
  it('gets every record exactly once across an edge kill (SIGKILL) and a page reload', async () => {
    const ticks = await TickProducer.create(3);
    const env = sdkEdgeEnv(ticks.topic);
    const edges = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
    const server = await startDemoServer({ port: 0 });
    onTestFinished(() => server.close());
    const { page, console: pageLog } = await openBrowserPage();
    const debug = () =>
      `page log:\n${pageLog.slice(-30).join('\n')}\nedges:\n${edges.map((e) => tail(e.logs(), 10)).join('\n--\n')}`;

    const until = async (what: string, check: (v: PageView) => boolean, timeoutMs = 20_000) => {
      let last: PageView | undefined;
      try {
        return await waitFor(
          async () => {
            last = await view(page);
            return last !== undefined && check(last) ? last : undefined;
          },
          { timeoutMs, intervalMs: 50, description: what },
        );
      } catch (err) {
        const { records: _r, previous: _p, ...summary } = last ?? ({} as Partial<PageView>);
        throw new Error(`${(err as Error).message}\nlast view: ${JSON.stringify(summary)}\n${debug()}`);
      }
    };
    const seqs = (records: readonly SeenRecord[]) => records.map((r) => seqOf(r.payload));

    const url = `${server.url}?url=${encodeURIComponent(edges.map((e) => e.url).join(','))}&channel=${encodeURIComponent(ticks.topic)}`;
    await page.goto(url);
    const first = await until(
      'the page live on an edge',
      (v) => v.state === 'connected' && v.subscription === 'subscribed',
    );
    const sessionId = first.sessionId;
    expect(sessionId).toBeTruthy();

    // 1. Live records.
    await ticks.produce(60);
    await until('the first 60 records', (v) => v.received >= 60);

    // 2. Kill the edge the page is on; produce while it is gone.
    const onEdge = edges.find((e) => e.url === first.endpoint);
    expect(onEdge, `the page's endpoint ${first.endpoint}`).toBeDefined();
    const other = edges.find((e) => e !== onEdge)!;
    await onEdge!.kill();
    await ticks.produce(60);
    const afterKill = await until(
      'the page resumed on the other edge with all 120 records',
      (v) => v.endpoint === other.url && v.state === 'connected' && v.received >= 120,
    );
    await ticks.produce(30);
    const killed = await until('150 records, shown', (v) => v.received >= 150 && v.shown.received === '150');
    const killTally = tally(
      seqs(killed.records),
      ticks.produced.map((t) => t.seq),
    );
    process.stderr.write(`[browser] edge kill: ${describeTally(killTally)}\n`);
    expect(exact(killTally), describeTally(killTally)).toBe(true);
    expect(afterKill.sessionId).toBe(sessionId);
    expect(afterKill.resumed).toBeGreaterThanOrEqual(1);
    expect([killed.gaps, killed.duplicates, killed.continuityLost]).toEqual([0, 0, 0]);
    expect(killed.shown).toEqual({ received: '150', gaps: '0', duplicates: '0' });

    mkdirSync(join(repoRoot, 'test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // 3. Reload while records are being produced: the new page load resumes
    // the stored session; what the old load handled plus what the new one
    // gets is every record exactly once.
    // A steady stream, from before the reload until the new load is live.
    let reloadDone = false;
    const producing = (async () => {
      while (!reloadDone && ticks.produced.length < 3000) await ticks.produce(5);
    })();
    await until('records of the stream before the reload', (v) => v.received > 150);
    await page.reload();
    await until('the new page load live', (v) => v.state === 'connected' && v.subscription === 'subscribed');
    reloadDone = true;
    await producing;
    await ticks.produce(30);
    const total = ticks.produced.length;
    const reloaded = await until(
      `every one of the ${total} records across the reload`,
      (v) =>
        v.previous.length + v.received >= total &&
        v.state === 'connected' &&
        v.shown.received === String(v.received),
    );
    const reloadTally = tally(
      [...seqs(reloaded.previous), ...seqs(reloaded.records)],
      ticks.produced.map((t) => t.seq),
    );
    process.stderr.write(
      `[browser] reload: ${describeTally(reloadTally)} (${reloaded.previous.length} before the reload, ${reloaded.received} after)\n`,
    );
    expect(exact(reloadTally), describeTally(reloadTally)).toBe(true);
    expect(reloaded.sessionId).toBe(sessionId);
    expect(reloaded.resumed).toBe(1);
    expect(reloaded.connections).toBe(1);
    expect([reloaded.gaps, reloaded.duplicates, reloaded.continuityLost]).toEqual([0, 0, 0]);
    expect(reloaded.errors).toEqual([]);
    expect(reloaded.shown).toEqual({ received: String(reloaded.received), gaps: '0', duplicates: '0' });
  });
});
