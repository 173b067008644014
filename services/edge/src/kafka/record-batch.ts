import { crc32c } from '@platformatic/wasm-utils';
import { CODEC_NAMES, decompress } from './codecs.js';
import type { LogHeader, LogRecord } from './kafka-log.js';

/**
 * Kafka record batches (magic 2) decoded from the bytes a Fetch returned.
 *
 * Progress always comes from the batch headers: a batch ends at
 * `baseOffset + lastOffsetDelta`, whether its records were all decoded, are
 * control records, belong to an aborted transaction or were removed by
 * compaction (which keeps a batch's last offset in its header while removing
 * its last records). Nothing here depends on "the last record I decoded".
 */

/** Bytes of a batch's header up to and including the record count. */
export const BATCH_HEADER_BYTES = 61;
const ATTR_CODEC = 0x07;
const ATTR_LOG_APPEND_TIME = 0x08;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;

/** An aborted transaction the broker listed for a partition (read_committed). */
export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** Why a batch could not be decoded. Never skipped silently: the partition stops there and reports it. */
export class UndecodableBatchError extends Error {
  override readonly name = 'UndecodableBatchError';
  readonly code = 'UNDECODABLE_BATCH';
  readonly retriable = false;
  constructor(
    readonly baseOffset: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`record batch at offset ${baseOffset} cannot be decoded: ${reason}`, options);
  }
}

/** What the batches of one partition's fetch give. */
export interface DecodedBatches {
  /** Data records with offset >= `fetchOffset`, in order: control and aborted ones removed. */
  records: LogRecord[];
  /** The offset to fetch next: one past the last complete batch (or `fetchOffset` if none). */
  nextOffset: number;
  /** Complete batches seen. */
  batches: number;
  /** Whether the bytes ended inside a batch (the broker cut it at max bytes). */
  truncated: boolean;
  /** Set when a batch could not be decoded: `records`/`nextOffset` stop before it. */
  error?: UndecodableBatchError;
}

function toSafe(v: bigint, what: string, at: number): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new UndecodableBatchError(at, `${what} ${v} is not a safe integer`);
  return n;
}

/** A cursor over a buffer for the varint-encoded record format. */
class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError('record runs past its batch');
  }
  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  /** Zig-zag varint (int32 range). */
  varint(): number {
    let shift = 0;
    let result = 0;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++] as number;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else if (shift === 28) result |= (b & 0x0f) << 28;
      else throw new RangeError('varint too long');
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    return (result >>> 1) ^ -(result & 1);
  }
  /** Zig-zag varlong, as a bigint. */
  varlong(): bigint {
    let shift = 0n;
    let result = 0n;
    for (;;) {
      this.need(1);
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new RangeError('varlong too long');
    }
    return (result >> 1n) ^ -(result & 1n);
  }
  bytes(len: number): Buffer {
    this.need(len);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  nullableBytes(): Buffer | null {
    const len = this.varint();
    if (len < -1) throw new RangeError(`negative length ${len}`);
    return len === -1 ? null : this.bytes(len);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

interface BatchHeader {
  baseOffset: number;
  lastOffset: number;
  attributes: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  count: number;
}

function readHeader(buf: Buffer, at: number, baseOffset: number): BatchHeader {
  const magic = buf.readInt8(at + 16);
  if (magic !== 2)
    throw new UndecodableBatchError(baseOffset, `record format magic ${magic} (only magic 2 is supported)`);
  const lastOffsetDelta = buf.readInt32BE(at + 23);
  if (lastOffsetDelta < 0) throw new UndecodableBatchError(baseOffset, 'negative lastOffsetDelta');
  return {
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    attributes: buf.readInt16BE(at + 21),
    baseTimestamp: buf.readBigInt64BE(at + 27),
    maxTimestamp: buf.readBigInt64BE(at + 35),
    producerId: buf.readBigInt64BE(at + 43),
    count: buf.readInt32BE(at + 57),
  };
}

/** A control batch's record key: version int16, type int16 (0 abort, 1 commit). */
function controlType(h: BatchHeader, body: Buffer): number {
  if (h.count < 1) return -1;
  const c = new Cursor(body);
  c.varint(); // length
  c.int8(); // attributes
  c.varlong(); // timestamp delta
  c.varint(); // offset delta
  const key = c.nullableBytes();
  if (!key || key.length < 4) return -1;
  return key.readInt16BE(2);
}

function decodeRecords(
  topic: string,
  partition: number,
  h: BatchHeader,
  body: Buffer,
  fetchOffset: number,
  out: LogRecord[],
): void {
  const c = new Cursor(body);
  const logAppendTime = (h.attributes & ATTR_LOG_APPEND_TIME) !== 0;
  for (let i = 0; i < h.count; i++) {
    const length = c.varint();
    const end = c.pos + length;
    if (length < 0 || end > body.length) throw new RangeError(`record ${i} runs past its batch`);
    c.int8(); // attributes (unused)
    const timestampDelta = c.varlong();
    const offsetDelta = c.varint();
    const key = c.nullableBytes();
    const value = c.nullableBytes();
    const headerCount = c.varint();
    if (headerCount < 0) throw new RangeError(`negative header count ${headerCount}`);
    const headers: LogHeader[] = [];
    for (let j = 0; j < headerCount; j++) {
      const keyLen = c.varint();
      if (keyLen < 0) throw new RangeError('header key is null');
      const hk = utf8.decode(c.bytes(keyLen));
      headers.push({ key: hk, value: c.nullableBytes() });
    }
    if (c.pos !== end) throw new RangeError(`record ${i} length ${length} does not match its fields`);
    const offset = h.baseOffset + offsetDelta;
    if (offsetDelta < 0 || offset > h.lastOffset)
      throw new RangeError(`record offset ${offset} outside its batch`);
    if (offset < fetchOffset) continue;
    const ts = logAppendTime ? h.maxTimestamp : h.baseTimestamp + timestampDelta;
    out.push({
      topic,
      partition,
      offset,
      key,
      value,
      headers,
      timestampMs: Number(ts),
    });
  }
}

/**
 * Decodes the record batches of one partition's fetch.
 *
 * `aborted`: the response's aborted transactions for the partition (empty
 * under read_uncommitted). Follows Kafka's consumer: a transactional batch
 * of a producer whose aborted transaction started at or before the batch is
 * skipped until that producer's ABORT marker.
 */
export function decodeBatches(
  topic: string,
  partition: number,
  data: Buffer,
  fetchOffset: number,
  aborted: readonly AbortedTransaction[] = [],
  options: { checkCrc?: boolean } = {},
): DecodedBatches {
  const checkCrc = options.checkCrc ?? true;
  const records: LogRecord[] = [];
  const pendingAborts = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  let nextOffset = fetchOffset;
  let batches = 0;
  let pos = 0;
  let truncated = false;
  while (pos < data.length) {
    if (data.length - pos < BATCH_HEADER_BYTES) {
      truncated = true;
      break;
    }
    const baseOffsetBig = data.readBigInt64BE(pos);
    const batchLength = data.readInt32BE(pos + 8);
    const total = 12 + batchLength;
    let baseOffset: number;
    try {
      baseOffset = toSafe(baseOffsetBig, 'base offset', nextOffset);
      if (batchLength < BATCH_HEADER_BYTES - 12)
        throw new UndecodableBatchError(baseOffset, `batch length ${batchLength} is too small`);
    } catch (err) {
      return { records, nextOffset, batches, truncated, error: err as UndecodableBatchError };
    }
    if (data.length - pos < total) {
      truncated = true;
      break;
    }
    try {
      const h = readHeader(data, pos, baseOffset);
      const batch = data.subarray(pos, pos + total);
      if (checkCrc) {
        const stored = batch.readUInt32BE(17);
        const computed = crc32c(batch.subarray(21)) >>> 0;
        if (stored !== computed)
          throw new UndecodableBatchError(
            baseOffset,
            `CRC mismatch (stored ${stored}, computed ${computed}): corrupt batch`,
          );
      }
      if (h.lastOffset >= fetchOffset) {
        const transactional = (h.attributes & ATTR_TRANSACTIONAL) !== 0;
        if (transactional) {
          while (
            pendingAborts.length > 0 &&
            (pendingAborts[0] as AbortedTransaction).firstOffset <= BigInt(h.lastOffset)
          )
            abortedProducers.add((pendingAborts.shift() as AbortedTransaction).producerId);
        }
        const codec = h.attributes & ATTR_CODEC;
        const raw = batch.subarray(BATCH_HEADER_BYTES);
        if ((h.attributes & ATTR_CONTROL) !== 0) {
          // Control batches are never compressed; an ABORT marker ends the producer's aborted range.
          if (controlType(h, raw) === 0) abortedProducers.delete(h.producerId);
        } else if (!(transactional && abortedProducers.has(h.producerId))) {
          let body: Buffer;
          try {
            body = decompress(codec, raw);
          } catch (err) {
            throw new UndecodableBatchError(
              baseOffset,
              `${CODEC_NAMES[codec] ?? `codec ${codec}`} decompression failed: ${(err as Error).message}`,
              { cause: err },
            );
          }
          const before = records.length;
          try {
            decodeRecords(topic, partition, h, body, fetchOffset, records);
          } catch (err) {
            records.length = before;
            throw new UndecodableBatchError(baseOffset, (err as Error).message, { cause: err });
          }
        }
        nextOffset = Math.max(nextOffset, h.lastOffset + 1);
      }
      batches++;
    } catch (err) {
      const e =
        err instanceof UndecodableBatchError
          ? err
          : new UndecodableBatchError(baseOffset, (err as Error).message, { cause: err });
      return { records, nextOffset, batches, truncated, error: e };
    }
    pos += total;
  }
  return { records, nextOffset, batches, truncated };
}
