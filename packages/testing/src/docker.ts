import { execFile } from 'node:child_process';
import { findExecutable } from './find-executable.js';

/**
 * Whether a Docker engine answers: `docker info` exits 0 within `timeoutMs`.
 * A docker client without a daemon (common on CI and dev boxes) answers no.
 */
export function dockerAvailable(env: NodeJS.ProcessEnv, timeoutMs = 3_000): Promise<boolean> {
  if (findExecutable('docker', env.PATH) === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile(
      'docker',
      ['info', '--format', '{{.ServerVersion}}'],
      { env, timeout: timeoutMs },
      (err, stdout) => resolve(!err && stdout.trim() !== ''),
    );
  });
}
