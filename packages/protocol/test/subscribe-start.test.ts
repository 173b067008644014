import { describe, expect, it } from 'vitest';
import { ErrorCode, Start, decodeClientFrame } from '../src/index.js';
import { lfield, vfield } from './support/wire.js';

// Regression: proto3 enums are open, so protobufjs decoded `start: 3` and the
// decoder returned it as a valid Subscribe typed `start: StartValue`.
function subscribe(start: number): Uint8Array {
  return Uint8Array.from(lfield(2, [...vfield(1, 1), ...lfield(2, 'prices'), ...vfield(3, start)]));
}

describe('Subscribe.start', () => {
  it.each(Object.entries(Start))('accepts %s (%i)', (_name, start) => {
    const result = decodeClientFrame(subscribe(start));
    if (!result.ok) throw result.error;
    expect(result.frame.kind === 'subscribe' && result.frame.subscribe.start).toBe(start);
  });

  it.each([4, 127, 2 ** 31 - 1, -1])('rejects the unknown value %i as MALFORMED_FRAME', (start) => {
    const result = decodeClientFrame(subscribe(start));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(ErrorCode.MALFORMED_FRAME);
  });
});
