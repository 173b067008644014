import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SESSION_ID_BYTES, base64url, isWellFormedSessionId, newSessionId } from '../src/session-id.js';

const enc = new TextEncoder();

describe('base64url', () => {
  // RFC 4648 §10 test vectors, unpadded.
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j as %j', (input, out) => {
    expect(base64url(enc.encode(input))).toBe(out);
  });

  it('uses the URL-safe alphabet', () => {
    expect(base64url(Uint8Array.from([0xfb, 0xff, 0xbf]))).toBe('-_-_');
  });

  it("matches Node's base64url (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      }),
    );
  });
});

describe('newSessionId', () => {
  it('encodes 128 random bits as 22 base64url characters', () => {
    let asked = 0;
    const id = newSessionId((n) => {
      asked = n;
      return new Uint8Array(n).fill(0xff);
    });
    expect(asked).toBe(SESSION_ID_BYTES);
    expect(SESSION_ID_BYTES * 8).toBeGreaterThanOrEqual(128);
    expect(id).toBe('_____________________w');
    expect(isWellFormedSessionId(id)).toBe(true);
  });

  it('differs for different random bytes', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 256; i++) ids.add(newSessionId((n) => new Uint8Array(n).fill(i)));
    expect(ids.size).toBe(256);
  });

  it('refuses a random source that returns too few bytes', () => {
    expect(() => newSessionId(() => new Uint8Array(15))).toThrow(RangeError);
  });

  it('produces well-formed ids from any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const id = newSessionId(() => bytes);
        expect(id).toHaveLength(22);
        expect(isWellFormedSessionId(id)).toBe(true);
      }),
    );
  });
});

describe('isWellFormedSessionId', () => {
  it.each([
    '',
    'short',
    'a'.repeat(21),
    'a'.repeat(65),
    `${'a'.repeat(21)}=`,
    `${'a'.repeat(21)}+`,
    `${'a'.repeat(21)}/`,
    `${'a'.repeat(22)}\n`,
    `${'a'.repeat(21)} `,
  ])('rejects %j', (s) => {
    expect(isWellFormedSessionId(s)).toBe(false);
  });

  it('accepts 22 to 64 base64url characters', () => {
    expect(isWellFormedSessionId('a'.repeat(22))).toBe(true);
    expect(isWellFormedSessionId('A-_9'.repeat(16))).toBe(true);
  });

  it('rejects non-strings (untrusted input)', () => {
    expect(isWellFormedSessionId(42 as unknown as string)).toBe(false);
  });
});
