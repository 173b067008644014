import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileStorage } from '../src/node.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fanout-fs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('fileStorage', () => {
  it('round trips keys in one JSON file, creating directories', () => {
    const path = join(dir, 'nested/session.json');
    const s = fileStorage(path);
    expect(s.get('a')).toBeNull();
    s.set('a', '1');
    s.set('b', '2');
    expect(fileStorage(path).get('a')).toBe('1');
    s.remove('a');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ b: '2' });
  });

  it('reads a corrupt file as empty and replaces it on write', () => {
    const path = join(dir, 's.json');
    writeFileSync(path, '{not json');
    const s = fileStorage(path);
    expect(s.get('a')).toBeNull();
    s.set('a', '1');
    expect(s.get('a')).toBe('1');
  });
});
