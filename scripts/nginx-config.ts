/**
 * Renders deploy/nginx/fanout.conf.template: the nginx configuration in front
 * of the edges, one template for docker-compose.yml and for the tests.
 *
 *   npx tsx scripts/nginx-config.ts   writes deploy/nginx/conf.d/fanout.conf (compose: edge1, edge2)
 *
 * Tests call {@link renderNginxStandalone} with local upstream ports and run
 * Debian's nginx on the result.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The template shared by compose and the tests. */
export const NGINX_TEMPLATE = join(repoRoot, 'deploy/nginx/fanout.conf.template');
/** The rendered file docker-compose.yml mounts. */
export const COMPOSE_NGINX_CONF = join(repoRoot, 'deploy/nginx/conf.d/fanout.conf');

/** The upstreams and listen port of the compose stack. */
export const COMPOSE_NGINX_OPTIONS: NginxSiteOptions = {
  listen: 80,
  edges: ['edge1:8080', 'edge2:8080'],
};

/** Options of {@link renderNginxSite}. */
export interface NginxSiteOptions {
  /** Port (or `address:port`) nginx listens on. */
  listen: number | string;
  /** The edges, `host:port` each. */
  edges: readonly string[];
  /** An edge failing this many times is left out for `failTimeoutSeconds`. Default 0: never (see the template). */
  maxFails?: number;
  /** Default 5. */
  failTimeoutSeconds?: number;
}

/** The site configuration (http context: map, upstream, server) from the template. */
export function renderNginxSite(o: NginxSiteOptions): string {
  if (o.edges.length === 0) throw new Error('nginx needs at least one edge');
  const servers = o.edges
    .map((e) => {
      if (!/^[A-Za-z0-9.-]+:\d+$/.test(e)) throw new Error(`not host:port: ${e}`);
      return `    server ${e} max_fails=${o.maxFails ?? 0} fail_timeout=${o.failTimeoutSeconds ?? 5}s;`;
    })
    .join('\n');
  return readFileSync(NGINX_TEMPLATE, 'utf8')
    .replaceAll('{{LISTEN}}', String(o.listen))
    .replaceAll('{{UPSTREAM_SERVERS}}', servers);
}

/**
 * A complete nginx.conf around the site, for running nginx as an ordinary
 * user with every file under `dir` (pid, logs, temp paths): `nginx -p <dir>
 * -e <dir>/error.log -c <file>`.
 */
export function renderNginxStandalone(o: NginxSiteOptions & { dir: string }): string {
  const d = o.dir;
  return `# Rendered by scripts/nginx-config.ts for a local run (tests).
daemon off;
master_process on;
worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;

events {
    worker_connections 8192;
}

http {
    access_log ${d}/access.log;
    client_body_temp_path ${d}/client_body;
    proxy_temp_path ${d}/proxy;
    fastcgi_temp_path ${d}/fastcgi;
    uwsgi_temp_path ${d}/uwsgi;
    scgi_temp_path ${d}/scgi;

${renderNginxSite(o)}
}
`;
}

/** The file compose mounts, rendered. */
export function renderComposeNginx(): string {
  return `# GENERATED from deploy/nginx/fanout.conf.template by \`npx tsx scripts/nginx-config.ts\`; do not edit.\n${renderNginxSite(COMPOSE_NGINX_OPTIONS)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(COMPOSE_NGINX_CONF, renderComposeNginx());
  process.stdout.write(`wrote ${COMPOSE_NGINX_CONF}\n`);
}
