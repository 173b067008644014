// The SDK as users install it: the packed tarballs of @fanout/client and
// @fanout/react in a fresh project outside the workspace (dependencies from
// the npm registry or its cache), against a real edge and Kafka: a Vite React
// app built and run in Chromium, Node ESM and CommonJS scripts, the `fanout`
// CLI, strict `tsc`, and the size budget on what the tarball ships. One
// scratch install is shared by every case.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { waitFor } from '@fanout/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  type Got,
  type Packed,
  cleanEnv,
  exactlyOnce,
  inConsumer,
  installConsumer,
  pack,
  serveStatic,
} from './support/consumer-project.js';
import { startEdgeProcess } from './support/edge-process.js';
import { openBrowserPage } from './support/sdk-browser.js';
import { TickProducer, sdkEdgeEnv } from './support/sdk-fixtures.js';

/** The browser entry's budget, minified + gzipped, protobuf runtime included. */
const BUDGET_BYTES = 20 * 1024;

let scratch: string;
let app: string;
const packed: Record<string, Packed> = {};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'fanout-consumer-'));
  const tarballs = join(scratch, 'tarballs');
  mkdirSync(tarballs);
  const [client, react] = await Promise.all([
    pack('packages/client', tarballs),
    pack('packages/react', tarballs),
  ]);
  packed.client = client;
  packed.react = react;
  app = join(scratch, 'app');
  await installConsumer(app, {
    '@fanout/client': join(tarballs, client.filename),
    '@fanout/react': join(tarballs, react.filename),
  });
  await inConsumer(app, 'vite', ['build', '--logLevel', 'warn']);
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** A topic with `count` ticks already produced, and an edge serving it. */
async function topicAndEdge(count: number) {
  const ticks = await TickProducer.create(3);
  await ticks.produce(count);
  const edge = await startEdgeProcess(sdkEdgeEnv(ticks.topic));
  return { ticks, edge, all: Array.from({ length: count }, (_, i) => i) };
}

describe('the packed packages', () => {
  it('ship built JavaScript, types and license, no sources; the browser entry within the budget', () => {
    const files = (p: Packed | undefined) => (p?.files ?? []).map((f) => f.path).sort();
    expect(files(packed.client)).toEqual([
      'LICENSE',
      'README.md',
      'bin/fanout.js',
      'dist/browser.js',
      'dist/cli.js',
      'dist/index.cjs',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/index.js',
      'dist/node-storage.cjs',
      'dist/node-storage.d.cts',
      'dist/node-storage.d.ts',
      'dist/node-storage.js',
      'dist/node.cjs',
      'dist/node.js',
      'package.json',
    ]);
    expect(files(packed.react)).toEqual([
      'LICENSE',
      'README.md',
      'dist/index.cjs',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/index.js',
      'package.json',
    ]);
    const installed = join(app, 'node_modules/@fanout/client');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      sideEffects: false,
      license: 'MIT',
      engines: { node: '>=20' },
      peerDependenciesMeta: { ws: { optional: true } },
    });
    expect(pkg.dependencies).toBeUndefined();
    expect(Object.keys(pkg.exports['.'])).toEqual(
      expect.arrayContaining(['browser', 'node', 'import', 'require']),
    );
    const browser = readFileSync(join(installed, 'dist/browser.js'));
    const gzipped = gzipSync(browser, { level: 9 }).length;
    console.log(
      `@fanout/client ${packed.client?.size} B packed (${packed.client?.unpackedSize} B unpacked); ` +
        `dist/browser.js ${browser.length} B minified, ${gzipped} B minified + gzipped (budget ${BUDGET_BYTES})`,
    );
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(browser.toString('utf8')).not.toMatch(/\bnode:|require\(["'](fs|path|ws)["']\)/);
  });

  it('type-check in a strict TypeScript project (ESM, CommonJS and React consumers)', async () => {
    await expect(inConsumer(app, 'tsc', ['-p', 'tsconfig.json'])).resolves.toBeDefined();
  });

  it('a Vite React app (StrictMode, two components on one channel) gets every record in Chromium', async () => {
    const { ticks, edge, all } = await topicAndEdge(30);
    const { url, server } = await serveStatic(join(app, 'dist'));
    onTestFinished(() => void server.close());
    const { page, console: pageLog } = await openBrowserPage();
    await page.goto(`${url}/?edge=${encodeURIComponent(edge.url)}&channel=${ticks.topic}`);
    const view = () =>
      page.evaluate(() => {
        const w = window as unknown as {
          fanoutConsumer?: { ticker: Got[]; count: Got[]; state?: string; states: string[] };
        };
        return w.fanoutConsumer;
      });
    const live = await waitFor(async () => ((await view())?.state === 'subscribed' ? true : undefined), {
      timeoutMs: 30_000,
      description: `the page's subscription live (page log: ${pageLog.join(' | ')})`,
    });
    expect(live).toBe(true);
    await ticks.produce(10);
    const expected = [...all, ...Array.from({ length: 10 }, (_, i) => 30 + i)];
    const seen = await waitFor(
      async () => {
        const v = await view();
        const done = (got: Got[]) => exactlyOnce(got).seqs.length >= 40;
        return v && done(v.ticker) && done(v.count) ? v : undefined;
      },
      { timeoutMs: 30_000, description: 'all 40 records in both components' },
    );
    expect(exactlyOnce(seen.ticker)).toEqual({ duplicates: [], seqs: expected });
    expect(exactlyOnce(seen.count)).toEqual({ duplicates: [], seqs: expected });
    expect(seen.count.map((g) => g.at)).toEqual(seen.ticker.map((g) => g.at));
    expect(seen.states).toEqual(['connecting:connect', 'connected:welcome']);
    expect(await page.textContent('#count')).toBe(String(seen.count.length));
  });

  it('a Node ESM script (for await, ws loaded by the Node entry) gets every record', async () => {
    const { ticks, edge, all } = await topicAndEdge(25);
    const { stdout } = await inConsumer(app, 'node', ['consumer.mjs', edge.url, ticks.topic, '25']);
    const result = JSON.parse(stdout) as { records: Got[]; entry: string; globalWebSocket: string };
    expect(exactlyOnce(result.records)).toEqual({ duplicates: [], seqs: all });
    expect(result.entry).toMatch(/node_modules\/@fanout\/client\/dist\/node\.js$/);
  });

  it('a Node CommonJS script (handler, ready()) gets every record', async () => {
    const { ticks, edge, all } = await topicAndEdge(25);
    const { stdout } = await inConsumer(app, 'node', ['consumer.cjs', edge.url, ticks.topic, '25']);
    const result = JSON.parse(stdout) as { records: Got[]; entry: string };
    expect(exactlyOnce(result.records)).toEqual({ duplicates: [], seqs: all });
    expect(result.entry).toMatch(/node_modules\/@fanout\/client\/dist\/node\.cjs$/);
  });

  it('the fanout CLI runs from the built JavaScript (no tsx installed) and prints every record', async () => {
    const { ticks, edge, all } = await topicAndEdge(20);
    const args = ['tail', ticks.topic, '--url', edge.url, '--from', 'earliest'];
    const child = spawn(join(app, 'node_modules/.bin/fanout'), [...args, '--session-file', 'tail.json'], {
      cwd: app,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => void child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Lines: `partition=0 offset=12 key=AAPL {"symbol":"AAPL",...,"seq":3}`.
    const printed = (): Got[] =>
      [...stdout.matchAll(/^partition=(\d+) offset=(\d+) .*"seq":(\d+)/gm)].map((m) => ({
        at: `${m[1]}:${m[2]}`,
        seq: Number(m[3]),
      }));
    const got = await waitFor(() => (exactlyOnce(printed()).seqs.length >= 20 ? printed() : undefined), {
      timeoutMs: 30_000,
      description: `20 records printed (stderr: ${stderr})`,
    });
    expect(exactlyOnce(got), `stdout:\n${stdout}\nstderr:\n${stderr}`).toEqual({ duplicates: [], seqs: all });
    expect(() => readFileSync(join(app, 'node_modules/.bin/tsx'))).toThrow();
    child.kill('SIGINT');
  });
});
