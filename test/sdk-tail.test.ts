import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@fanout/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { repoRoot, startEdgeProcess } from './support/edge-process.js';
import { TickProducer, describeTally, exact, sdkEdgeEnv, seqOf, tally } from './support/sdk-fixtures.js';

/** One printed record: `partition=0 offset=12 key=AAPL <payload>`. */
interface Line {
  partition: number;
  offset: number;
  key: string;
  seq: number;
}

const LINE = /^partition=(\d+) offset=(\d+) key=(\S+) (.*)$/;

/** `node packages/client/bin/fanout.js tail ...`, its parsed stdout and raw stderr; killed at the end. */
function runTail(args: string[]): {
  child: ChildProcess;
  lines: Line[];
  other: string[];
  stderr: string[];
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['packages/client/bin/fanout.js', 'tail', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: Line[] = [];
  const other: string[] = [];
  const stderr: string[] = [];
  const split = (stream: NodeJS.ReadableStream | null, onLine: (l: string) => void) => {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) onLine(l);
    });
  };
  split(child.stdout, (l) => {
    const m = LINE.exec(l);
    if (!m) return void other.push(l);
    lines.push({
      partition: Number(m[1]),
      offset: Number(m[2]),
      key: m[3] as string,
      seq: seqOf(m[4] as string),
    });
  });
  split(child.stderr, (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, lines, other, stderr, exited };
}

describe('fanout tail', () => {
  it('run, stop (SIGINT), produce, run again: it prints exactly the records it missed', async () => {
    const ticks = await TickProducer.create(3);
    const edge = await startEdgeProcess(sdkEdgeEnv(ticks.topic));
    const dir = mkdtempSync(join(tmpdir(), 'fanout-tail-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const args = [
      ticks.topic,
      '--url',
      edge.url,
      '--session-file',
      join(dir, 'session.json'),
      '--from',
      'earliest',
    ];

    const first = runTail(args);
    await ticks.produce(40);
    await waitFor(() => first.lines.length >= 40, {
      timeoutMs: 20_000,
      description: `40 lines from the first run (stderr: ${first.stderr.join(' | ')})`,
    });
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    const firstSeqs = first.lines.map((l) => l.seq);
    const t1 = tally(
      firstSeqs,
      ticks.produced.map((p) => p.seq),
    );
    expect(exact(t1), `first run: ${describeTally(t1)}`).toBe(true);

    const missed = await ticks.produce(40);
    const second = runTail(args);
    await waitFor(() => second.lines.length >= 40, {
      timeoutMs: 20_000,
      description: `the 40 missed records (stderr: ${second.stderr.join(' | ')})`,
    });
    const live = await ticks.produce(20);
    await waitFor(() => second.lines.length >= 60, { timeoutMs: 20_000, description: '60 lines' });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    const t2 = tally(
      second.lines.map((l) => l.seq),
      [...missed, ...live].map((p) => p.seq),
    );
    process.stderr.write(
      `[tail] first run: ${describeTally(t1)}; second run: ${describeTally(t2)}; stderr: ${second.stderr.filter((l) => l.includes('session')).join(' | ')}\n`,
    );
    expect(exact(t2), `second run: ${describeTally(t2)}`).toBe(true);
    // The missed records come first, in partition order.
    expect(new Set(second.lines.slice(0, 40).map((l) => l.seq))).toEqual(new Set(missed.map((p) => p.seq)));
    for (const p of new Set(second.lines.map((l) => l.partition))) {
      const offsets = second.lines.filter((l) => l.partition === p).map((l) => l.offset);
      expect(offsets, `partition ${p} in order`).toEqual([...offsets].sort((x, y) => x - y));
    }
    expect(second.stderr.some((l) => /session .* \(resumed\)/.test(l))).toBe(true);
    expect(first.other.concat(second.other)).toEqual([]);
  });
});
