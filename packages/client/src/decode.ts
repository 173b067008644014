// fatal: a payload that is not valid UTF-8 is a decode failure, never U+FFFD in the text.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `decode` helper: the payload as UTF-8 text (invalid UTF-8 fails the record with `decode_failed`). */
export function text(payload: Uint8Array): string {
  return utf8.decode(payload);
}

/**
 * `decode` helper: the payload as JSON (UTF-8). Typed by the caller:
 * `{ decode: json<Price> }`. Invalid JSON fails the record with `decode_failed`.
 */
export function json<T = unknown>(payload: Uint8Array): T {
  return JSON.parse(utf8.decode(payload)) as T;
}
