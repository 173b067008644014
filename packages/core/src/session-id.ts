/**
 * Session ids: opaque, unguessable (128 random bits), URL-safe.
 */

/** Random bytes in a session id. */
export const SESSION_ID_BYTES = 16;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const WELL_FORMED = /^[A-Za-z0-9_-]{22,64}$/;

/** Unpadded base64url (RFC 4648 §5) of `bytes`. */
export function base64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]!;
  }
  return out;
}

/**
 * A new session id: {@link SESSION_ID_BYTES} bytes from the injected
 * cryptographically secure source (e.g. `crypto.getRandomValues` or
 * `node:crypto` `randomBytes` in the shell), as 22 base64url characters.
 *
 * @throws RangeError when the source returns fewer bytes than asked.
 */
export function newSessionId(randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(SESSION_ID_BYTES);
  if (!(bytes instanceof Uint8Array) || bytes.length < SESSION_ID_BYTES) {
    throw new RangeError(`random source returned fewer than ${SESSION_ID_BYTES} bytes`);
  }
  return base64url(bytes.subarray(0, SESSION_ID_BYTES));
}

/**
 * Whether `s` looks like a session id (22 to 64 base64url characters), to
 * reject garbage before a store lookup. Says nothing about whether it exists.
 */
export function isWellFormedSessionId(s: string): boolean {
  return typeof s === 'string' && WELL_FORMED.test(s);
}
