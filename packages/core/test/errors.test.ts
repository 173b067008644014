import { describe, expect, it } from 'vitest';
import { AuthError, ConfigError, FanoutError, SourceError, StoreError, isRetriable } from '../src/errors.js';

describe('errors', () => {
  it.each([
    [ConfigError, 'ConfigError', 'CONFIG_INVALID', false],
    [AuthError, 'AuthError', 'AUTH_FAILED', false],
    [SourceError, 'SourceError', 'SOURCE_UNAVAILABLE', true],
    [StoreError, 'StoreError', 'STORE_UNAVAILABLE', true],
  ] as const)('%o has a stable code and retriability', (Cls, name, code, retriable) => {
    const err = new Cls('boom');
    expect(err).toBeInstanceOf(FanoutError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(err.retriable).toBe(retriable);
    expect(err.message).toBe('boom');
    expect('cause' in err).toBe(false);
  });

  it('passes cause through and lets a specific code and retriability override the category', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new StoreError('redis down', { code: 'STORE_TIMEOUT', retriable: false, cause });
    expect(err.cause).toBe(cause);
    expect(err.code).toBe('STORE_TIMEOUT');
    expect(err.retriable).toBe(false);
  });

  it('isRetriable trusts fanout errors and treats unknown failures as retriable', () => {
    expect(isRetriable(new ConfigError('x'))).toBe(false);
    expect(isRetriable(new SourceError('x'))).toBe(true);
    expect(isRetriable(new Error('x'))).toBe(true);
    expect(isRetriable('string')).toBe(true);
  });
});
