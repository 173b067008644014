#!/usr/bin/env node
// Launcher of the `fanout` CLI: runs the TypeScript sources through tsx
// (installed at the repository root). Usage: npx fanout tail <channel> ...
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/bin/tail.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
