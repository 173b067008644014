import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

describe('@fanout/core public surface', () => {
  it('exports the runtime API', () => {
    expect(Object.keys(core).sort()).toEqual(
      [
        'AckCoalescer',
        'CatchUpError',
        'CatchUpMachine',
        'ackLimit',
        'AclPatternError',
        'AuthError',
        'ConfigError',
        'DEFAULT_MAX_CHANNEL_BYTES',
        'FanoutError',
        'MAX_TOPIC_LENGTH',
        'RecordWindow',
        'SESSION_ID_BYTES',
        'SUBJECT_PLACEHOLDER',
        'ScanCoordinator',
        'SourceError',
        'StoreError',
        'WriteBehind',
        'ackBatchSize',
        'admitSession',
        'boundedForLog',
        'ownerKey',
        'ownsSession',
        'parseOwnerKey',
        'planTakeover',
        'base64url',
        'channelMatches',
        'compileAcl',
        'coveringDiff',
        'coveringTopics',
        'decodeKey',
        'isRetriable',
        'isValidTopic',
        'isWellFormedSessionId',
        'keyChannelName',
        'murmur2',
        'newSessionId',
        'parseChannel',
        'partitionForKey',
        'planReplay',
        'utf8ByteLength',
      ].sort(),
    );
  });

  it('stays pure: only relative imports, no Node globals', () => {
    for (const file of readdirSync(srcDir).filter((f) => f.endsWith('.ts'))) {
      const code = readFileSync(join(srcDir, file), 'utf8');
      for (const m of code.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        expect(m[1], `${file} imports ${m[1]}`).toMatch(/^\.\/[a-z-]+\.js$/);
      }
      const body = code.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(body, file).not.toMatch(
        /\b(Buffer|process\.|require\(|globalThis|setInterval|Date\.now|Math\.random)/,
      );
      // Timers are injected: `timers.setTimeout(...)` is fine, a bare global call is not.
      expect(body, file).not.toMatch(/(?<![.\w])setTimeout\((?!fn:)/);
    }
  });
});
