import type { Position, StartValue } from '@fanout/protocol';
import { Start } from '@fanout/protocol';
import type { SubscribeOptions } from './api.js';

/** A channel split into its topic and optional key (see the .proto: the first `:` splits). */
export interface ParsedChannel {
  topic: string;
  /** The key of a `<topic>:<key>` channel; undefined for a whole-topic channel. */
  key: string | undefined;
}

/** Splits `<topic>` or `<topic>:<key>`. Returns undefined for an empty topic. */
export function parseChannel(channel: string): ParsedChannel | undefined {
  const colon = channel.indexOf(':');
  const topic = colon < 0 ? channel : channel.slice(0, colon);
  if (topic === '') return undefined;
  return { topic, key: colon < 0 ? undefined : channel.slice(colon + 1) };
}

// fatal: a key that is not valid UTF-8 matches no keyed channel. ignoreBOM:
// keep a leading U+FEFF, since the edge compares the raw key's UTF-8 text.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The record key as UTF-8 text; null for a null key or one that is not valid UTF-8. */
export function decodeKey(key: Uint8Array | null | undefined): string | null {
  if (!key) return null;
  try {
    return decoder.decode(key);
  } catch {
    return null;
  }
}

/** Maps `SubscribeOptions.from` to the wire's start; undefined when invalid. */
export function parseFrom(
  from: SubscribeOptions<unknown>['from'],
): { start: StartValue; after: readonly Position[]; timestampMs: number } | undefined {
  if (from === undefined || from === 'latest') return { start: Start.LATEST, after: [], timestampMs: 0 };
  if (from === 'earliest') return { start: Start.EARLIEST, after: [], timestampMs: 0 };
  if (typeof from !== 'object' || from === null) return undefined;
  if ('after' in from && Array.isArray(from.after))
    return { start: Start.AFTER, after: from.after, timestampMs: 0 };
  if ('timestamp' in from) {
    const ms = from.timestamp instanceof Date ? from.timestamp.getTime() : from.timestamp;
    if (typeof ms !== 'number' || !Number.isSafeInteger(Math.floor(ms)) || ms < 0) return undefined;
    return { start: Start.TIMESTAMP, after: [], timestampMs: Math.floor(ms) };
  }
  return undefined;
}
