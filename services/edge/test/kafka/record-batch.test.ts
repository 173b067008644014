import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c, snappyCompress } from '@platformatic/wasm-utils';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/kafka/kafka-log.js';
import { type AbortedTransaction, BATCH_HEADER_BYTES, decodeBatches } from '../../src/kafka/record-batch.js';

// Bytes a real broker returned (see fixtures/make-batch-fixtures.ts).
const fixtures = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/batches.json'), 'utf8')) as {
  batches: Record<
    string,
    { records: string; aborted: Array<{ producerId: string; firstOffset: string }>; highWatermark: string }
  >;
};
const bytes = (name: string) => Buffer.from(fixtures.batches[name]?.records ?? '', 'base64');
const aborted = (name: string): AbortedTransaction[] =>
  (fixtures.batches[name]?.aborted ?? []).map((a) => ({
    producerId: BigInt(a.producerId),
    firstOffset: BigInt(a.firstOffset),
  }));
const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('utf8'));
const view = (r: LogRecord) => ({
  offset: r.offset,
  key: text(r.key),
  value: text(r.value),
  headers: r.headers.map((h) => [h.key, text(h.value)]),
});

const HEADERS = [
  ['a', '1'],
  ['b', '2'],
  ['a', '3'],
  ['__proto__', 'x'],
  ['constructor', ''],
  ['10', 'ten'],
];
const KCAT_RECORDS = [
  { offset: 0, key: 'k1', value: 'v1', headers: HEADERS },
  { offset: 1, key: '', value: 'empty-key', headers: HEADERS },
  { offset: 2, key: 'k2', value: '', headers: HEADERS },
  { offset: 3, key: null, value: 'no-key', headers: [] },
];

/** Rewrites batch `index` of `data` with a new attributes value and records section, CRC fixed. */
function rewriteBatch(
  data: Buffer,
  index: number,
  change: (attributes: number, body: Buffer) => [number, Buffer],
): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (let i = 0; pos < data.length; i++) {
    const total = 12 + data.readInt32BE(pos + 8);
    const batch = data.subarray(pos, pos + total);
    if (i === index) {
      const [attributes, body] = change(batch.readInt16BE(21), batch.subarray(BATCH_HEADER_BYTES));
      const out = Buffer.concat([Buffer.from(batch.subarray(0, BATCH_HEADER_BYTES)), body]);
      out.writeInt32BE(out.length - 12, 8);
      out.writeInt16BE(attributes, 21);
      out.writeUInt32BE(crc32c(out.subarray(21)) >>> 0, 17);
      parts.push(out);
    } else parts.push(Buffer.from(batch));
    pos += total;
  }
  return Buffer.concat(parts);
}

describe('decodeBatches on batches the real broker wrote', () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    it(`kcat (librdkafka), ${codec}: keys, values and headers byte for byte, in record order`, () => {
      const d = decodeBatches('t', 0, bytes(codec), 0);
      expect(d.error).toBeUndefined();
      expect(d.records.map(view)).toEqual(KCAT_RECORDS);
      expect(d.nextOffset).toBe(4);
      expect(d.batches).toBe(2);
      expect(
        d.records.every((r) => r.timestampMs > 1_700_000_000_000 && r.topic === 't' && r.partition === 0),
      ).toBe(true);
    });
  }

  it('from an offset inside a compressed batch: only the records from there', () => {
    expect(decodeBatches('t', 0, bytes('zstd'), 2).records.map((r) => r.offset)).toEqual([2, 3]);
  });

  it('read_committed: aborted transactions and control markers are dropped, progress runs to their end', () => {
    const d = decodeBatches('t', 0, bytes('txn'), 0, aborted('txn'));
    expect(d.error).toBeUndefined();
    expect(d.records.map((r) => text(r.value))).toEqual(['c1', 'c2', 'c3']);
    expect(d.nextOffset).toBe(Number(fixtures.batches.txn?.highWatermark));
    expect(aborted('txn')).toHaveLength(1);
  });

  it('without the aborted list (read_uncommitted), aborted records stay and markers still go', () => {
    const d = decodeBatches('t', 0, bytes('txn'), 0, []);
    expect(d.records.map((r) => text(r.value))).toEqual(['c1', 'c2', 'a1', 'a2', 'a3', 'c3']);
  });

  it('a batch cut at max bytes: the complete ones, and progress stops before the cut one', () => {
    const all = bytes('gzip');
    const d = decodeBatches('t', 0, all.subarray(0, all.length - 5), 0);
    expect(d.truncated).toBe(true);
    expect(d.error).toBeUndefined();
    expect(d.records.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(d.nextOffset).toBe(3);
  });

  it('a corrupt batch is an error naming its offset, never a silent skip; what came before is kept', () => {
    const all = Buffer.from(bytes('none'));
    const firstBatchBytes = 12 + all.readInt32BE(8);
    const at = all.length - 3; // inside the second batch
    expect(at).toBeGreaterThan(firstBatchBytes);
    all.writeUInt8((all.readUInt8(at) ^ 0xff) & 0xff, at);
    const d = decodeBatches('t', 0, all, 0);
    expect(d.error?.message).toMatch(/at offset 3 .*CRC mismatch/);
    expect(d.records.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(d.nextOffset).toBe(3);
  });

  it('an unknown codec is an error naming it', () => {
    const data = rewriteBatch(bytes('none'), 0, (a, body) => [(a & ~7) | 6, body]);
    const d = decodeBatches('t', 0, data, 0);
    expect(d.error?.message).toMatch(/codec 6/);
    expect(d.records).toEqual([]);
    expect(d.nextOffset).toBe(0);
  });

  it('snappy in xerial framing (Java producers) as well as raw (librdkafka)', () => {
    const data = rewriteBatch(bytes('none'), 0, (a, body) => {
      const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
      // Two blocks: the body split in halves, as SnappyOutputStream does past its block size.
      const half = Math.floor(body.length / 2);
      const b1 = snappyCompress(body.subarray(0, half));
      const b2 = snappyCompress(body.subarray(half));
      const l1 = Buffer.alloc(4);
      const l2 = Buffer.alloc(4);
      l1.writeInt32BE(b1.length);
      l2.writeInt32BE(b2.length);
      return [(a & ~7) | 2, Buffer.concat([header, l1, b1, l2, b2])];
    });
    const d = decodeBatches('t', 0, data, 0);
    expect(d.error).toBeUndefined();
    expect(d.records.map(view)).toEqual(KCAT_RECORDS);
  });

  it('a record that runs past its batch is an error', () => {
    const data = rewriteBatch(bytes('none'), 1, (a, body) => [a, body.subarray(0, body.length - 2)]);
    const d = decodeBatches('t', 0, data, 0);
    expect(d.error?.message).toMatch(/at offset 3/);
    expect(d.records.map((r) => r.offset)).toEqual([0, 1, 2]);
  });

  it('empty input: nothing, no progress', () => {
    expect(decodeBatches('t', 0, Buffer.alloc(0), 7)).toEqual({
      records: [],
      nextOffset: 7,
      batches: 0,
      truncated: false,
    });
  });
});
