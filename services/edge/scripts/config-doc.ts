// Rewrites the configuration table in README.md from the edge's config schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_BEGIN, CONFIG_END, configReference } from '../src/config-doc.js';

const readme = resolve(fileURLToPath(import.meta.url), '../../../../README.md');
const text = readFileSync(readme, 'utf8');
const begin = text.indexOf(CONFIG_BEGIN);
const end = text.indexOf(CONFIG_END);
if (begin < 0 || end < begin) throw new Error(`README.md lacks the markers ${CONFIG_BEGIN} … ${CONFIG_END}`);
writeFileSync(
  readme,
  `${text.slice(0, begin + CONFIG_BEGIN.length)}\n${configReference()}\n${text.slice(end)}`,
);
