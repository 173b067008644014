import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeServerFrame, encodeClientFrame, encodeServerFrame } from '../src/index.js';
import {
  fromHex,
  loadGolden,
  normalizeFrame,
  reviveClientFrame,
  reviveServerFrame,
  toHex,
} from './support/frames.js';

// The fixtures are written by test/fixtures/make-fixtures.ts; when one of
// these fails after an intended wire change, rerun it and review the diff.
const golden = loadGolden();

const clientKinds = ['hello', 'subscribe', 'unsubscribe', 'ack', 'ping', 'pong', 'refresh'];
const serverKinds = [
  'publication',
  'welcome',
  'subscribed',
  'unsubscribed',
  'continuityLost',
  'error',
  'ping',
  'pong',
  'goAway',
];

/** Whether the hex string holds the byte `byte` (at an even position). */
function hasByte(hex: string, byte: string): boolean {
  return new RegExp(`^(?:..)*${byte}`).test(hex);
}

describe('golden client frames', () => {
  it('cover every ClientFrame kind', () => {
    const kinds = new Set(Object.values(golden.client).map((g) => g.frame.kind));
    expect([...kinds].sort()).toEqual([...clientKinds].sort());
  });

  it.each(Object.entries(golden.client))('%s encodes to its golden bytes', (_name, g) => {
    expect(toHex(encodeClientFrame(reviveClientFrame(g.frame)))).toBe(g.hex);
  });

  it.each(Object.entries(golden.client))('%s decodes to its golden frame', (_name, g) => {
    const result = decodeClientFrame(fromHex(g.hex));
    if (!result.ok) throw result.error;
    expect(result.frame.kind).toBe(g.frame.kind);
    expect(normalizeFrame(result.frame)).toStrictEqual(g.frame);
  });
});

describe('golden server frames', () => {
  it('cover every ServerFrame kind', () => {
    const kinds = new Set(Object.values(golden.server).map((g) => g.frame.kind));
    expect([...kinds].sort()).toEqual([...serverKinds].sort());
  });

  it('cover the publication variants', () => {
    const publications = Object.values(golden.server).flatMap((g) =>
      g.frame.kind === 'publication' ? [g.frame.publication] : [],
    );
    const some = (test: (p: (typeof publications)[number]) => boolean) => publications.some(test);
    expect(some((p) => p.key === null)).toBe(true);
    expect(some((p) => p.key === '')).toBe(true);
    const binary = (hex: string | null) => hex !== null && hasByte(hex, '00') && hasByte(hex, 'ff');
    expect(some((p) => binary(p.key))).toBe(true);
    expect(some((p) => binary(p.payload))).toBe(true);
    expect(some((p) => p.channel === '')).toBe(true);
    expect(some((p) => p.channel !== '')).toBe(true);
    expect(some((p) => p.headers.some((h) => h.value === null))).toBe(true);
    expect(some((p) => new Set(p.headers.map((h) => h.key)).size < p.headers.length)).toBe(true);
  });

  it.each(Object.entries(golden.server))('%s encodes to its golden bytes', (_name, g) => {
    expect(toHex(encodeServerFrame(reviveServerFrame(g.frame)))).toBe(g.hex);
  });

  it.each(Object.entries(golden.server))('%s decodes to its golden frame', (_name, g) => {
    const result = decodeServerFrame(fromHex(g.hex));
    if (!result.ok) throw result.error;
    expect(result.frame.kind).toBe(g.frame.kind);
    expect(normalizeFrame(result.frame)).toStrictEqual(g.frame);
  });
});

describe('decoded publications', () => {
  const g = golden.server['publication-headers'];
  if (!g) throw new Error('fixture publication-headers missing');

  it('keep a null key and null header values apart from empty ones', () => {
    const result = decodeServerFrame(fromHex(g.hex));
    if (!result.ok || result.frame.kind !== 'publication') throw new Error('not a publication');
    const values = result.frame.publication.headers.map((h) => h.value);
    expect(values.map((v) => (v === null ? null : toHex(v)))).toEqual(['616263', '646566', null, '', '00ff']);
  });

  // The decoder hands out views into the bytes it was given (no copy per
  // record); a caller that reuses its receive buffer must copy first.
  it.each([
    ['Uint8Array', (b: Uint8Array) => b],
    ['Buffer', (b: Uint8Array) => Buffer.from(b)],
  ])('key and payload are views into the input (%s)', (_name, wrap) => {
    const input = wrap(fromHex(g.hex));
    const result = decodeServerFrame(input);
    if (!result.ok || result.frame.kind !== 'publication') throw new Error('not a publication');
    const { key, payload } = result.frame.publication;
    expect(key).toBeInstanceOf(Uint8Array);
    expect(payload).toBeInstanceOf(Uint8Array);
    expect(key?.buffer).toBe(input.buffer);
    expect(payload.buffer).toBe(input.buffer);
    const at = toHex(input).lastIndexOf('7b7d') / 2; // the payload is "{}"
    expect(payload.byteOffset).toBe(input.byteOffset + at);
    input[at] = 0x5b; // writing the input shows through the decoded payload
    expect(toHex(payload)).toBe('5b7d');
  });
});
