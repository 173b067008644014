import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createClient } from '../src/index.js';
import { MiniEdge, until } from './support/mini-edge.js';

let edge: MiniEdge;
beforeEach(async () => {
  edge = await MiniEdge.start();
});
afterEach(async () => {
  await edge.stop();
});

describe('over real sockets (ws in Node 20)', () => {
  it('receives, acks, survives a dropped connection with no gap and no duplicate, and closes with 1000', async () => {
    const client = createClient({
      endpoints: edge.url,
      WebSocket,
      storage: null,
      globalEvents: null,
      backoff: { minMs: 10, maxMs: 50 },
      ack: { maxDelayMs: 5 },
    });
    const seen: string[] = [];
    client.subscribe(
      'prices',
      { from: 'earliest' },
      (r) => void seen.push(new TextDecoder().decode(r.payload)),
    );
    edge.produce('prices', 'a');
    edge.produce('prices', 'b');
    await until(() => seen.length === 2, 10_000, 'two records');
    await until(
      () => edge.received.some((f) => f.kind === 'ack' && f.ack.positions[0]?.offset === 1),
      10_000,
      'ack',
    );
    edge.dropAll();
    edge.produce('prices', 'c'); // produced while the client is away
    await until(() => client.state === 'connected' && seen.length === 3, 10_000, 'resume');
    edge.produce('prices', 'd');
    await until(() => seen.length === 4, 10_000, 'live after resume');
    await client.close();
    await until(() => edge.closes.includes(1000), 10_000, 'close 1000');
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    const hellos = edge.received.filter((f) => f.kind === 'hello');
    expect(hellos).toHaveLength(2);
    expect(hellos[1]?.kind === 'hello' && hellos[1].hello.sessionId).toBe('mini-1');
  });

  it('fanout tail: run, stop (SIGINT), produce, run again: prints exactly the records it missed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-cli-'));
    const launcher = resolve(import.meta.dirname, '../bin/fanout.js');
    const tail = () => {
      const child = spawn(
        process.execPath,
        [
          launcher,
          'tail',
          'prices',
          '--url',
          edge.url,
          '--session-file',
          join(dir, 's.json'),
          '--from',
          'earliest',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const lines: string[] = [];
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const parts = buffer.split('\n');
        buffer = parts.pop() ?? '';
        lines.push(...parts);
      });
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return { child, lines, exit };
    };
    try {
      edge.produce('prices', 'one');
      edge.produce('prices', 'two');
      const first = tail();
      await until(() => first.lines.length === 2, 15_000, 'first run output');
      first.child.kill('SIGINT');
      expect(await first.exit).toBe(0);
      edge.produce('prices', 'three');
      edge.produce('prices', 'four');
      const second = tail();
      await until(() => second.lines.length === 2, 15_000, 'second run output');
      edge.produce('prices', 'five');
      await until(() => second.lines.length === 3, 15_000, 'live record');
      second.child.kill('SIGINT');
      expect(await second.exit).toBe(0);
      expect(first.lines).toEqual([
        'partition=0 offset=0 key=(null) one',
        'partition=0 offset=1 key=(null) two',
      ]);
      expect(second.lines).toEqual([
        'partition=0 offset=2 key=(null) three',
        'partition=0 offset=3 key=(null) four',
        'partition=0 offset=4 key=(null) five',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
