import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `lines` lines of `text` (a trailing newline does not count as an empty line). */
export function lastLines(text: string, lines: number): string {
  if (lines <= 0) return '';
  const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return all.slice(-lines).join('\n');
}

/**
 * The last `lines` lines of a log file, reading at most its last `maxBytes`
 * (broker logs grow to megabytes over a test run). '' if it does not exist.
 */
export function readLogTail(file: string, lines = 50, maxBytes = 256 * 1024): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return lastLines(buffer.toString('utf8'), lines);
  } finally {
    closeSync(fd);
  }
}
