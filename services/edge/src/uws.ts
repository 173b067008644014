import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';

const require = createRequire(import.meta.url);

/** uWebSockets.js as loaded, and whether it is the native build. */
export interface LoadedUws {
  uws: typeof Uws;
  native: boolean;
}

/**
 * Loads uWebSockets.js. The build we depend on silently falls back to a slow
 * pure-JS server when its native binary does not load (wrong Node ABI, glibc
 * too old); `native` tells which one we got: only the native module is loaded
 * from a `.node` file and exports the C++ helpers (`getParts`).
 */
export function loadUws(): LoadedUws {
  const uws = require('uWebSockets.js') as typeof Uws & { getParts?: unknown };
  const fromBinary = Object.keys(require.cache).some((p) => /uws_[a-z0-9_]+\.node$/.test(p));
  return { uws, native: fromBinary && typeof uws.getParts === 'function' };
}
