#!/usr/bin/env node
// Launcher of the `fanout` CLI (`fanout tail <channel> ...`). The package runs
// its built JavaScript (dist/cli.js). A checkout of the repository, where
// src/ exists and nothing need be built, runs the TypeScript sources through
// the workspace's tsx instead.
import { existsSync } from 'node:fs';

const source = new URL('../src/bin/tail.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/cli.js'));
}
process.exitCode = await main(process.argv.slice(2), process.env);
