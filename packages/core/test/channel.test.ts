import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../src/channel.js';
import { channelMatches, decodeKey, keyChannelName, parseChannel, utf8ByteLength } from '../src/channel.js';

function ok(input: string, maxLength?: number): Channel {
  const r = parseChannel(input, maxLength === undefined ? {} : { maxLength });
  if (!r.ok) throw new Error(`expected ${JSON.stringify(input)} to parse: ${r.reason}`);
  return r.channel;
}

function reason(input: string, maxLength?: number): string {
  const r = parseChannel(input, maxLength === undefined ? {} : { maxLength });
  if (r.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return r.reason;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the core's notion of a control character
const CONTROL_RE = /[\u0000-\u001f\u007f]/;
const CONTROL_RE_G = new RegExp(CONTROL_RE.source, 'g');

const topicArb = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019._-'), minLength: 1, maxLength: 40 })
  .filter((t) => t !== '.' && t !== '..');

describe('parseChannel', () => {
  it('parses a whole-topic channel', () => {
    expect(ok('prices')).toEqual({ name: 'prices', topic: 'prices', key: null });
  });

  it('splits at the first colon; the key may contain colons', () => {
    expect(ok('prices:AAPL')).toEqual({ name: 'prices:AAPL', topic: 'prices', key: 'AAPL' });
    expect(ok('user:a:b::c')).toEqual({ name: 'user:a:b::c', topic: 'user', key: 'a:b::c' });
  });

  it('accepts every legal topic character and the 249-character limit', () => {
    expect(ok('a.B_c-9').topic).toBe('a.B_c-9');
    expect(ok('...').topic).toBe('...');
    expect(ok('t'.repeat(249)).topic).toHaveLength(249);
    expect(reason('t'.repeat(250))).toMatch(/topic/);
  });

  it.each(['', ':', ':key', '.', '..', '.:k', '..:k', 'pri ces', 'prices/x', 'prïces', 'a*b', 'a+b:k'])(
    'rejects the bad topic in %j',
    (input) => {
      expect(parseChannel(input).ok).toBe(false);
    },
  );

  it('rejects an empty key', () => {
    expect(reason('prices:')).toMatch(/key/);
  });

  it.each(['\u0000', '\u0001', '\n', '\u001f', '\u007f'])(
    'rejects control character %j in topic or key',
    (c) => {
      expect(reason(`pri${c}ces`)).toMatch(/control/);
      expect(reason(`prices:A${c}`)).toMatch(/control/);
    },
  );

  it('accepts non-ASCII keys, including C1 and astral characters', () => {
    expect(ok('prices:\u0080é😀').key).toBe('\u0080é😀');
  });

  it('measures the length limit in UTF-8 bytes, not characters', () => {
    expect(ok(`t:${'a'.repeat(254)}`).name).toHaveLength(256);
    expect(reason(`t:${'a'.repeat(255)}`)).toMatch(/256 bytes/);
    // 'é' is 2 bytes: 2 + 127 * 2 = 256.
    ok(`t:${'é'.repeat(127)}`);
    reason(`t:${'é'.repeat(127)}a`);
    // An emoji is 2 UTF-16 units but 4 bytes: 2 + 63 * 4 = 254, + 'ab' = 256.
    ok(`t:${'😀'.repeat(63)}ab`);
    reason(`t:${'😀'.repeat(63)}abc`);
  });

  it('honours maxLength', () => {
    ok('prices:AAPL', 11);
    expect(reason('prices:AAPL', 10)).toMatch(/10 bytes/);
  });

  it('rejects lone surrogates (no UTF-8 form)', () => {
    expect(reason('prices:\ud800')).toMatch(/Unicode/);
    expect(reason('prices:\udc00x')).toMatch(/Unicode/);
    expect(reason('prices:x\ud83d')).toMatch(/Unicode/);
  });

  it('never echoes the input in the reason', () => {
    expect(reason('prices:\u0000secret')).not.toContain('secret');
  });

  it('round-trips any valid topic and key (property)', () => {
    fc.assert(
      fc.property(topicArb, fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }), (topic, rawKey) => {
        const key = rawKey.replace(CONTROL_RE_G, 'x');
        const r = parseChannel(`${topic}:${key}`);
        expect(r).toEqual({ ok: true, channel: { name: `${topic}:${key}`, topic, key } });
      }),
    );
  });
});

describe('utf8ByteLength', () => {
  it('matches TextEncoder for well-formed strings (property)', () => {
    const enc = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (s) => {
        expect(utf8ByteLength(s)).toBe(enc.encode(s).length);
      }),
    );
  });
});

describe('channelMatches', () => {
  const whole = ok('prices');
  const aapl = ok('prices:AAPL');
  it('matches a whole-topic channel with any key of its topic, including none', () => {
    expect(channelMatches(whole, 'prices', 'AAPL')).toBe(true);
    expect(channelMatches(whole, 'prices', null)).toBe(true);
    expect(channelMatches(whole, 'orders', null)).toBe(false);
  });
  it('matches a key channel only with its exact key', () => {
    expect(channelMatches(aapl, 'prices', 'AAPL')).toBe(true);
    expect(channelMatches(aapl, 'prices', 'aapl')).toBe(false);
    expect(channelMatches(aapl, 'prices', null)).toBe(false);
    expect(channelMatches(aapl, 'orders', 'AAPL')).toBe(false);
  });
});

describe('keyChannelName', () => {
  const enc = new TextEncoder();
  it('names the key channel of a UTF-8 key', () => {
    expect(keyChannelName('prices', enc.encode('AAPL'))).toBe('prices:AAPL');
    expect(keyChannelName('prices', enc.encode('a:b'))).toBe('prices:a:b');
    expect(keyChannelName('prices', enc.encode('😀é'))).toBe('prices:😀é');
  });

  it('has no key channel for a null or empty key', () => {
    expect(keyChannelName('prices', null)).toBeNull();
    expect(keyChannelName('prices', new Uint8Array())).toBeNull();
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an invalid byte', [0x41, 0xff]],
    ['an overlong NUL', [0xc0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('has no key channel for invalid UTF-8: %s', (_, bytes) => {
    expect(keyChannelName('prices', Uint8Array.from(bytes))).toBeNull();
  });

  it('keeps a leading byte-order mark (two keys never share a channel)', () => {
    const withBom = keyChannelName('prices', Uint8Array.from([0xef, 0xbb, 0xbf, 0x41]));
    expect(withBom).toBe('prices:\ufeffA');
    expect(withBom).not.toBe(keyChannelName('prices', enc.encode('A')));
  });

  it('agrees with parseChannel for every valid key (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
        const name = keyChannelName('t', bytes);
        const key = decodeKey(bytes);
        if (key === null) expect(name).toBeNull();
        else {
          expect(enc.encode(key)).toEqual(bytes);
          expect(name).toBe(`t:${key}`);
          if (!CONTROL_RE.test(key)) {
            const parsed = parseChannel(name!);
            expect(parsed.ok && channelMatches(parsed.channel, 't', key)).toBe(true);
          }
        }
      }),
    );
  });
});
