import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrerequisiteError } from '../src/errors.js';
import { findExecutable, requirePrograms } from '../src/find-executable.js';

describe('findExecutable and requirePrograms', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fanout-path-'));
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    writeFileSync(join(dir, 'not-executable'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds executables on the given PATH only', () => {
    expect(findExecutable('tool', `/nonexistent${delimiter}${dir}`)).toBe(join(dir, 'tool'));
    expect(findExecutable('not-executable', dir)).toBeUndefined();
    expect(findExecutable('tool', '')).toBeUndefined();
    expect(findExecutable('tool', undefined)).toBeUndefined();
  });

  it('names every missing program and its Debian package in one error', () => {
    const attempt = () =>
      requirePrograms(
        'Running Kafka',
        [
          { command: 'java', debianPackage: 'openjdk-17-jre-headless' },
          { command: 'tool', debianPackage: 'tool-pkg' },
          { command: 'mvn', debianPackage: 'maven' },
        ],
        'Or set KAFKA_BROKERS.',
        dir,
      );
    expect(attempt).toThrow(PrerequisiteError);
    try {
      attempt();
    } catch (err) {
      const error = err as PrerequisiteError;
      expect(error.code).toBe('PREREQUISITE_MISSING');
      expect(error.missing.map((m) => m.command)).toEqual(['java', 'mvn']);
      expect(error.message).toContain('sudo apt-get install -y openjdk-17-jre-headless maven');
      expect(error.message).toContain('Or set KAFKA_BROKERS.');
    }
  });

  it('passes when everything is there', () => {
    expect(() =>
      requirePrograms('x', [{ command: 'tool', debianPackage: 'tool-pkg' }], '', dir),
    ).not.toThrow();
  });
});
