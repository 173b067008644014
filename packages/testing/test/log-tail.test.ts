import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lastLines, readLogTail } from '../src/log-tail.js';

describe('lastLines', () => {
  it('keeps the last n lines, ignoring one trailing newline', () => {
    expect(lastLines('a\nb\nc\n', 2)).toBe('b\nc');
    expect(lastLines('a\nb\nc', 5)).toBe('a\nb\nc');
    expect(lastLines('a\nb', 0)).toBe('');
    expect(lastLines('', 3)).toBe('');
  });
});

describe('readLogTail', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('returns an empty string for a missing file', () => {
    expect(readLogTail('/nonexistent/fanout/log', 10)).toBe('');
  });

  it('reads only the end of a large file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-log-tail-'));
    dirs.push(dir);
    const file = join(dir, 'big.log');
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect(readLogTail(file, 3, 1024)).toBe('line 49997\nline 49998\nline 49999');
  });
});
