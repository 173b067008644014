import { describe, expect, it } from 'vitest';
import { newSessionId, ownerKey, ownsSession, parseOwnerKey, planTakeover } from '../src/index.js';

describe('ownerKey', () => {
  it('round-trips a session id and epoch', () => {
    const id = newSessionId((n) => new Uint8Array(n).fill(7));
    expect(parseOwnerKey(ownerKey(id, 1))).toEqual({ sessionId: id, epoch: 1 });
    expect(parseOwnerKey(ownerKey(id, 2 ** 40))).toEqual({ sessionId: id, epoch: 2 ** 40 });
  });

  it('rejects what it did not make', () => {
    for (const bad of ['', 'abc', '~1', 'abc~', 'abc~0', 'abc~-1', 'abc~1.5', 'abc~x'])
      expect(parseOwnerKey(bad), bad).toBeUndefined();
  });
});

describe('planTakeover', () => {
  it('claims a released session at once', () => {
    expect(planTakeover('', 'a', true)).toEqual({ kind: 'claim' });
  });
  it('takes over a connection on the same edge locally', () => {
    expect(planTakeover('a', 'a', true)).toEqual({ kind: 'local' });
  });
  it('asks a live remote holder to release', () => {
    expect(planTakeover('b', 'a', true)).toEqual({ kind: 'remote', node: 'b' });
  });
  it('does not wait for a holder whose edge is gone', () => {
    expect(planTakeover('b', 'a', false)).toEqual({ kind: 'claim' });
  });
});

describe('ownsSession', () => {
  it('allows only the current epoch', () => {
    expect(ownsSession(3, 3)).toBe(true);
    expect(ownsSession(2, 3)).toBe(false);
    expect(ownsSession(4, 3)).toBe(false);
  });
});
