import { constants, accessSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type MissingProgram, PrerequisiteError } from './errors.js';

/** The absolute path of `command` found on `pathEnv` (a PATH-style list), or undefined. */
export function findExecutable(command: string, pathEnv: string | undefined): string | undefined {
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here: try the next directory
    }
  }
  return undefined;
}

/**
 * Throws one PrerequisiteError naming every missing program (and its Debian
 * package) so the user installs everything in one go.
 */
export function requirePrograms(
  what: string,
  programs: readonly MissingProgram[],
  alternative: string,
  pathEnv: string | undefined = process.env.PATH,
): void {
  const missing = programs.filter((p) => findExecutable(p.command, pathEnv) === undefined);
  if (missing.length > 0) throw new PrerequisiteError(what, missing, alternative);
}
