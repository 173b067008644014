/** fast-check arbitraries for valid wire values (within the documented bounds). */
import fc from 'fast-check';
import {
  type Ack,
  type ChannelPositions,
  type Header,
  type Hello,
  type Position,
  type Publication,
  Start,
  type Subscribe,
} from '../../src/index.js';

const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;

/** Valid Unicode (no lone surrogates: those have no UTF-8 form). */
export const text = fc.string({ unit: 'grapheme', maxLength: 24 });
export const bytes = fc.uint8Array({ maxLength: 64 });
export const partition = fc.oneof(fc.constantFrom(0, INT32_MAX), fc.integer({ min: 0, max: INT32_MAX }));
/** A record offset: 0 .. 2^53-1, biased to the edges. */
export const recordOffset = fc.oneof(fc.constantFrom(0, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
const uint32 = fc.oneof(fc.constantFrom(0, UINT32_MAX), fc.integer({ min: 0, max: UINT32_MAX }));

export const position: fc.Arbitrary<Position> = fc.record({
  partition,
  offset: fc.oneof(fc.constant(-1), recordOffset),
});
const positions = fc.array(position, { maxLength: 4 });
const channelPositions: fc.Arbitrary<ChannelPositions> = fc.record({ channel: text, positions });

export const header: fc.Arbitrary<Header> = fc.record({ key: text, value: fc.option(bytes, { nil: null }) });

export const publication: fc.Arbitrary<Publication> = fc.record({
  topic: text,
  partition,
  offset: recordOffset,
  key: fc.option(bytes, { nil: null }),
  headers: fc.array(header, { maxLength: 4 }),
  timestampMs: fc.maxSafeInteger(),
  payload: bytes,
  channel: text,
});

export const subscribe: fc.Arbitrary<Subscribe> = fc.record({
  requestId: uint32,
  channel: text,
  start: fc.constantFrom(Start.LATEST, Start.EARLIEST, Start.AFTER, Start.TIMESTAMP),
  after: positions,
  timestampMs: fc.maxSafeNat(),
});

export const ack: fc.Arbitrary<Ack> = fc.record({ channel: text, positions });

export const hello: fc.Arbitrary<Hello> = fc.record({
  token: text,
  sessionId: text,
  delivered: fc.array(channelPositions, { maxLength: 3 }),
  clientName: text,
  clientVersion: text,
  protocolVersion: uint32,
});
