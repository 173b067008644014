import { waitFor } from '@fanout/testing';
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startDemoServer } from '../packages/demo/src/serve.js';
import type { SeenRecord } from '../packages/demo/src/tracker.js';
import { startEdgeProcess, tail } from './support/edge-process.js';
import { openBrowserPage } from './support/sdk-browser.js';
import { TickProducer, describeTally, exact, sdkEdgeEnv, seqOf, tally } from './support/sdk-fixtures.js';

interface TabView {
  state: string;
  subscription: string;
  sessionId: string | undefined;
  received: number;
  duplicates: number;
  gaps: number;
  records: SeenRecord[];
  previous: SeenRecord[];
}

function view(page: Page): Promise<TabView | undefined> {
  return page.evaluate(() => {
    const d = window.fanoutDemo;
    if (!d) return undefined;
    return {
      state: d.state,
      subscription: d.subscription,
      sessionId: d.sessionId,
      received: d.received,
      duplicates: d.duplicates,
      gaps: d.gaps,
      records: [...d.records],
      previous: [...d.previous],
    };
  });
}

const seqs = (records: readonly SeenRecord[]) => records.map((r) => seqOf(r.payload));

describe('a duplicated browser tab (sessionStorage copied) in Chromium', () => {
  it('the older tab is closed 4101 and forks a new session; both get every record exactly once, and each reload resumes its own session', async () => {
    const ticks = await TickProducer.create(3);
    const env = sdkEdgeEnv(ticks.topic);
    const [a, b] = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
    const server = await startDemoServer({ port: 0 });
    onTestFinished(() => server.close());
    const { page: one, context, console: oneLog } = await openBrowserPage();
    const urlFor = (edge: string) =>
      `${server.url}?url=${encodeURIComponent(edge)}&channel=${encodeURIComponent(ticks.topic)}`;
    const until = async (page: Page, what: string, check: (v: TabView) => boolean, timeoutMs = 20_000) => {
      let last: TabView | undefined;
      try {
        return await waitFor(
          async () => {
            last = await view(page);
            return last !== undefined && check(last) ? last : undefined;
          },
          { timeoutMs, intervalMs: 50, description: what },
        );
      } catch (err) {
        const { records: _r, previous: _p, ...summary } = last ?? ({} as Partial<TabView>);
        throw new Error(
          `${(err as Error).message}\nlast view: ${JSON.stringify(summary)}\n${oneLog.slice(-20).join('\n')}\n${[a, b].map((e) => tail(e.logs(), 10)).join('\n--\n')}`,
        );
      }
    };
    const live = (v: TabView) => v.state === 'connected' && v.subscription === 'subscribed';

    await one.goto(urlFor(a.url));
    const started = await until(one, 'tab one live on edge A', live);
    const shared = started.sessionId as string;
    await ticks.produce(60);
    await until(one, 'tab one: 60 records', (v) => v.received >= 60);
    // What "Duplicate tab" copies must hold those 60: the SDK's positions and the page's journal.
    const storageKey = `fanout:demo:${ticks.topic}`;
    await waitFor(
      () =>
        one.evaluate(
          ({ key, tracker }) => {
            const sdk = JSON.parse(sessionStorage.getItem(key) ?? '{}') as {
              channels?: Record<string, { p: [number, number][] }>;
            };
            const journal = JSON.parse(sessionStorage.getItem(tracker) ?? '{}') as { journal?: unknown[] };
            const d = window.fanoutDemo;
            const last = new Map<number, number>();
            for (const r of d?.records ?? [])
              last.set(r.partition, Math.max(last.get(r.partition) ?? -1, r.offset));
            const stored = Object.values(sdk.channels ?? {})[0]?.p ?? [];
            return (
              journal.journal?.length === 60 &&
              [...last].every(([p, o]) => stored.some(([sp, so]) => sp === p && so === o))
            );
          },
          { key: storageKey, tracker: `fanout-demo:${ticks.topic}` },
        ),
      { timeoutMs: 10_000, description: 'tab one persisted its 60 records' },
    );

    // Duplicate the tab: a new tab of the same origin starts with a copy of its sessionStorage.
    const copy = await one.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
    const two = await context.newPage();
    await two.goto(`${server.url}/blank`);
    await two.evaluate((entries) => {
      for (const [k, v] of JSON.parse(entries) as [string, string][]) sessionStorage.setItem(k, v);
    }, copy);
    await two.goto(urlFor(b.url));
    await until(
      two,
      'tab two resumed the shared session on edge B',
      (v) => live(v) && v.sessionId === shared,
    );
    const forked = await until(
      one,
      'tab one on a new session',
      (v) => live(v) && v.sessionId !== undefined && v.sessionId !== shared,
    );

    const pageLog = (page: Page) => page.evaluate(() => document.getElementById('log')?.textContent ?? '');
    expect(await pageLog(one)).toMatch(/closed 4101/);
    expect(await pageLog(two)).not.toMatch(/4101/);

    await ticks.produce(60);
    const all = () => ticks.produced.map((t) => t.seq);
    const oneAfter = await until(one, 'tab one: 120 records', (v) => v.received >= 120);
    const twoAfter = await until(two, 'tab two: the 60 new records', (v) => v.received >= 60);
    const t1 = tally(seqs(oneAfter.records), all());
    const t2 = tally([...seqs(twoAfter.previous), ...seqs(twoAfter.records)], all());
    process.stderr.write(`[browser] duplicated tab: older ${describeTally(t1)}; copy ${describeTally(t2)}\n`);
    expect(exact(t1), describeTally(t1)).toBe(true);
    expect(exact(t2), describeTally(t2)).toBe(true);

    // A reload of each resumes its own session: no takeover back and forth.
    await one.reload();
    await until(one, 'tab one reloaded', (v) => live(v) && v.sessionId === forked.sessionId);
    await two.reload();
    await until(two, 'tab two reloaded', (v) => live(v) && v.sessionId === shared);
    await ticks.produce(30);
    const total = ticks.produced.length;
    const oneEnd = await until(one, 'tab one: everything', (v) => v.previous.length + v.received >= total);
    const twoEnd = await until(two, 'tab two: everything', (v) => v.previous.length + v.received >= total);
    for (const [name, v] of [
      ['older', oneEnd],
      ['copy', twoEnd],
    ] as const) {
      const t = tally([...seqs(v.previous), ...seqs(v.records)], all());
      process.stderr.write(`[browser] after reload, ${name}: ${describeTally(t)}\n`);
      expect(exact(t), `${name}: ${describeTally(t)}`).toBe(true);
      expect([v.duplicates, v.gaps]).toEqual([0, 0]);
    }
    expect(oneEnd.sessionId).toBe(forked.sessionId);
    expect(twoEnd.sessionId).toBe(shared);
  });
});
