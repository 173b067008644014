import { describe, expect, it } from 'vitest';
import {
  type ClientFrame,
  type ServerFrame,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
} from '../src/index.js';
import {
  type Golden,
  fromHex,
  loadGolden,
  normalizeFrame,
  reviveClientFrame,
  reviveServerFrame,
  toHex,
} from './support/frames.js';
import { type FrameType, protocDecode, protocEncode } from './support/protoc.js';

// protoc (Debian's protobuf-compiler, C++ protobuf) is an independent
// implementation: it must read our bytes as the fixtures' text, and its
// encoding of that text must decode to the fixture frame.
const golden = loadGolden();

// proto3 fields with explicit presence (`optional`): kept even when empty.
const PRESENCE_FIELDS = new Set(['key', 'value']);

function isDefault(name: string, value: unknown): boolean {
  if (value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return value instanceof Uint8Array && value.length === 0 && !PRESENCE_FIELDS.has(name);
}

function withoutDefaults(message: unknown): unknown {
  if (Array.isArray(message)) return message.map(withoutDefaults);
  if (message === null || typeof message !== 'object' || message instanceof Uint8Array) return message;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message)) {
    if (!isDefault(name, value)) out[name] = withoutDefaults(value);
  }
  return out;
}

/**
 * The frame as protoc writes it: proto3 fields holding their default value
 * are left out (protobufjs writes every field the object has, defaults too).
 */
function canonical<F extends ClientFrame | ServerFrame>(frame: F): F {
  const record = frame as unknown as Record<string, unknown>;
  return { kind: frame.kind, [frame.kind]: withoutDefaults(record[frame.kind]) } as unknown as F;
}

interface Case<F> {
  type: FrameType;
  revive: (frame: Golden<F>['frame']) => F;
  encode: (frame: F) => Uint8Array;
  decode: (bytes: Uint8Array) => { ok: true; frame: F } | { ok: false; error: Error };
}

const client: Case<ClientFrame> = {
  type: 'ClientFrame',
  revive: reviveClientFrame,
  encode: encodeClientFrame,
  decode: decodeClientFrame,
};
const server: Case<ServerFrame> = {
  type: 'ServerFrame',
  revive: reviveServerFrame,
  encode: encodeServerFrame,
  decode: decodeServerFrame,
};

function crossCheck<F extends ClientFrame | ServerFrame>(c: Case<F>, goldens: Record<string, Golden<F>>) {
  describe(`${c.type} against protoc`, () => {
    it.each(Object.entries(goldens))('protoc --decode reads %s as its golden text', (_name, g) => {
      expect(protocDecode(c.type, fromHex(g.hex))).toBe(g.text);
    });

    it.each(Object.entries(goldens))('protoc --encode of %s decodes to the golden frame', (_name, g) => {
      const bytes = protocEncode(c.type, g.text);
      const result = c.decode(bytes);
      if (!result.ok) throw result.error;
      expect(normalizeFrame(result.frame)).toStrictEqual(g.frame);
      // Same field order, so the bytes equal ours once defaults are left out.
      expect(toHex(bytes)).toBe(toHex(c.encode(canonical(c.revive(g.frame)))));
    });
  });
}

crossCheck(client, golden.client);
crossCheck(server, golden.server);

describe('protoc text fixtures', () => {
  // Guards the hand review: these renderings are what the wire must say.
  it('show offsets, -1 and 2^53-1 as protoc reads them', () => {
    expect(golden.client['hello-resume']?.text).toContain('offset: -1\n');
    expect(golden.client['subscribe-after']?.text).toContain('offset: 9007199254740991\n');
    expect(golden.server['publication-replayed']?.text).toContain('timestamp_ms: -1\n');
  });

  it('show keys as escaped bytes, a null key as absent and an empty key as present', () => {
    expect(golden.server['publication-binary']?.text).toContain('key: "\\000\\377:\\200"\n');
    expect(golden.server['publication-null-key']?.text).not.toContain('key:');
    expect(golden.server['publication-empty-key']?.text).toContain('key: ""\n');
  });
});
