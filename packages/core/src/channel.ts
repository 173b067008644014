/**
 * Channels: `<topic>` (every record of a Kafka topic) or `<topic>:<key>` (the
 * records of the topic whose key, read as UTF-8, equals `<key>`). Kafka topic
 * names cannot contain `:`, so the first `:` splits topic from key; the key may
 * itself contain `:`.
 */

/** A parsed, valid channel. */
export interface Channel {
  /** The channel as the client wrote it: `<topic>` or `<topic>:<key>`. Also its live uWS topic. */
  readonly name: string;
  /** The Kafka topic. */
  readonly topic: string;
  /** The record key (UTF-8 text), or null for a whole-topic channel. */
  readonly key: string | null;
}

/** Options of {@link parseChannel}. */
export interface ParseChannelOptions {
  /** Maximum length of the whole channel name in UTF-8 bytes. Default {@link DEFAULT_MAX_CHANNEL_BYTES}. */
  maxLength?: number;
}

/** Result of {@link parseChannel}: the channel, or why it is invalid (for the client's error message). */
export type ParseChannelResult = { ok: true; channel: Channel } | { ok: false; reason: string };

/** Default maximum channel length in UTF-8 bytes (the protocol's default limit). */
export const DEFAULT_MAX_CHANNEL_BYTES = 256;

/** Longest legal Kafka topic name, in characters. */
export const MAX_TOPIC_LENGTH = 249;

const TOPIC_RE = /^[a-zA-Z0-9._-]+$/;
// Controls U+0000-U+001F and U+007F.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/**
 * Whether `topic` is a legal Kafka topic name: 1 to 249 characters of
 * `[a-zA-Z0-9._-]`, and neither `.` nor `..`.
 */
export function isValidTopic(topic: string): boolean {
  return (
    topic.length >= 1 &&
    topic.length <= MAX_TOPIC_LENGTH &&
    TOPIC_RE.test(topic) &&
    topic !== '.' &&
    topic !== '..'
  );
}

/**
 * UTF-8 length of `s` in bytes, or -1 when `s` holds a lone surrogate (it is
 * not well-formed Unicode, so it has no UTF-8 form and cannot equal a decoded
 * record key).
 */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}

/**
 * Parses and validates a channel name. Rules: no control characters
 * (U+0000-U+001F, U+007F) and well-formed Unicode; at most `maxLength` UTF-8
 * bytes in total; the part before the first `:` is a legal Kafka topic
 * ({@link isValidTopic}); when a `:` is present the key after it is non-empty.
 *
 * Never throws: invalid input is answered with a reason suitable for an
 * `INVALID_CHANNEL` error sent to the client (it does not echo the input).
 */
export function parseChannel(input: string, opts: ParseChannelOptions = {}): ParseChannelResult {
  const maxLength = opts.maxLength ?? DEFAULT_MAX_CHANNEL_BYTES;
  if (input.length === 0) return { ok: false, reason: 'channel is empty' };
  if (CONTROL_RE.test(input)) return { ok: false, reason: 'channel contains a control character' };
  // UTF-8 never takes fewer bytes than UTF-16 code units: a cheap early out before counting.
  if (input.length > maxLength) return { ok: false, reason: `channel is longer than ${maxLength} bytes` };
  const bytes = utf8ByteLength(input);
  if (bytes < 0) return { ok: false, reason: 'channel is not well-formed Unicode' };
  if (bytes > maxLength) return { ok: false, reason: `channel is longer than ${maxLength} bytes` };
  const colon = input.indexOf(':');
  const topic = colon < 0 ? input : input.slice(0, colon);
  if (!isValidTopic(topic)) {
    return { ok: false, reason: 'topic must be 1-249 characters of [a-zA-Z0-9._-], not "." or ".."' };
  }
  if (colon < 0) return { ok: true, channel: { name: input, topic, key: null } };
  const key = input.slice(colon + 1);
  if (key.length === 0) return { ok: false, reason: 'key after ":" is empty' };
  return { ok: true, channel: { name: input, topic, key } };
}

/**
 * Whether a record of `topic` with `key` (decoded UTF-8, or null for a null
 * or undecodable key) belongs to `channel`: same topic, and same key when the
 * channel has one. A whole-topic channel matches every key, including null.
 */
export function channelMatches(channel: Channel, topic: string, key: string | null): boolean {
  return channel.topic === topic && (channel.key === null || channel.key === key);
}

// ignoreBOM: a leading U+FEFF is part of the key; stripping it would make two
// different keys share a channel.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a record key as strict UTF-8, or null when it is not valid UTF-8.
 * A leading byte-order mark is kept (it is part of the key).
 */
export function decodeKey(keyBytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(keyBytes);
  } catch {
    return null;
  }
}

/**
 * The key channel name `<topic>:<key>` a record belongs to (besides `<topic>`),
 * or null when the record has no key channel: the key is null, empty, or not
 * valid UTF-8. The name is not checked against the channel length limit or
 * for control characters: such a channel can never be subscribed, so
 * publishing to it reaches nobody.
 */
export function keyChannelName(topic: string, keyBytes: Uint8Array | null): string | null {
  if (keyBytes === null || keyBytes.length === 0) return null;
  const key = decodeKey(keyBytes);
  return key === null ? null : `${topic}:${key}`;
}
