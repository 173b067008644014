/** Stable codes of the harness's errors, for tests that assert on them. */
export type HarnessErrorCode =
  | 'PREREQUISITE_MISSING'
  | 'STARTUP_FAILED'
  | 'DOWNLOAD_FAILED'
  | 'INVALID_OPTION';

/** Base error of @fanout/testing: a stable `code`, the original error as `cause`. */
export class HarnessError extends Error {
  readonly code: HarnessErrorCode;

  constructor(code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
  }
}

/** A program the harness needs is not installed. */
export interface MissingProgram {
  /** The command looked up on PATH, e.g. `java`. */
  command: string;
  /** The Debian/Ubuntu package that provides it, e.g. `openjdk-17-jre-headless`. */
  debianPackage: string;
}

/** One or more programs are missing; the message names every package to install at once. */
export class PrerequisiteError extends HarnessError {
  readonly missing: readonly MissingProgram[];

  constructor(what: string, missing: readonly MissingProgram[], alternative: string) {
    const names = missing.map((m) => `${m.command} (package ${m.debianPackage})`).join(', ');
    const packages = missing.map((m) => m.debianPackage).join(' ');
    super(
      'PREREQUISITE_MISSING',
      `${what} needs ${names} on PATH. On Debian/Ubuntu: sudo apt-get install -y ${packages}. ${alternative}`,
    );
    this.name = 'PrerequisiteError';
    this.missing = missing;
  }
}

/** A server did not come up (or did not answer) before its deadline; the message ends with its log tail. */
export class StartupError extends HarnessError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STARTUP_FAILED', message, options);
    this.name = 'StartupError';
  }
}
