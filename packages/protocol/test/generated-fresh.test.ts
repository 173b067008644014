import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, generatedDir } from '../scripts/generate.js';

// src/generated/ is checked in; it must be what the generator makes of the
// current .proto and protobufjs-cli.
const FIX = 'src/generated/ is stale: run `npm run generate -w @fanout/protocol` and commit the result';

function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = a.findIndex((l, i) => l !== e[i]);
  const at = line < 0 ? a.length : line;
  return `first difference at line ${at + 1}:\n  checked in: ${e[at] ?? '<end of file>'}\n  generated:  ${a[at] ?? '<end of file>'}`;
}

describe('generated code', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'fanout-protocol-generate-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('is what scripts/generate.ts makes of the .proto', () => {
    const fresh = generate(outDir);
    for (const [file, content] of [
      ['fanout.js', fresh.js],
      ['fanout.d.ts', fresh.dts],
    ] as const) {
      expect(readFileSync(join(outDir, file), 'utf8'), `${file} as written`).toBe(content);
      const checkedIn = readFileSync(join(generatedDir, file), 'utf8');
      if (checkedIn !== content) expect.fail(`${FIX}\n${file}: ${firstDifference(content, checkedIn)}`);
    }
  });
});
