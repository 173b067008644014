import { describe, expect, it } from 'vitest';
import {
  type ClientFrame,
  type DecodeResult,
  ErrorCode,
  type Position,
  type ServerFrame,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
} from '../src/index.js';
import { toHex } from './support/frames.js';
import { lfield, position, varint, vfield } from './support/wire.js';

// Offsets are int64 on the wire and `number` in TypeScript: the decoder
// rejects any offset that is not a safe integer (see the .proto header).
const MAX_SAFE = 2n ** 53n - 1n;

const frame = (...bytes: number[][]) => Uint8Array.from(bytes.flat());

/** A frame carrying one list of positions; `positions` reads them back from the decoded frame. */
interface Carrier {
  build: (...positions: number[][]) => Uint8Array;
  decode: (bytes: Uint8Array) => DecodeResult<unknown>;
  positions: (frame: unknown) => readonly Position[] | undefined;
}

// ClientFrame fields: hello 1, subscribe 2, ack 4. ServerFrame: welcome 2,
// subscribed 3, publication 1, continuity_lost 5.
const asClient = (f: unknown) => f as ClientFrame;
const asServer = (f: unknown) => f as ServerFrame;

const carriers: Record<string, Carrier> = {
  ack: {
    build: (...p) => frame(lfield(4, [...lfield(1, 'prices'), ...p.flatMap((x) => lfield(2, x))])),
    decode: decodeClientFrame,
    positions: (f) => {
      const c = asClient(f);
      return c.kind === 'ack' ? c.ack.positions : undefined;
    },
  },
  'subscribe (after)': {
    build: (...p) =>
      frame(
        lfield(2, [
          ...vfield(1, 1),
          ...lfield(2, 'prices'),
          ...vfield(3, 2),
          ...p.flatMap((x) => lfield(4, x)),
        ]),
      ),
    decode: decodeClientFrame,
    positions: (f) => {
      const c = asClient(f);
      return c.kind === 'subscribe' ? c.subscribe.after : undefined;
    },
  },
  'hello (delivered)': {
    build: (...p) =>
      frame(
        lfield(1, [
          ...lfield(3, [...lfield(1, 'prices'), ...p.flatMap((x) => lfield(2, x))]),
          ...vfield(6, 1),
        ]),
      ),
    decode: decodeClientFrame,
    positions: (f) => {
      const c = asClient(f);
      return c.kind === 'hello' ? c.hello.delivered[0]?.positions : undefined;
    },
  },
  'welcome (subscriptions)': {
    build: (...p) =>
      frame(
        lfield(2, [
          ...lfield(1, 's'),
          ...lfield(3, [...lfield(1, 'prices'), ...p.flatMap((x) => lfield(2, x))]),
        ]),
      ),
    decode: decodeServerFrame,
    positions: (f) => {
      const s = asServer(f);
      return s.kind === 'welcome' ? s.welcome.subscriptions[0]?.positions : undefined;
    },
  },
  subscribed: {
    build: (...p) =>
      frame(lfield(3, [...vfield(1, 1), ...lfield(2, 'prices'), ...p.flatMap((x) => lfield(3, x))])),
    decode: decodeServerFrame,
    positions: (f) => {
      const s = asServer(f);
      return s.kind === 'subscribed' ? s.subscribed.positions : undefined;
    },
  },
};

function publication(partition: bigint | number, offset: bigint | number, timestampMs: bigint | number = 1) {
  return frame(
    lfield(1, [
      ...lfield(1, 'prices'),
      ...vfield(2, partition),
      ...vfield(3, offset),
      ...vfield(6, timestampMs),
    ]),
  );
}

function continuityLost(partition: bigint | number, requested: bigint | number, available: bigint | number) {
  return frame(
    lfield(5, [
      ...lfield(1, 'prices'),
      ...vfield(2, partition),
      ...vfield(3, requested),
      ...vfield(4, available),
      ...vfield(5, 1),
    ]),
  );
}

function expectMalformed(result: DecodeResult<unknown>): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error.code).toBe(ErrorCode.MALFORMED_FRAME);
}

describe('the hand-built frames', () => {
  // The builder must agree with our encoder where both can write the value,
  // or the rejection tests below would prove nothing.
  it('match our encoder for valid values', () => {
    const positions = [
      { partition: 0, offset: -1 },
      { partition: 7, offset: Number(MAX_SAFE) },
    ];
    for (const p of positions) {
      expect(toHex(carriers.ack!.build(position(p.partition, p.offset)))).toBe(
        toHex(encodeClientFrame({ ack: { channel: 'prices', positions: [p] } })),
      );
    }
    expect(toHex(publication(3, MAX_SAFE, -1))).toBe(
      toHex(
        encodeServerFrame({
          publication: { topic: 'prices', partition: 3, offset: Number(MAX_SAFE), timestampMs: -1 },
        }),
      ),
    );
    expect(varint(-1)).toHaveLength(10);
  });
});

describe.each(Object.entries(carriers))('offsets in %s positions', (_name, c) => {
  it('accept 2^53-1, 0 and -1', () => {
    for (const offset of [MAX_SAFE, 0n, -1n]) {
      const result = c.decode(c.build(position(4, offset)));
      if (!result.ok) throw result.error;
      expect(c.positions(result.frame)).toEqual([{ partition: 4, offset: Number(offset) }]);
    }
  });

  it.each([
    ['2^53', 2n ** 53n],
    ['2^53+1', 2n ** 53n + 1n],
    ['2^63-1', 2n ** 63n - 1n],
    ['-2', -2n],
    ['-(2^53)', -(2n ** 53n)],
    ['-(2^63)', -(2n ** 63n)],
  ])('reject offset %s as MALFORMED_FRAME', (_label, offset) => {
    expectMalformed(c.decode(c.build(position(0, offset))));
  });

  it.each([
    ['-1 (10-byte varint)', -1n],
    ['0xffffffff (int32 -1 as 5 bytes)', 0xffff_ffffn],
    ['-(2^31)', -(2n ** 31n)],
  ])('reject partition %s as MALFORMED_FRAME', (_label, partition) => {
    expectMalformed(c.decode(c.build(position(partition, 5))));
  });

  it('reject the frame when one of several positions is bad', () => {
    expect(c.decode(c.build(position(0, 1), position(1, 2))).ok).toBe(true);
    expectMalformed(c.decode(c.build(position(0, 1), position(1, 2n ** 53n))));
    expectMalformed(c.decode(c.build(position(-1, 1), position(1, 2))));
  });
});

describe('offsets in publications', () => {
  it('accept 0 and 2^53-1', () => {
    for (const offset of [0n, MAX_SAFE]) {
      const result = decodeServerFrame(publication(0, offset));
      if (!result.ok || result.frame.kind !== 'publication') throw new Error('not a publication');
      expect(result.frame.publication.offset).toBe(Number(offset));
    }
  });

  it.each([
    ['-1', -1n],
    ['2^53', 2n ** 53n],
    ['2^64-1 (as uint64)', 2n ** 64n - 1n],
  ])('reject offset %s', (_label, offset) => {
    expectMalformed(decodeServerFrame(publication(0, offset)));
  });

  it('reject a negative partition', () => {
    expectMalformed(decodeServerFrame(publication(-1, 0)));
  });

  it('accept a negative timestamp but not an unsafe one', () => {
    expect(decodeServerFrame(publication(0, 0, -1)).ok).toBe(true);
    expectMalformed(decodeServerFrame(publication(0, 0, 2n ** 53n)));
  });
});

describe('offsets in ContinuityLost', () => {
  it('accept 0 and 2^53-1', () => {
    expect(decodeServerFrame(continuityLost(0, 0, MAX_SAFE)).ok).toBe(true);
  });

  it.each([
    ['requested -1', continuityLost(0, -1, 5)],
    ['available -1', continuityLost(0, 5, -1)],
    ['requested 2^53', continuityLost(0, 2n ** 53n, 5)],
    ['available 2^53', continuityLost(0, 5, 2n ** 53n)],
    ['partition -1', continuityLost(-1, 5, 6)],
  ])('reject %s', (_label, bytes) => {
    expectMalformed(decodeServerFrame(bytes));
  });
});
