import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { type KafkaSaslSslAccess, type SaslMechanism, requirePrograms } from '@fanout/testing';

/** What a kcat run printed and how it ended. */
export interface KcatResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs Debian's `kcat` (librdkafka) with `args`, feeding `input` on stdin,
 * and resolves when it exits, or kills it after `timeoutMs` (default 30 s).
 */
export function kcat(args: readonly string[], input = '', timeoutMs = 30_000): Promise<KcatResult> {
  const run = startKcat(args, timeoutMs);
  run.stdin.end(input);
  return run.result;
}

/** A running kcat: write to its stdin (a producer's records, one a line), then end() it. */
export interface KcatRun {
  stdin: NodeJS.WritableStream;
  /** Settles when kcat exits (rejects only if it cannot be started). */
  result: Promise<KcatResult>;
}

/** Starts kcat with `args`; killed after `timeoutMs` (default 30 s) if still running. */
export function startKcat(args: readonly string[], timeoutMs = 30_000): KcatRun {
  const child = spawn('kcat', [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const result = new Promise<KcatResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  // EPIPE when kcat exits early: its exit code and stderr tell why.
  child.stdin.on('error', () => {});
  return { stdin: child.stdin, result };
}

/** kcat's `-X` options for the harness's SASL_SSL listener. */
export function kcatSaslSsl(
  access: KafkaSaslSslAccess,
  login: {
    mechanism?: SaslMechanism;
    password?: string;
    clientCertificate?: boolean;
    trustTestCa?: boolean;
  } = {},
): string[] {
  const settings: Record<string, string> = {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanisms': login.mechanism ?? access.mechanism,
    'sasl.username': access.username,
    'sasl.password': login.password ?? access.password,
    // Without the test CA: the system's trust store, which does not know it.
    ...(login.trustTestCa === false ? {} : { 'ssl.ca.location': access.caFile }),
    ...(login.clientCertificate
      ? { 'ssl.certificate.location': access.clientCertFile, 'ssl.key.location': access.clientKeyFile }
      : {}),
  };
  return [
    '-b',
    access.brokers.join(','),
    ...Object.entries(settings).flatMap(([k, v]) => ['-X', `${k}=${v}`]),
  ];
}

const run = promisify(execFile);

/** A record as `kcat -C` (librdkafka, read_committed) printed it: the reference a test compares the edge's frames with. */
export interface KcatRecord {
  partition: number;
  offset: number;
  timestampMs: number;
  key: string | null;
  value: string;
  /** `key=value,...` as kcat prints them, in record order. */
  headers: string;
}

function need(): void {
  requirePrograms('The kcat tests', [{ command: 'kcat', debianPackage: 'kcat' }], '', process.env.PATH);
}

/**
 * Produces lines with kcat (librdkafka: its default partitioner hashes keys
 * with CRC32, unlike kafkajs/Java's murmur2). `key:value` lines are keyed,
 * lines without `:` unkeyed.
 */
export async function kcatProduce(
  brokers: string[],
  topic: string,
  lines: string[],
  options: { codec?: string; headers?: string[]; extra?: string[] } = {},
): Promise<void> {
  need();
  const args = ['-P', '-b', brokers.join(','), '-t', topic, '-K:', '-z', options.codec ?? 'none'];
  for (const h of options.headers ?? []) args.push('-H', h);
  args.push(...(options.extra ?? []));
  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', args, (err, _out, stderr) =>
      err ? reject(new Error(`kcat -P failed: ${stderr || err.message}`)) : resolve(),
    );
    child.stdin?.end(`${lines.join('\n')}\n`);
  });
}

/** Every record of a topic, read by kcat from the beginning to the end. */
export async function kcatConsume(
  brokers: string[],
  topic: string,
  extra: string[] = [],
): Promise<KcatRecord[]> {
  need();
  const { stdout } = await run(
    'kcat',
    [
      '-C',
      '-b',
      brokers.join(','),
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      'isolation.level=read_committed',
      '-f',
      '%p\t%o\t%T\t%K\t%k\t%s\t%h\n',
      ...extra,
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [p, o, t, klen, k, v, h] = l.split('\t');
      return {
        partition: Number(p),
        offset: Number(o),
        timestampMs: Number(t),
        key: klen === '-1' ? null : (k ?? ''),
        value: v ?? '',
        headers: h ?? '',
      };
    });
}
