// Builds @fanout/client: an ESM build with type declarations (tsc, into
// dist/) and a minified browser bundle (esbuild, dist/fanout.min.js) that
// includes @fanout/protocol and the protobuf runtime.
// Run: npx tsx packages/client/scripts/build.ts
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Plugin, build } from 'esbuild';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(packageDir, '../..');
export const bundleFile = join(packageDir, 'dist/fanout.min.js');

/**
 * protobufjs/minimal modules the browser bundle replaces with an empty module,
 * each unreachable from fanout (test/size.test.ts guards the reasons):
 * - `long`: offsets decode to plain numbers (packages/protocol/src/runtime.js);
 * - `@protobufjs/float`: fanout.proto has no float or double field;
 * - `./rpc/service`, `@protobufjs/eventemitter`, `@protobufjs/aspromise`: no services;
 * - `@protobufjs/base64`: only used when a bytes field is given as a base64 string.
 * Together about 1.7 KB gzipped.
 */
export const STUBBED = /^(long|@protobufjs\/(float|eventemitter|aspromise|base64)|\.\/rpc\/service)$/;

const stubUnreachable: Plugin = {
  name: 'stub-unreachable',
  setup(b) {
    b.onResolve({ filter: STUBBED }, (args) => ({ path: args.path, namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'module.exports = null;',
      loader: 'js',
    }));
  },
};

/** Bundles src/index.ts for browsers (ESM, minified, ES2020); returns the bytes without writing them. */
export async function bundle(): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [join(packageDir, 'src/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [stubUnreachable],
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.contents;
}

/** tsc (ESM + .d.ts) and the browser bundle, into dist/. */
export async function buildAll(): Promise<void> {
  execFileSync(join(repoDir, 'node_modules/.bin/tsc'), ['-p', join(packageDir, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  const bytes = await bundle();
  mkdirSync(dirname(bundleFile), { recursive: true });
  writeFileSync(bundleFile, bytes);
  console.log(`wrote ${bundleFile} (${bytes.length} bytes)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildAll();
}
