import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameSlab } from '../src/frame-slab.js';
import type { LogRecord } from '../src/kafka/kafka-log.js';
import { toEdgeRecord } from '../src/topic-state.js';

const utf8 = new TextEncoder();

function record(topic: string, key: Uint8Array | null): LogRecord {
  return {
    topic,
    partition: 0,
    offset: 7,
    key,
    value: new Uint8Array([1, 2, 3]),
    headers: [],
    timestampMs: 1,
  } as LogRecord;
}

describe('toEdgeRecord', () => {
  it('gives uWS the UTF-8 of the key channel name, for any key bytes (BOM, multibyte, invalid UTF-8)', () => {
    const slab = new FrameSlab();
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
        fc.oneof(
          fc.string({ unit: 'grapheme' }).map((s) => utf8.encode(s)),
          fc.uint8Array({ maxLength: 12 }),
          fc.constant(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])),
          fc.constant(null),
        ),
        fc.boolean(),
        (topic, key, slabbed) => {
          const r = toEdgeRecord(record(topic, key), slabbed ? slab.alloc : undefined);
          if (r.keyName === null) expect(r.keyTopic).toBeNull();
          else expect([...(r.keyTopic ?? [])]).toEqual([...utf8.encode(r.keyName)]);
        },
      ),
      { numRuns: 500 },
    );
  });
});
