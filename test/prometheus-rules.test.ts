import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EdgeMetrics } from '../services/edge/src/metrics.js';
import { repoRoot } from './support/edge-process.js';

const DIR = join(repoRoot, 'deploy/prometheus');
const RULES = join(DIR, 'rules.yml');

/** Runs Debian's promtool; fails with the package to install when it is missing. */
function promtool(args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8' });
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT')
    throw new Error(
      'promtool not found: install it with `apt-get install prometheus` (Debian package prometheus)',
    );
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

describe('Prometheus rules (deploy/prometheus/rules.yml)', () => {
  it('pass promtool check rules', () => {
    const run = promtool(['check', 'rules', 'rules.yml']);
    expect(run.output).toContain('SUCCESS');
    expect(run.status, run.output).toBe(0);
  });

  it('pass promtool test rules, with a test for every alert', () => {
    const rules = readFileSync(RULES, 'utf8');
    const tests = readFileSync(join(DIR, 'rules.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/^\s*- alert: (\S+)/gm)].map((m) => m[1]);
    expect(alerts.length).toBeGreaterThanOrEqual(6);
    const tested = new Set([...tests.matchAll(/alertname: (\S+)/g)].map((m) => m[1]));
    expect(alerts.filter((a) => !tested.has(a))).toEqual([]);
    const run = promtool(['test', 'rules', 'rules.test.yml']);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('SUCCESS');
  });

  it('use only metric names the edge exports', async () => {
    const exported = new Set((await new EdgeMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set(
      [...readFileSync(RULES, 'utf8').matchAll(/\bfanout_[a-z0-9_]+/g)].map((m) =>
        m[0].replace(/_(bucket|count|sum)$/, ''),
      ),
    );
    expect(used.size).toBeGreaterThan(5);
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('are loaded by the compose Prometheus', () => {
    expect(readFileSync(join(DIR, 'prometheus.yml'), 'utf8')).toMatch(
      /rule_files:\s*\n\s*- \/etc\/prometheus\/rules\.yml/,
    );
    expect(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')).toContain(
      './deploy/prometheus/rules.yml:/etc/prometheus/rules.yml:ro',
    );
  });
});
