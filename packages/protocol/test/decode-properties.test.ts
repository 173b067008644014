import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientFrame,
  type DecodeResult,
  ErrorCode,
  type Position,
  ProtocolError,
  type ServerFrame,
  Start,
  decodeClientFrame,
  decodeServerFrame,
} from '../src/index.js';
import { fromHex, loadGolden } from './support/frames.js';

// Decoding untrusted bytes never throws: every input ends in a frame that
// satisfies the documented bounds, or in a ProtocolError with a wire code.
const golden = loadGolden();

function positionsValid(positions: readonly Position[]): boolean {
  return positions.every(
    (p) =>
      Number.isInteger(p.partition) && p.partition >= 0 && Number.isSafeInteger(p.offset) && p.offset >= -1,
  );
}

function offset(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

// The types promise `start: StartValue`; an edge cannot honour a start it does not know.
const starts = new Set<number>(Object.values(Start));

function clientFrameValid(frame: ClientFrame): boolean {
  switch (frame.kind) {
    case 'hello':
      return frame.hello.delivered.every((d) => positionsValid(d.positions));
    case 'subscribe':
      return starts.has(frame.subscribe.start) && positionsValid(frame.subscribe.after);
    case 'ack':
      return positionsValid(frame.ack.positions);
    case 'unsubscribe':
    case 'ping':
    case 'pong':
    case 'refresh':
      return true;
  }
}

function serverFrameValid(frame: ServerFrame): boolean {
  switch (frame.kind) {
    case 'publication': {
      const p = frame.publication;
      return p.partition >= 0 && offset(p.offset) && Number.isSafeInteger(p.timestampMs);
    }
    case 'welcome':
      return frame.welcome.subscriptions.every((s) => positionsValid(s.positions));
    case 'subscribed':
      return positionsValid(frame.subscribed.positions);
    case 'continuityLost': {
      const c = frame.continuityLost;
      return c.partition >= 0 && offset(c.requestedOffset) && offset(c.availableOffset);
    }
    case 'unsubscribed':
    case 'error':
    case 'ping':
    case 'pong':
    case 'goAway':
      return true;
  }
}

/** Decodes without letting an exception escape the property; checks the result's shape. */
function check<F>(decode: (b: Uint8Array) => DecodeResult<F>, valid: (f: F) => boolean, bytes: Uint8Array) {
  let result: DecodeResult<F>;
  try {
    result = decode(bytes);
  } catch (err) {
    throw new Error(`decoder threw on ${Buffer.from(bytes).toString('hex')}: ${err}`);
  }
  if (result.ok) {
    if (!valid(result.frame))
      throw new Error(`accepted an invalid frame: ${Buffer.from(bytes).toString('hex')}`);
    return;
  }
  if (!(result.error instanceof ProtocolError)) throw new Error('error is not a ProtocolError');
  if (result.error.code !== ErrorCode.MALFORMED_FRAME && result.error.code !== ErrorCode.UNKNOWN_FRAME) {
    throw new Error(`unexpected error code ${result.error.code}`);
  }
}

const checkClient = (bytes: Uint8Array) => check(decodeClientFrame, clientFrameValid, bytes);
const checkServer = (bytes: Uint8Array) => check(decodeServerFrame, serverFrameValid, bytes);

const goldenClient = Object.values(golden.client).map((g) => fromHex(g.hex));
const goldenServer = Object.values(golden.server).map((g) => fromHex(g.hex));

describe('decoding random bytes', () => {
  it('never throws on 100,000 random byte strings (both directions)', () => {
    const bytes = fc.oneof(
      { weight: 9, arbitrary: fc.uint8Array({ maxLength: 64 }) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 64, maxLength: 1024 }) },
    );
    fc.assert(
      fc.property(bytes, (b) => {
        checkClient(b);
        checkServer(b);
      }),
      { numRuns: 100_000 },
    );
  });

  // Random bytes mostly fail at the first tag; edits of valid frames reach
  // the nested decoders, varints and length checks.
  it('never throws on edited golden frames', () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat({ max: 3 }),
      insert: fc.uint8Array({ maxLength: 4 }),
    });
    const edited = (frames: Uint8Array[]) =>
      fc
        .tuple(fc.constantFrom(...frames), fc.array(edit, { minLength: 1, maxLength: 3 }))
        .map(([frame, edits]) => {
          let b = frame;
          for (const e of edits) {
            const at = e.at % (b.length + 1);
            b = Uint8Array.from([...b.subarray(0, at), ...e.insert, ...b.subarray(at + e.remove)]);
          }
          return b;
        });
    fc.assert(fc.property(edited(goldenClient), checkClient), { numRuns: 10_000 });
    fc.assert(fc.property(edited(goldenServer), checkServer), { numRuns: 10_000 });
  });

  it('never throws on a frame in the other direction', () => {
    for (const b of goldenServer) checkClient(b);
    for (const b of goldenClient) checkServer(b);
  });
});

describe('decoding truncated golden frames', () => {
  // A frame is one length-delimited field, so every strict prefix is
  // malformed, except the empty one, which is a frame of no known kind.
  type Decode = (b: Uint8Array) => DecodeResult<unknown>;
  const cases: [string, Uint8Array, Decode][] = [
    ...Object.entries(golden.client).map(([name, g]): [string, Uint8Array, Decode] => [
      `client ${name}`,
      fromHex(g.hex),
      decodeClientFrame,
    ]),
    ...Object.entries(golden.server).map(([name, g]): [string, Uint8Array, Decode] => [
      `server ${name}`,
      fromHex(g.hex),
      decodeServerFrame,
    ]),
  ];

  it.each(cases)('every prefix of %s is rejected without throwing', (_name, frame, decode) => {
    for (let length = 0; length < frame.length; length++) {
      const result = decode(frame.subarray(0, length));
      expect(result.ok, `prefix of length ${length}`).toBe(false);
      if (result.ok) continue;
      expect(result.error).toBeInstanceOf(ProtocolError);
      expect(result.error.code, `prefix of length ${length}`).toBe(
        length === 0 ? ErrorCode.UNKNOWN_FRAME : ErrorCode.MALFORMED_FRAME,
      );
    }
    expect(decode(frame).ok).toBe(true);
  });
});
