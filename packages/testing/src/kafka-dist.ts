import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from './errors.js';
import { requirePrograms } from './find-executable.js';
import { lastLines } from './log-tail.js';

/** The Apache Kafka release the harness runs. */
export const KAFKA_VERSION = '3.9.1';

const POM_PATH = fileURLToPath(new URL('../kafka/pom.xml', import.meta.url));
const DOWNLOAD_TIMEOUT_MS = 15 * 60_000;

/** The broker's jars, ready to run. */
export interface KafkaDist {
  /** Directory holding every runtime jar. */
  libsDir: string;
  /** A java -cp value for them. */
  classpath: string;
}

/** `$FANOUT_CACHE_DIR`, else `$XDG_CACHE_HOME/fanout`, else `~/.cache/fanout`. */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.FANOUT_CACHE_DIR) return env.FANOUT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'fanout');
}

/**
 * Fetches Kafka's runtime jars from Maven Central into the cache, once: a
 * marker (holding the pom's hash) written after a complete download tells
 * later runs to reuse them; a half download is redone.
 */
export async function ensureKafkaDist(
  env: NodeJS.ProcessEnv,
  log: (message: string) => void = () => {},
): Promise<KafkaDist> {
  const home = join(cacheRoot(env), `kafka-${KAFKA_VERSION}`);
  const libsDir = join(home, 'libs');
  const marker = join(home, 'libs.complete');
  const dist = { libsDir, classpath: join(libsDir, '*') };
  const pom = readFileSync(POM_PATH, 'utf8');
  const stamp = createHash('sha256').update(pom).digest('hex');
  if (readIfExists(marker) === stamp && existsSync(libsDir)) return dist;

  requirePrograms(
    `Running Kafka ${KAFKA_VERSION} without Docker`,
    [
      { command: 'java', debianPackage: 'openjdk-17-jre-headless' },
      { command: 'mvn', debianPackage: 'maven' },
    ],
    'Or set KAFKA_BROKERS to use a running broker.',
    env.PATH,
  );
  log(`fetching Kafka ${KAFKA_VERSION} jars from Maven Central into ${libsDir} (once)`);
  mkdirSync(home, { recursive: true });
  // A private pom copy and output dir: concurrent first runs do not mix files,
  // and Maven writes nothing into the repository.
  const work = join(home, `download-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(work);
  try {
    writeFileSync(join(work, 'pom.xml'), pom);
    const out = join(work, 'libs');
    await runMaven(
      [
        '-B',
        '-q',
        '-ntp',
        '-f',
        join(work, 'pom.xml'),
        'dependency:copy-dependencies',
        `-DoutputDirectory=${out}`,
        '-DincludeScope=runtime',
      ],
      env,
    );
    // Another process may have finished first: keep its copy (a JVM may be loading it).
    if (readIfExists(marker) !== stamp || !existsSync(libsDir)) {
      rmSync(marker, { force: true });
      rmSync(libsDir, { recursive: true, force: true });
      renameSync(out, libsDir);
      writeFileSync(marker, stamp);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dist;
}

function runMaven(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'mvn',
      args,
      { env, timeout: DOWNLOAD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve();
        const output = lastLines(`${stdout}${stderr}`, 40);
        reject(
          new HarnessError(
            'DOWNLOAD_FAILED',
            `mvn could not fetch the Kafka ${KAFKA_VERSION} jars:\n${output}`,
            {
              cause: err,
            },
          ),
        );
      },
    );
  });
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
