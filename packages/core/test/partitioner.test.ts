import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../src/partitioner.js';

const enc = new TextEncoder();
const kafkajsPartition = Partitioners.DefaultPartitioner();

function kafkajs(key: Uint8Array, numPartitions: number): number {
  const partitionMetadata = Array.from({ length: numPartitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
    offlineReplicas: [],
  }));
  return kafkajsPartition({ topic: 't', partitionMetadata, message: { key: Buffer.from(key), value: null } });
}

describe('murmur2', () => {
  // Vectors from Kafka's Java tests (clients/.../common/utils/UtilsTest.java, testMurmur2).
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('matches Kafka Java for %j', (key, hash) => {
    expect(murmur2(enc.encode(key))).toBe(hash);
  });

  it('hashes the empty key like Java (seed only)', () => {
    expect(murmur2(new Uint8Array())).toBe(275646681);
  });

  it('treats bytes >= 0x80 as unsigned, like Java `& 0xff`', () => {
    const key = Uint8Array.from([0xff, 0x80, 0xfe, 0x81, 0xc3]);
    expect(murmur2(key)).toBe(murmur2(Uint8Array.from(key)));
    expect(partitionForKey(key, 7)).toBe(kafkajs(key, 7));
  });

  it('returns a signed 32-bit integer (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (key) => {
        const h = murmur2(key);
        expect(Number.isInteger(h) && h >= -(2 ** 31) && h < 2 ** 31).toBe(true);
      }),
    );
  });
});

describe('partitionForKey', () => {
  it('matches kafkajs DefaultPartitioner on random keys and partition counts (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.integer({ min: 1, max: 1000 }),
        (key, n) => {
          expect(partitionForKey(key, n)).toBe(kafkajs(key, n));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('matches kafkajs on text keys of every tail length', () => {
    for (let len = 1; len <= 12; len++) {
      const key = enc.encode('kéy-'.repeat(4).slice(0, len));
      expect(partitionForKey(key, 3)).toBe(kafkajs(key, 3));
    }
  });

  it('masks the sign bit rather than taking the absolute value', () => {
    // murmur2('21') is negative: Java's toPositive gives (h & 0x7fffffff) % n.
    expect(partitionForKey(enc.encode('21'), 1000)).toBe((-973932308 & 0x7fffffff) % 1000);
    expect(partitionForKey(enc.encode('21'), 1000)).not.toBe(Math.abs(-973932308) % 1000);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects %d partitions', (n) => {
    expect(() => partitionForKey(enc.encode('k'), n)).toThrow(RangeError);
  });
});
