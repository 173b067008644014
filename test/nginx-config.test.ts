import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Start } from '@fanout/protocol';
import { freePort, waitFor } from '@fanout/testing';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import {
  COMPOSE_NGINX_CONF,
  type NginxSiteOptions,
  renderComposeNginx,
  renderNginxStandalone,
} from '../scripts/nginx-config.js';
import { repoRoot } from './support/edge-process.js';
import { closeRedis, connect, edgeEnv, startEdges } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { isError } from './support/raw-client.js';

afterAll(closeRedis);

const NGINX = '/usr/sbin/nginx';

function requireNginx(): void {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} not found: install Debian's nginx package`);
}

/** Renders the standalone config into a fresh directory (removed when the test finishes). */
function renderToTemp(o: NginxSiteOptions): { dir: string; conf: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-nginx-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, renderNginxStandalone({ ...o, dir }));
  return { dir, conf };
}

function nginxArgs(dir: string, conf: string): string[] {
  return ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf];
}

describe('nginx configuration', () => {
  it('the file docker-compose.yml mounts is the template rendered for edge1 and edge2 (run `npx tsx scripts/nginx-config.ts`)', () => {
    expect(readFileSync(COMPOSE_NGINX_CONF, 'utf8')).toBe(renderComposeNginx());
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('./deploy/nginx/conf.d/fanout.conf:/etc/nginx/conf.d/default.conf:ro');
  });

  it('nginx -t accepts the template rendered with local upstream ports', async () => {
    requireNginx();
    const [a, b, c] = [await freePort(), await freePort(), await freePort()];
    const { dir, conf } = renderToTemp({ listen: a, edges: [`127.0.0.1:${b}`, `127.0.0.1:${c}`] });
    const run = spawnSync(NGINX, ['-t', ...nginxArgs(dir, conf)], { encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toContain('test is successful');
    const text = readFileSync(conf, 'utf8');
    expect(text).toContain('least_conn;');
    expect(text).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(text).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(text).toMatch(/server 127\.0\.0\.1:\d+ max_fails=0 fail_timeout=5s;/);
  });

  it('proxies WebSockets to both edges (least_conn) and their /readyz', async () => {
    requireNginx();
    const kafka = TestKafka.create(inject('kafkaBrokers'));
    const topic = await kafka.topic(3);
    const edges = await startEdges(2, edgeEnv(topic));
    const listen = await freePort();
    const { dir, conf } = renderToTemp({ listen, edges: edges.map((e) => `127.0.0.1:${e.port}`) });
    const nginx: ChildProcess = spawn(NGINX, nginxArgs(dir, conf), { stdio: 'ignore' });
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          if (nginx.exitCode !== null || nginx.signalCode !== null) return resolve();
          nginx.once('exit', () => resolve());
          nginx.kill('SIGTERM');
        }),
    );
    const base = `http://127.0.0.1:${listen}`;
    await waitFor(async () => (await fetch(`${base}/nginx-health`).catch(() => undefined))?.ok === true, {
      timeoutMs: 10_000,
      intervalMs: 50,
      description: 'nginx listening',
    });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);

    const clients = [];
    for (let i = 0; i < 4; i++) {
      const c = await connect(`ws://127.0.0.1:${listen}/`, { name: `via-nginx-${i}` });
      await c.hello();
      expect(isError(await c.subscribe(topic, Start.LATEST))).toBe(false);
      clients.push(c);
    }
    // least_conn with every connection still open: both edges got some.
    expect(new Set(clients.map((c) => c.welcome?.nodeId)).size).toBe(2);
    await kafka.produce(topic, 50, ['a', 'b', null]);
    for (const c of clients)
      await c.waitFor(() => c.subs.get(topic)?.received.length === 50, 'every record through nginx');
  });
});
