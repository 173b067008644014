import { gunzipSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import { lz4Decompress, snappyDecompress } from '@platformatic/wasm-utils';
import { decompress as fzstdDecompress } from 'fzstd';

/** Kafka's compression codecs, by the value of a record batch's attribute bits 0-2. */
export const Codec = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;
export type CodecId = (typeof Codec)[keyof typeof Codec];

export const CODEC_NAMES: Record<number, string> = {
  0: 'none',
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd',
};

// Java producers frame snappy the way xerial's SnappyOutputStream does: a
// 16-byte header, then blocks of [int32 length][raw snappy]. librdkafka and
// others write one raw snappy block. Kafka's consumers accept both; so do we.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function snappy(data: Buffer): Buffer {
  if (data.length >= 16 && data.subarray(0, 8).equals(XERIAL_MAGIC)) {
    const blocks: Buffer[] = [];
    let pos = 16;
    while (pos < data.length) {
      if (pos + 4 > data.length) throw new Error('truncated xerial snappy block header');
      const len = data.readInt32BE(pos);
      pos += 4;
      if (len < 0 || pos + len > data.length) throw new Error('truncated xerial snappy block');
      blocks.push(snappyDecompress(data.subarray(pos, pos + len)));
      pos += len;
    }
    return blocks.length === 1 ? (blocks[0] as Buffer) : Buffer.concat(blocks);
  }
  return snappyDecompress(data);
}

type SyncDecompress = (data: Buffer) => Buffer;
// Node 22.15+ has zstd in zlib (native, faster); Node 20 does not, so fzstd
// (pure JS, decompression only) reads it there.
const nativeZstd = (zlib as unknown as { zstdDecompressSync?: SyncDecompress }).zstdDecompressSync;

function zstd(data: Buffer): Buffer {
  if (nativeZstd) return nativeZstd(data);
  const out = fzstdDecompress(data);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Decompresses the records section of a batch. Throws on unknown codecs and corrupt data. */
export function decompress(codec: number, data: Buffer): Buffer {
  switch (codec) {
    case Codec.NONE:
      return data;
    case Codec.GZIP:
      return gunzipSync(data);
    case Codec.SNAPPY:
      return snappy(data);
    case Codec.LZ4:
      return lz4Decompress(data);
    case Codec.ZSTD:
      return zstd(data);
    default:
      throw new Error(`unknown compression codec ${codec}`);
  }
}
