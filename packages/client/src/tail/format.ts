import type { FanoutRecord } from '../types.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Control characters other than tab, LF and CR (those are printed escaped).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Bytes as text when they are printable UTF-8 (newlines escaped, one record per line), else `0x` + hex. */
export function formatBytes(bytes: Uint8Array | null): string {
  if (bytes === null) return '(null)';
  let text: string | undefined;
  try {
    text = decoder.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined && !UNPRINTABLE.test(text)) {
    return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  }
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** One output line for a record: `partition=0 offset=12 key=AAPL <payload>`. */
export function formatRecord(record: Pick<FanoutRecord, 'partition' | 'offset' | 'key' | 'payload'>): string {
  return `partition=${record.partition} offset=${record.offset} key=${formatBytes(record.key)} ${formatBytes(record.payload)}`;
}
