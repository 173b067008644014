// Generates the protobufjs static code for proto/fanout/v1/fanout.proto into
// src/generated/. The output is checked in; test/generated-fresh.test.ts
// fails when it is stale. Run with `npm run generate -w @fanout/protocol`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, '..');
const repoDir = resolve(packageDir, '../..');
export const protoFile = join(repoDir, 'proto/fanout/v1/fanout.proto');
export const generatedDir = join(packageDir, 'src/generated');

function bin(name: string): string {
  return join(repoDir, 'node_modules/.bin', name);
}

/** Writes fanout.js and fanout.d.ts into `outDir`; returns their contents. */
export function generate(outDir: string): { js: string; dts: string } {
  mkdirSync(outDir, { recursive: true });
  const jsPath = join(outDir, 'fanout.js');
  const dtsPath = join(outDir, 'fanout.d.ts');
  execFileSync(
    bin('pbjs'),
    [
      '-t',
      'static-module',
      '-w',
      'es6',
      '--no-verify',
      '--no-convert',
      '--no-delimited',
      '--no-typeurl',
      '--no-service',
      '-p',
      join(repoDir, 'proto'),
      '-o',
      jsPath,
      protoFile,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // The runtime module sets protobufjs up (offsets as numbers, not Long)
  // before any generated code runs; ESM evaluates imports first.
  let js = readFileSync(jsPath, 'utf8').replace(
    'import * as $protobuf from "protobufjs/minimal";',
    'import $protobuf from "../runtime.js";',
  );
  if (!js.includes('../runtime.js')) throw new Error('pbjs output changed: runtime import not found');
  js = js.replace(/[ \t]+$/gm, '');
  writeFileSync(jsPath, js);
  execFileSync(bin('pbts'), ['--no-comments', '-o', dtsPath, jsPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const dts = readFileSync(dtsPath, 'utf8').replace(/[ \t]+$/gm, '');
  writeFileSync(dtsPath, dts);
  return { js, dts };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generate(generatedDir);
}
