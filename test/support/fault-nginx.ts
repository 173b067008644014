import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@fanout/testing';
import { onTestFinished } from 'vitest';
import { renderNginxStandalone } from '../../scripts/nginx-config.js';

const NGINX = '/usr/sbin/nginx';

/** Debian's nginx, run in the foreground on the repository's template (the one compose mounts, rendered). */
export interface NginxProcess {
  readonly port: number;
  /** `ws://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The rendered nginx.conf. */
  readonly conf: string;
  /** The last lines of nginx's error log. */
  errorLog(lines?: number): string;
  /** The error log's messages with their counts (timestamps, connection numbers and clients stripped), most frequent first. */
  errorSummary(): string;
  stop(): Promise<void>;
}

/**
 * Renders deploy/nginx/fanout.conf.template (scripts/nginx-config.ts) with
 * the given loopback edge ports into a fresh directory, starts nginx on a
 * free port with `-p <dir> -c <conf>` (pid, logs, temp files in that
 * directory) and waits until it answers. Stopped, and its directory removed,
 * when the test finishes.
 */
export async function startNginx(edgePorts: readonly number[]): Promise<NginxProcess> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} not found: install Debian's nginx package`);
  const dir = mkdtempSync(join(tmpdir(), 'fanout-fault-nginx-'));
  const conf = join(dir, 'nginx.conf');
  const port = await freePort();
  writeFileSync(
    conf,
    renderNginxStandalone({
      listen: `127.0.0.1:${port}`,
      edges: edgePorts.map((p) => `127.0.0.1:${p}`),
      dir,
    }),
  );
  const args = ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf];
  const child: ChildProcess = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  onTestFinished(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const errorLog = (lines = 20) => {
    try {
      return readFileSync(join(dir, 'error.log'), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${stderr}`);
        return (await fetch(`http://127.0.0.1:${port}/nginx-health`).catch(() => undefined))?.ok === true;
      },
      { timeoutMs: 10_000, intervalMs: 50, description: 'nginx listening' },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${stderr}\n${errorLog()}`, { cause: err });
  }
  const errorSummary = () => {
    const counts = new Map<string, number>();
    for (const line of errorLog(Number.MAX_SAFE_INTEGER).split('\n')) {
      if (!line) continue;
      const msg = line
        .replace(/^\S+ \S+ /, '')
        .replace(/\d+#\d+: (\*\d+ )?/, '')
        .replace(/, client: .*/, '');
      counts.set(msg, (counts.get(msg) ?? 0) + 1);
    }
    return [...counts]
      .sort((x, y) => y[1] - x[1])
      .map(([m, n]) => `${n}× ${m}`)
      .join('\n');
  };
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    conf,
    errorLog,
    errorSummary,
    stop,
  };
}
