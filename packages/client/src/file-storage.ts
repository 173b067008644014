// Node only: not reachable from src/index.ts, so the browser bundle never pulls node:fs.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SessionStorage } from './types.js';

/**
 * A `SessionStorage` in a JSON file (one object of key → value), for Node
 * programs and the CLI. Synchronous: a write is on disk when `set` returns,
 * so a process that exits right after `client.close()` keeps its session.
 * Writes replace the file atomically (temp file + rename). An unreadable or
 * corrupt file reads as empty: the client then starts a new session.
 */
export function fileStorage(path: string): SessionStorage {
  const read = (): Record<string, string> => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return {};
    }
    try {
      const data: unknown = JSON.parse(text);
      return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, string>) : {};
    } catch {
      return {};
    }
  };
  const write = (data: Record<string, string>): void => {
    mkdirSync(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(temp, path);
  };
  return {
    get: (key) => {
      const value = read()[key];
      return typeof value === 'string' ? value : null;
    },
    set: (key, value) => {
      const data = read();
      data[key] = value;
      write(data);
    },
    remove: (key) => {
      const data = read();
      if (!(key in data)) return;
      delete data[key];
      write(data);
    },
  };
}
