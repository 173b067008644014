import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundle } from '../scripts/build.js';
import { BUDGET_BYTES, measure } from '../scripts/size.js';
import type * as Sdk from '../src/index.js';
import { VERSION } from '../src/index.js';
import { FakeNetwork } from './support/fake-socket.js';

const proto = readFileSync(resolve(import.meta.dirname, '../../../proto/fanout/v1/fanout.proto'), 'utf8');

describe('browser bundle', () => {
  it(`stays within the budget (${BUDGET_BYTES} bytes minified + gzipped, protobuf runtime included)`, async () => {
    const { minified, gzipped } = await measure();
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(minified).toBeGreaterThan(gzipped);
  });

  it('does not pull Node built-ins', async () => {
    const text = new TextDecoder().decode(await bundle());
    expect(text).not.toMatch(/\bnode:|require\(["'](fs|path|ws)["']\)/);
  });

  describe('works as bundled (with the unreachable protobufjs parts stubbed)', () => {
    let dir: string;
    let sdk: typeof Sdk;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'fanout-bundle-'));
      const file = join(dir, 'fanout.min.mjs');
      writeFileSync(file, await bundle());
      sdk = (await import(pathToFileURL(file).href)) as typeof Sdk;
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('encodes client frames and decodes server frames', async () => {
      vi.useFakeTimers();
      try {
        const net = new FakeNetwork();
        const client = sdk.createClient({
          endpoints: 'ws://edge',
          WebSocket: net.WebSocket,
          storage: null,
          globalEvents: null,
        });
        const seen: number[] = [];
        client.subscribe('prices', (r) => void seen.push(r.offset));
        await vi.advanceTimersByTimeAsync(0);
        const edge = net.last.serverOpen().welcome({ sessionId: 's' });
        edge.confirm('prices', [{ partition: 0, offset: 0 }]);
        edge.publish({
          topic: 'prices',
          partition: 0,
          offset: 1,
          key: 'k',
          headers: [{ key: 'h', value: null }],
        });
        edge.serverSend({ ping: {} });
        await client.close();
        expect(seen).toEqual([1]);
        expect(edge.sent.map((f) => f.kind)).toEqual(['hello', 'subscribe', 'pong', 'ack']);
        expect(edge.hello.clientVersion).toBe(VERSION);
      } finally {
        vi.useRealTimers();
      }
    });
  });

  it('the stubbed protobufjs parts stay unreachable: no float or double fields, no services in fanout.proto', () => {
    expect(proto).not.toMatch(/^\s*(repeated\s+|optional\s+)?(float|double)\s+\w+\s*=/m);
    expect(proto).not.toMatch(/^\s*service\s/m);
  });

  it('client frames have no bytes fields (protobufjs base64 is only reached for a bytes field given as a string)', () => {
    const messages = new Map<string, string>();
    for (const m of proto.matchAll(/^message (\w+) \{(?:\}|([\s\S]*?)^\})/gm))
      messages.set(m[1]!, m[2] ?? '');
    const seen = new Set<string>();
    const visit = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const f of (messages.get(name) ?? '').matchAll(
        /^\s*(?:repeated\s+|optional\s+)?(\w+)\s+\w+\s*=/gm,
      )) {
        expect(f[1], `${name} has a bytes field`).not.toBe('bytes');
        if (messages.has(f[1]!)) visit(f[1]!);
      }
    };
    visit('ClientFrame');
    expect([...seen]).toEqual(
      expect.arrayContaining(['Hello', 'Subscribe', 'Ack', 'Pong', 'Refresh', 'Position']),
    );
  });
});

describe('package', () => {
  it('VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
  });
});
