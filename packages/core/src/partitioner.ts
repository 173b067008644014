/**
 * Kafka's default partitioner for keyed records: murmur2 of the key bytes,
 * made positive by masking the sign bit, modulo the partition count. Bit-exact
 * with Kafka Java's `Utils.murmur2` / `Utils.toPositive` and kafkajs's
 * `Partitioners.DefaultPartitioner`; a `<topic>:<key>` channel lives in
 * `partitionForKey(utf8(key), partitions)`.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Java-compatible murmur2 of `key` (seed 0x9747b28c), as a signed 32-bit
 * integer, the same value `org.apache.kafka.common.utils.Utils.murmur2` returns.
 */
export function murmur2(key: Uint8Array): number {
  const length = key.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = key[i4]! | (key[i4 + 1]! << 8) | (key[i4 + 2]! << 16) | (key[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  // Java's switch falls through from case 3 to case 1.
  const rest = length & 3;
  if (rest === 3) h ^= key[tail + 2]! << 16;
  if (rest >= 2) h ^= key[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= key[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner assigns to a record with this
 * (non-null) key: `(murmur2(key) & 0x7fffffff) % numPartitions`.
 *
 * @throws RangeError when `numPartitions` is not a positive integer.
 */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}
