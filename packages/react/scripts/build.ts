// Builds @fanout/react into dist/ (run by `npm run build`, and by `npm pack`
// through `prepack`): ESM and CommonJS (react and @fanout/client stay
// imports: they are peer dependencies), and one .d.ts (.d.cts twin).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { rollup } from 'rollup';
import dts from 'rollup-plugin-dts';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(packageDir, '../..');
const distDir = join(packageDir, 'dist');

rmSync(distDir, { recursive: true, force: true });
for (const format of ['esm', 'cjs'] as const) {
  await build({
    entryPoints: [join(packageDir, 'src/index.ts')],
    outfile: join(distDir, format === 'esm' ? 'index.js' : 'index.cjs'),
    bundle: true,
    format,
    platform: 'neutral',
    target: 'es2020',
    external: ['react', '@fanout/client'],
    logLevel: 'warning',
  });
}
const tmp = mkdtempSync(join(tmpdir(), 'fanout-react-dts-'));
try {
  execFileSync(
    join(repoDir, 'node_modules/.bin/tsc'),
    ['-p', join(packageDir, 'tsconfig.build.json'), '--outDir', tmp],
    { stdio: 'inherit' },
  );
  const bundle = await rollup({
    input: join(tmp, 'index.d.ts'),
    plugins: [dts()],
    external: ['react', '@fanout/client'],
  });
  await bundle.write({ file: join(distDir, 'index.d.ts'), format: 'es' });
  await bundle.close();
  copyFileSync(join(distDir, 'index.d.ts'), join(distDir, 'index.d.cts'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.stderr.write(`built ${distDir}\n`);
