import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fanout } from '../src/generated/fanout.js';
import {
  type Publication,
  decodeServerFrame,
  encodeLivePublication,
  encodePublication,
  publicationFrame,
} from '../src/index.js';
import * as arb from './support/arbitraries.js';
import { normalizeFrame, toHex } from './support/frames.js';
import { varint } from './support/wire.js';

// publicationFrame wraps a record's Publication bytes (encoded once) into a
// ServerFrame by hand: it must write exactly what protobufjs writes for the
// whole frame, whatever the lengths' varint sizes.
type KafkaRecord = Omit<Publication, 'channel'>;

function record(payloadSize: number, topic = 'prices'): KafkaRecord {
  const payload = new Uint8Array(payloadSize);
  for (let i = 0; i < payloadSize; i++) payload[i] = i % 251;
  return {
    topic,
    partition: 3,
    offset: 123_456_789,
    key: new TextEncoder().encode('EURUSD'),
    headers: [{ key: 'h', value: null }],
    timestampMs: 1_718_000_000_000,
    payload,
  };
}

function reference(p: KafkaRecord, channel?: string): Uint8Array {
  return fanout.v1.ServerFrame.encode({ publication: { ...p, channel } }).finish();
}

function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  // Compare as hex only on a mismatch: 1 MiB hex strings make slow diffs.
  if (!Buffer.from(actual).equals(Buffer.from(expected))) expect(toHex(actual)).toBe(toHex(expected));
}

const channels: [string, string | undefined][] = [
  ['live (no channel)', undefined],
  ['replayed', 'prices:EURUSD'],
  ['replayed, 127-byte channel', 'c'.repeat(127)],
  ['replayed, 128-byte channel of 64 characters', 'é'.repeat(64)],
];

describe('publicationFrame', () => {
  describe.each(channels)('%s', (_name, channel) => {
    it.each([0, 127, 128, 16_383, 16_384, 1 << 20])('equals protobufjs with a %i-byte payload', (size) => {
      const p = record(size);
      expectSameBytes(publicationFrame(encodePublication(p), channel), reference(p, channel));
    });
  });

  // The envelope's own length varint grows at 128, 16384 and 2^21 bytes of
  // Publication: hit each side of each boundary exactly.
  it.each([127, 128, 16_383, 16_384, 2_097_151, 2_097_152])(
    'equals protobufjs when the Publication is %i bytes',
    (target) => {
      const channel = 'prices:EURUSD';
      const appended = 1 + 1 + channel.length;
      let found: KafkaRecord | undefined;
      // The payload's own length varint can skip a size; a longer topic shifts by one.
      for (const topic of ['p', 'pr']) {
        const fixed = encodePublication(record(0, topic)).length;
        for (let size = Math.max(0, target - fixed - appended - 4); size <= target; size++) {
          const length = encodePublication(record(size, topic)).length + appended;
          if (length === target) found = record(size, topic);
          if (length >= target) break;
        }
        if (found) break;
      }
      if (!found) throw new Error(`no payload size gives a ${target}-byte Publication`);
      const frame = publicationFrame(encodePublication(found), channel);
      expect(toHex(frame.subarray(0, 1 + varint(target).length))).toBe(
        toHex(Uint8Array.from([0x0a, ...varint(target)])),
      );
      expect(frame.length).toBe(1 + varint(target).length + target);
      expectSameBytes(frame, reference(found, channel));
    },
  );

  it('treats an empty channel as a live publication', () => {
    const p = record(3);
    expectSameBytes(publicationFrame(encodePublication(p), ''), reference(p));
  });

  it('decodes to the record with the channel, for arbitrary records and channels', () => {
    const channel = fc.option(arb.text, { nil: undefined });
    fc.assert(
      fc.property(arb.publication, channel, ({ channel: _, ...p }, c) => {
        const frame = publicationFrame(encodePublication(p), c);
        expectSameBytes(frame, reference(p, c || undefined));
        const result = decodeServerFrame(frame);
        if (!result.ok) throw result.error;
        expect(normalizeFrame(result.frame)).toStrictEqual(
          normalizeFrame({ kind: 'publication', publication: { ...p, channel: c ?? '' } }),
        );
      }),
      { numRuns: 1_000 },
    );
  });
});

// The edge's hot path encodes the live frame in one pass and keeps the
// Publication bytes as a view into it for replays.
describe('encodeLivePublication', () => {
  it.each([0, 100, 127, 128, 16383, 16384, 1 << 20])(
    'frame and inner publication match the two-step encoding (payload %i bytes)',
    (size) => {
      const p = record(size);
      const { frame, publication } = encodeLivePublication(p);
      expectSameBytes(frame, reference(p));
      expectSameBytes(publication, encodePublication(p));
      expect(publication.buffer).toBe(frame.buffer);
      expect(publication.byteOffset + publication.length).toBe(frame.byteOffset + frame.length);
      expectSameBytes(publicationFrame(publication, 'prices:EURUSD'), reference(p, 'prices:EURUSD'));
    },
  );
});

// The live frame is written by hand for ordinary records: it must be exactly
// protobufjs's bytes for any record (and fall back to it for the rest).
describe('encodeLivePublication, any record', () => {
  it('writes what protobufjs writes', () => {
    const timestamp = fc.oneof(fc.constant(-1), fc.constant(0), fc.maxSafeNat());
    fc.assert(
      fc.property(arb.publication, timestamp, fc.boolean(), (p, timestampMs, keyless) => {
        const { channel: _channel, ...rest } = p;
        const r: KafkaRecord = { ...rest, timestampMs, ...(keyless ? { key: null } : {}) };
        const { frame, publication } = encodeLivePublication(r);
        expectSameBytes(frame, reference(r));
        expectSameBytes(publication, encodePublication(r));
      }),
      { numRuns: 500 },
    );
  });

  it('writes every byte of the memory it is given (a reused slab holds old bytes)', () => {
    fc.assert(
      fc.property(arb.publication, (p) => {
        const { channel: _channel, ...r } = p;
        const dirty = (n: number) => new Uint8Array(n).fill(0xee);
        const { frame } = encodeLivePublication(r, dirty);
        expectSameBytes(frame, reference(r));
      }),
      { numRuns: 300 },
    );
  });
});
