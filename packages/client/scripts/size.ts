// Prints the browser bundle's minified and gzipped size; exits non-zero above
// the budget. Run: npx tsx packages/client/scripts/size.ts
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundle } from './build.js';

/** The budget: 20 KB minified + gzipped, protobuf runtime included. */
export const BUDGET_BYTES = 20 * 1024;

/** Sizes of the browser bundle, in bytes. */
export async function measure(): Promise<{ minified: number; gzipped: number }> {
  const bytes = await bundle();
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { minified, gzipped } = await measure();
  const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`;
  console.log(
    `dist/browser.js: ${kb(minified)} minified, ${kb(gzipped)} minified + gzipped (budget ${kb(BUDGET_BYTES)})`,
  );
  if (gzipped > BUDGET_BYTES) {
    console.error(`over budget by ${kb(gzipped - BUDGET_BYTES)}`);
    process.exitCode = 1;
  }
}
