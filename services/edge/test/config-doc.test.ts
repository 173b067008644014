import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_BEGIN, CONFIG_END, configReference } from '../src/config-doc.js';
import { settings } from '../src/config.js';

describe('README configuration reference', () => {
  it('matches the config schema (run `npm run config-doc` after changing a setting)', () => {
    const readme = readFileSync(resolve(fileURLToPath(import.meta.url), '../../../../README.md'), 'utf8');
    const begin = readme.indexOf(CONFIG_BEGIN);
    const end = readme.indexOf(CONFIG_END);
    expect(begin, 'README.md lacks the config reference markers').toBeGreaterThan(0);
    expect(readme.slice(begin + CONFIG_BEGIN.length, end).trim()).toBe(configReference());
  });

  it('lists every setting with its default', () => {
    const table = configReference();
    for (const name of Object.keys(settings)) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toContain('| `EDGE_PORT` | `8080` |');
    expect(table).toContain('| `KAFKA_BROKERS` | required |');
  });
});
