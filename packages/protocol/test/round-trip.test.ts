import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ClientFrame,
  type ServerFrame,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
} from '../src/index.js';
import * as arb from './support/arbitraries.js';
import { normalizeFrame } from './support/frames.js';

// Any valid frame survives encode → decode unchanged.
const clientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  arb.hello.map((hello): ClientFrame => ({ kind: 'hello', hello })),
  arb.subscribe.map((subscribe): ClientFrame => ({ kind: 'subscribe', subscribe })),
  arb.ack.map((ack): ClientFrame => ({ kind: 'ack', ack })),
);

function clientRoundTrip(frame: ClientFrame): void {
  const result = decodeClientFrame(encodeClientFrame(frame));
  if (!result.ok) throw result.error;
  expect(normalizeFrame(result.frame)).toStrictEqual(normalizeFrame(frame));
}

function serverRoundTrip(frame: ServerFrame): void {
  const result = decodeServerFrame(encodeServerFrame(frame));
  if (!result.ok) throw result.error;
  expect(normalizeFrame(result.frame)).toStrictEqual(normalizeFrame(frame));
}

describe('round trips', () => {
  it('client frames (Hello, Subscribe, Ack with arbitrary positions)', () => {
    fc.assert(fc.property(clientFrame, clientRoundTrip), { numRuns: 2_000 });
  });

  it('a single position, offsets -1 .. 2^53-1', () => {
    fc.assert(
      fc.property(arb.position, (p) =>
        clientRoundTrip({ kind: 'ack', ack: { channel: 'c', positions: [p] } }),
      ),
      { numRuns: 2_000 },
    );
  });

  it('publications', () => {
    fc.assert(
      fc.property(arb.publication, (publication) => serverRoundTrip({ kind: 'publication', publication })),
      { numRuns: 2_000 },
    );
  });

  it('frames built with omitted fields decode with proto3 defaults', () => {
    const result = decodeServerFrame(
      encodeServerFrame({ publication: { topic: 't', partition: 0, offset: 0 } }),
    );
    if (!result.ok) throw result.error;
    expect(normalizeFrame(result.frame)).toStrictEqual({
      kind: 'publication',
      publication: {
        topic: 't',
        partition: 0,
        offset: 0,
        key: null,
        headers: [],
        timestampMs: 0,
        payload: '',
        channel: '',
      },
    });
  });
});
