// Builds @fanout/client into dist/ (run by `npm run build`, and by `npm pack`
// through `prepack`). Nothing built is committed.
//
// - index.js / index.cjs: ESM and CommonJS, for bundlers and runtimes that
//   are neither a browser nor Node (the `import` / `require` conditions);
// - browser.js: ESM, minified, for browsers (the `browser` condition; the
//   size budget is checked on it, test/size.test.ts and the consumer test);
// - node.js / node.cjs: the Node entry (the `node` condition): loads `ws`
//   (an optional peer dependency) when no WebSocket is given nor global;
// - node-storage.js / .cjs: `@fanout/client/node` (fileStorage);
// - cli.js: the `fanout` command (bin/fanout.js runs it);
// - index.d.ts / index.d.cts, node-storage.d.ts / .d.cts: the types, each one
//   self-contained file (the protocol's types inlined).
//
// @fanout/protocol and the protobufjs runtime are bundled into every entry:
// the package has no dependencies (`ws` aside, optional).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, type Plugin, build } from 'esbuild';
import { type Plugin as RollupPlugin, rollup } from 'rollup';
import dts from 'rollup-plugin-dts';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(packageDir, 'dist');
const repoDir = resolve(packageDir, '../..');

/**
 * protobufjs/minimal modules the bundles replace with an empty module, each
 * unreachable from fanout (test/size.test.ts guards the reasons):
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

const src = (file: string) => join(packageDir, 'src', file);

const common: BuildOptions = {
  bundle: true,
  target: 'es2020',
  // Compact but with the identifiers kept, so stack traces stay readable;
  // the browser entry is fully minified.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [stubUnreachable],
  external: ['ws'],
};

/** The browser entry's options (ESM, minified). */
const browserBuild: BuildOptions = {
  ...common,
  entryPoints: [src('index.ts')],
  format: 'esm',
  platform: 'browser',
  minify: true,
};

/** Bundles the browser entry; returns the bytes without writing them. */
export async function bundle(): Promise<Uint8Array> {
  const result = await build({ ...browserBuild, write: false });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.contents;
}

async function javascript(): Promise<void> {
  const both = (entry: string, out: string, platform: 'neutral' | 'node') =>
    (['esm', 'cjs'] as const).map((format) =>
      build({
        ...common,
        entryPoints: [src(entry)],
        outfile: join(distDir, `${out}.${format === 'esm' ? 'js' : 'cjs'}`),
        format,
        platform,
        // protobufjs/minimal is CommonJS: let the neutral platform find its `main`.
        mainFields: ['module', 'main'],
      }),
    );
  await Promise.all([
    ...both('index.ts', 'index', 'neutral'),
    ...both('index-node.ts', 'node', 'node'),
    ...both('node.ts', 'node-storage', 'node'),
    build({ ...browserBuild, outfile: join(distDir, 'browser.js') }),
    build({
      ...common,
      entryPoints: [src('bin/tail.ts')],
      outfile: join(distDir, 'cli.js'),
      format: 'esm',
      platform: 'node',
    }),
  ]);
}

/**
 * One self-contained .d.ts per public entry (and its .d.cts twin for
 * `require`): tsc emits declarations (client and protocol), rollup-plugin-dts
 * joins each entry's into one file with the protocol's types inlined.
 */
async function types(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'fanout-client-dts-'));
  try {
    execFileSync(
      join(repoDir, 'node_modules/.bin/tsc'),
      ['-p', join(packageDir, 'tsconfig.build.json'), '--outDir', tmp, '--rootDir', repoDir],
      { stdio: 'inherit' },
    );
    const declarations = (dir: string) => join(tmp, relative(repoDir, dir));
    const protocolTypes: RollupPlugin = {
      name: 'fanout-protocol-types',
      resolveId: (id) =>
        id === '@fanout/protocol'
          ? join(declarations(join(repoDir, 'packages/protocol/src')), 'index.d.ts')
          : null,
    };
    for (const [entry, out] of [
      ['index', 'index'],
      ['node', 'node-storage'],
    ] as const) {
      const bundle = await rollup({
        input: join(declarations(join(packageDir, 'src')), `${entry}.d.ts`),
        plugins: [protocolTypes, dts()],
      });
      await bundle.write({ file: join(distDir, `${out}.d.ts`), format: 'es' });
      await bundle.close();
      copyFileSync(join(distDir, `${out}.d.ts`), join(distDir, `${out}.d.cts`));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Everything, into a fresh dist/. */
export async function buildAll(): Promise<void> {
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(distDir, { recursive: true });
  await javascript();
  await types();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildAll();
  process.stderr.write(`built ${distDir}\n`);
}
