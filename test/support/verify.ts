import type { Produced } from './kafka.js';
import type { Received } from './raw-client.js';

/** How a subscription's records compare with what it should have received. */
export interface Comparison {
  expected: number;
  received: number;
  missing: number[];
  duplicated: number[];
  unexpected: number[];
  /** Per partition, records whose sequence (producer order) goes backwards. */
  outOfOrder: string[];
}

/** The records of a channel among those produced (`<topic>`: all; `<topic>:<key>`: that key's). */
export function expectedFor(channel: string, produced: readonly Produced[]): number[] {
  const i = channel.indexOf(':');
  if (i < 0) return produced.map((p) => p.seq);
  const key = channel.slice(i + 1);
  return produced.filter((p) => p.key === key).map((p) => p.seq);
}

/**
 * How many records each channel is due, computed once. A wait's check runs
 * after every frame a client receives: filtering every produced record there
 * made the routing test's own process the bottleneck (its 200 clients fell
 * minutes behind their sockets on a loaded machine, and the edges closed
 * them for missed heartbeats).
 */
export function expectedCounts(
  channels: readonly string[],
  produced: readonly Produced[],
): Map<string, number> {
  return new Map(channels.map((c) => [c, expectedFor(c, produced).length]));
}

/**
 * Compares received records (payload = sequence number) with the expected
 * sequence numbers: none missing, none twice, none foreign, and per
 * partition in producer order (one producer writing in sequence order, so a
 * partition's offsets follow sequence order).
 */
export function compare(received: readonly Received[], expected: readonly number[]): Comparison {
  const want = new Set(expected);
  const seen = new Map<number, number>();
  const lastSeqOf = new Map<number, { seq: number; offset: number }>();
  const outOfOrder: string[] = [];
  const unexpected: number[] = [];
  for (const r of received) {
    const seq = Number.parseInt(r.payload, 10);
    seen.set(seq, (seen.get(seq) ?? 0) + 1);
    if (!want.has(seq)) unexpected.push(seq);
    const last = lastSeqOf.get(r.partition);
    if (last && (seq <= last.seq || r.offset <= last.offset))
      outOfOrder.push(`p${r.partition}: seq ${seq}@${r.offset} after ${last.seq}@${last.offset}`);
    lastSeqOf.set(r.partition, { seq, offset: r.offset });
  }
  return {
    expected: expected.length,
    received: received.length,
    missing: expected.filter((s) => !seen.has(s)),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([s]) => s),
    unexpected,
    outOfOrder,
  };
}

/** A short description of a comparison's problems, or '' when exact. */
export function problems(c: Comparison): string {
  const parts: string[] = [];
  const head = (xs: readonly unknown[]) => xs.slice(0, 10).join(',') + (xs.length > 10 ? ',…' : '');
  if (c.missing.length) parts.push(`${c.missing.length} missing [${head(c.missing)}]`);
  if (c.duplicated.length) parts.push(`${c.duplicated.length} duplicated [${head(c.duplicated)}]`);
  if (c.unexpected.length) parts.push(`${c.unexpected.length} unexpected [${head(c.unexpected)}]`);
  if (c.outOfOrder.length) parts.push(`${c.outOfOrder.length} out of order [${head(c.outOfOrder)}]`);
  return parts.join('; ');
}
