/**
 * A tiny hand-written protobuf writer, independent of protobufjs, to build
 * frames our encoder refuses to produce (offsets beyond 2^53-1, negative
 * partitions).
 */

/** Varint bytes of an int64/uint64 value (negative values as 64-bit two's complement, 10 bytes). */
export function varint(value: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** A varint field (wire type 0). */
export function vfield(field: number, value: bigint | number): number[] {
  return [...varint(field << 3), ...varint(value)];
}

/** A length-delimited field (wire type 2) holding `content` (bytes or a UTF-8 string). */
export function lfield(field: number, content: number[] | string): number[] {
  const bytes = typeof content === 'string' ? [...new TextEncoder().encode(content)] : content;
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

/** An encoded Position message. */
export function position(partition: bigint | number, offset: bigint | number): number[] {
  return [...vfield(1, partition), ...vfield(2, offset)];
}
