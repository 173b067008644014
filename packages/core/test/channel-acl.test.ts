import { describe, expect, it } from 'vitest';
import { AclPatternError, compileAcl } from '../src/channel-acl.js';
import type { Channel } from '../src/channel.js';
import { parseChannel } from '../src/channel.js';
import { AuthError } from '../src/errors.js';

function ch(name: string): Channel {
  const r = parseChannel(name);
  if (!r.ok) throw new Error(r.reason);
  return r.channel;
}

function allowed(patterns: string[], subject: string, names: string[]): string[] {
  const acl = compileAcl(patterns, subject);
  return names.filter((n) => acl.allows(ch(n)));
}

const probe = [
  'prices',
  'prices:AAPL',
  'prices:*',
  'orders',
  'orders:1',
  'user',
  'user:alice',
  'user:bob',
  'user:*',
];

describe('compileAcl', () => {
  it('allows nothing with no patterns', () => {
    expect(allowed([], 'alice', probe)).toEqual([]);
  });

  it('`*` allows everything', () => {
    expect(allowed(['*'], 'alice', probe)).toEqual(probe);
  });

  it('`<topic>` allows exactly the whole-topic channel, no key channel', () => {
    expect(allowed(['prices'], 'alice', probe)).toEqual(['prices']);
  });

  it('`<topic>:*` allows every key of the topic, not the whole topic', () => {
    expect(allowed(['prices:*'], 'alice', probe)).toEqual(['prices:AAPL', 'prices:*']);
  });

  it('`<topic>:<key>` allows exactly that key channel', () => {
    expect(allowed(['prices:AAPL'], 'alice', [...probe, 'prices:AAPLX', 'prices:aapl'])).toEqual([
      'prices:AAPL',
    ]);
  });

  it('combines patterns', () => {
    expect(allowed(['prices', 'orders:*', 'user:{sub}'], 'alice', probe)).toEqual([
      'prices',
      'orders:1',
      'user:alice',
    ]);
  });

  it('substitutes {sub} anywhere in the key, every occurrence', () => {
    expect(
      allowed(['inbox:{sub}:in', 'pair:{sub}-{sub}'], 'bo', ['inbox:bo:in', 'pair:bo-bo', 'pair:bo-x']),
    ).toEqual(['inbox:bo:in', 'pair:bo-bo']);
  });

  it('does not let a subject with `*` widen access', () => {
    expect(allowed(['user:{sub}'], '*', probe)).toEqual(['user:*']);
  });

  it('does not let a subject with `:` or a placeholder widen access', () => {
    expect(allowed(['user:{sub}'], 'a:b', ['user:a', 'user:a:b', 'user:b'])).toEqual(['user:a:b']);
    expect(allowed(['user:{sub}'], '{sub}', ['user:{sub}', 'user:{sub}{sub}'])).toEqual(['user:{sub}']);
  });

  it('grants nothing through {sub} for an empty subject', () => {
    expect(allowed(['user:{sub}', 'user:x{sub}', 'prices'], '', [...probe, 'user:x'])).toEqual(['prices']);
  });

  it.each([
    ['', 'empty'],
    [':', 'no topic'],
    [':*', 'no topic'],
    ['prices:', 'empty key'],
    ['*:*', 'wildcard topic'],
    ['*:AAPL', 'wildcard topic'],
    ['pri*', 'partial wildcard topic'],
    ['pri ces', 'bad topic character'],
    ['.', 'dot topic'],
    ['prices:AA*', 'partial wildcard key'],
    ['prices:**', 'double wildcard'],
    ['user:{subject}', 'unknown placeholder'],
    ['user:{sub', 'unclosed placeholder'],
    ['user:sub}', 'stray brace'],
    ['user:\u0000', 'control character'],
  ])('rejects %j (%s) with a typed error', (pattern, _why) => {
    let caught: unknown;
    try {
      compileAcl(['prices', pattern], 'alice');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AclPatternError);
    expect(caught).toBeInstanceOf(AuthError);
    const e = caught as AclPatternError;
    expect(e.code).toBe('ACL_PATTERN_INVALID');
    expect(e.retriable).toBe(false);
    expect(e.index).toBe(1);
  });

  it('rejects claims that are not arrays of strings (untrusted JSON)', () => {
    expect(() => compileAcl('prices' as unknown as string[], 'alice')).toThrow(AclPatternError);
    expect(() => compileAcl([42] as unknown as string[], 'alice')).toThrow(AclPatternError);
  });
});
