/**
 * Helpers shared by the protocol tests: hex conversion, a normalizer that
 * turns decoded protobufjs messages into plain comparable objects, and the
 * golden-frame fixtures.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientFrame, ServerFrame } from '../../src/index.js';

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of a hex string (a plain Uint8Array, not a Buffer). */
export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error(`not a hex string: ${hex}`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** A wire value with every Uint8Array replaced by its hex string (the fixture form). */
export type Hexed<T> = T extends Uint8Array
  ? string
  : T extends readonly (infer U)[]
    ? Hexed<U>[]
    : T extends object
      ? { [K in keyof T]: Hexed<T[K]> }
      : T;

function normalizeValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(normalizeValue);
  if (value === null || typeof value !== 'object') return value;
  // `for...in` on purpose: decoded protobufjs messages keep proto3 defaults on
  // the prototype (enumerable), and only the fields seen on the wire as own
  // properties. Virtual oneof getters (`kind`, `_key`) are not enumerable.
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const field = record[key];
    if (typeof field !== 'function') out[key] = normalizeValue(field);
  }
  return out;
}

/**
 * A frame (decoded protobufjs instance or plain object) as a plain object:
 * `{ kind, [kind]: message }` with every field present (defaults included)
 * and bytes as hex strings. Other oneof members are dropped.
 */
export function normalizeFrame(frame: ClientFrame | ServerFrame): unknown {
  const kind = frame.kind;
  if (typeof kind !== 'string') throw new Error('frame has no kind');
  return { kind, [kind]: normalizeValue((frame as unknown as Record<string, unknown>)[kind]) };
}

/** Turns the hex strings of a fixture's server frame back into bytes (only Publication has bytes fields). */
export function reviveServerFrame(frame: Hexed<ServerFrame>): ServerFrame {
  if (frame.kind !== 'publication') return frame as ServerFrame;
  const p = frame.publication;
  return {
    kind: 'publication',
    publication: {
      ...p,
      key: p.key === null ? null : fromHex(p.key),
      payload: fromHex(p.payload),
      headers: p.headers.map((h) => ({ key: h.key, value: h.value === null ? null : fromHex(h.value) })),
    },
  };
}

/** Client frames have no bytes fields: the fixture form is the frame. */
export function reviveClientFrame(frame: Hexed<ClientFrame>): ClientFrame {
  return frame as ClientFrame;
}

/** One golden frame: the frame, our encoding of it, and protoc's text rendering of those bytes. */
export interface Golden<F> {
  /** The frame with every field present and bytes as hex: what the decoder returns. */
  frame: Hexed<F>;
  /** What our encoder produces for `frame`. */
  hex: string;
  /** `protoc --decode` of `hex` (reviewed by hand when the fixtures were made). */
  text: string;
}

/** The fixture file: golden frames per direction, by name. */
export interface GoldenFile {
  client: Record<string, Golden<ClientFrame>>;
  server: Record<string, Golden<ServerFrame>>;
}

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures');
export const goldenFile = join(fixturesDir, 'golden-frames.json');

/** Reads the golden frames (written by test/fixtures/make-fixtures.ts). */
export function loadGolden(): GoldenFile {
  const parsed = JSON.parse(readFileSync(goldenFile, 'utf8')) as GoldenFile;
  if (Object.keys(parsed.client ?? {}).length === 0 || Object.keys(parsed.server ?? {}).length === 0) {
    throw new Error(`${goldenFile} has no client or no server frames`);
  }
  return parsed;
}
