import { spawn } from 'node:child_process';
import type { KafkaSaslSslAccess, SaslMechanism } from '@fanout/testing';

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
