import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fileStorage } from '../src/node.js';
import { parseTailArgs } from '../src/tail/args.js';
import { formatBytes, formatRecord } from '../src/tail/format.js';
import { runTail } from '../src/tail/run.js';
import { FakeNetwork } from './support/fake-socket.js';
import { tick } from './support/harness.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('parseTailArgs', () => {
  it('parses a channel and flags (both --flag value and --flag=value)', () => {
    const result = parseTailArgs(
      [
        'tail',
        'prices:AAPL',
        '--url',
        'ws://a:1',
        '--url=ws://b:2',
        '--session-file',
        '/tmp/s.json',
        '--token=t',
        '--from',
        'earliest',
      ],
      {},
      '/home/me',
    );
    expect(result).toEqual({
      ok: true,
      args: {
        channel: 'prices:AAPL',
        endpoints: ['ws://a:1', 'ws://b:2'],
        sessionFile: '/tmp/s.json',
        token: 't',
        from: 'earliest',
      },
    });
  });

  it('defaults: FANOUT_URL / FANOUT_TOKEN, a per-channel session file in cwd, from latest', () => {
    expect(
      parseTailArgs(['tail', 'prices:A/B'], { FANOUT_URL: 'ws://x:1, ws://y:2', FANOUT_TOKEN: 'tok' }, '/w/'),
    ).toEqual({
      ok: true,
      args: {
        channel: 'prices:A/B',
        endpoints: ['ws://x:1', 'ws://y:2'],
        sessionFile: '/w/.fanout-tail-prices%3AA%2FB.json',
        token: 'tok',
        from: 'latest',
      },
    });
    const bare = parseTailArgs(['tail', 'prices'], {}, '/w');
    expect(bare.ok && bare.args.endpoints).toEqual(['ws://localhost:8080']);
    expect(bare.ok && bare.args.token).toBeUndefined();
  });

  it('reports every problem at once', () => {
    const result = parseTailArgs(
      ['tial', '--from', 'middle', '--url', 'http://x', '--nope', '--token'],
      {},
      '/w',
    );
    expect(result).toEqual({
      ok: false,
      help: false,
      errors: [
        'unknown option --nope',
        '--token needs a value',
        'unknown command tial',
        'missing <channel>',
        'not a ws:// or wss:// URL: http://x',
        '--from must be earliest or latest, not middle',
      ],
    });
  });

  it('recognizes --help', () => {
    expect(parseTailArgs(['tail', '--help'], {}, '/w')).toEqual({ ok: false, help: true, errors: [] });
  });
});

describe('formatting', () => {
  it('prints printable UTF-8 as text, one line per record', () => {
    expect(formatBytes(utf8('{"price": 1.5} é €'))).toBe('{"price": 1.5} é €');
    expect(formatBytes(utf8('a\nb\r\\'))).toBe('a\\nb\\r\\\\');
    expect(formatBytes(utf8(''))).toBe('');
    expect(formatBytes(null)).toBe('(null)');
  });

  it('prints invalid UTF-8 or control characters as hex', () => {
    expect(formatBytes(new Uint8Array([0xff, 0x00, 0x10]))).toBe('0xff0010');
    expect(formatBytes(utf8('a\u0000b'))).toBe('0x610062');
    expect(formatBytes(utf8('\u001b[31mred'))).toBe('0x1b5b33316d726564');
  });

  it('formats a record', () => {
    expect(formatRecord({ partition: 2, offset: 41, key: utf8('AAPL'), payload: utf8('{"p":1}') })).toBe(
      'partition=2 offset=41 key=AAPL {"p":1}',
    );
    expect(formatRecord({ partition: 0, offset: 0, key: null, payload: new Uint8Array([0xc3]) })).toBe(
      'partition=0 offset=0 key=(null) 0xc3',
    );
  });
});

describe('runTail', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), 'fanout-tail-'));
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints records, and a second run resumes from the session file right after the last printed record', async () => {
    const sessionFile = join(dir, 'session.json');
    const args = {
      channel: 'prices',
      endpoints: ['ws://edge'],
      sessionFile,
      token: undefined,
      from: 'earliest' as const,
    };
    const net = new FakeNetwork();
    const lines: string[] = [];
    const deps = {
      WebSocket: net.WebSocket,
      storage: fileStorage(sessionFile),
      out: (l: string) => void lines.push(l),
      err: () => {},
    };

    const first = runTail(args, deps);
    await tick();
    const edge = net.last.serverOpen().welcome({ sessionId: 'sess-1' });
    expect(edge.frames('subscribe')).toEqual([expect.objectContaining({ channel: 'prices', start: 1 })]);
    for (const offset of [0, 1, 2])
      edge.publish(
        { topic: 'prices', partition: 0, offset, key: 'k', payload: utf8(`v${offset}`) },
        'prices',
      );
    edge.confirm('prices', [{ partition: 0, offset: 2 }]);
    await tick();
    await first.stop();
    expect(await first.done).toBe(0);
    expect(lines).toEqual([
      'partition=0 offset=0 key=k v0',
      'partition=0 offset=1 key=k v1',
      'partition=0 offset=2 key=k v2',
    ]);
    expect(edge.frames('ack').at(-1)).toEqual({
      channel: 'prices',
      positions: [{ partition: 0, offset: 2 }],
    });
    expect(JSON.parse(readFileSync(sessionFile, 'utf8'))).toHaveProperty(['fanout:tail:prices']);

    const second = runTail(args, { ...deps, storage: fileStorage(sessionFile) });
    await tick();
    const next = net.last.serverOpen();
    expect(next.hello.sessionId).toBe('sess-1');
    expect(next.hello.delivered).toEqual([{ channel: 'prices', positions: [{ partition: 0, offset: 2 }] }]);
    // The edge lost the session: the tail re-subscribes after what it printed.
    next.welcome({ sessionId: 'sess-2', resumed: false });
    expect(next.frames('subscribe')).toEqual([
      expect.objectContaining({ channel: 'prices', start: 2, after: [{ partition: 0, offset: 2 }] }),
    ]);
    await second.stop();
  });

  it('exits 1 with the error when the edge refuses the token', async () => {
    const net = new FakeNetwork();
    const errs: string[] = [];
    const run = runTail(
      {
        channel: 'prices',
        endpoints: ['ws://edge'],
        sessionFile: join(dir, 's.json'),
        token: 'bad',
        from: 'latest',
      },
      {
        WebSocket: net.WebSocket,
        storage: fileStorage(join(dir, 's.json')),
        out: () => {},
        err: (l) => void errs.push(l),
      },
    );
    await tick();
    net.last
      .serverOpen()
      .serverSend({ error: { code: 200, message: 'bad token' } })
      .serverClose(4401);
    expect(await run.done).toBe(1);
    expect(errs.at(-1)).toBe('# error: bad token (error 200, closed 4401)');
  });
});
