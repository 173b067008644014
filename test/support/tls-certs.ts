import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/** A certificate made by openssl: its PEM files and serial number (hex, upper case). */
export interface TestCert {
  certFile: string;
  keyFile: string;
  serial: string;
}

/** A test CA in a fresh directory (removed when the test finishes) that issues certificates with openssl. */
export class TestCa {
  readonly certFile: string;
  readonly keyFile: string;
  private count = 0;

  private constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    this.certFile = join(dir, `${name}-ca.pem`);
    this.keyFile = join(dir, `${name}-ca.key`);
  }

  /** Creates a CA (RSA 2048, one day) with openssl; fails with the package to install when it is missing. */
  static create(name = 'fanout-test', dir?: string): TestCa {
    const d = dir ?? mkdtempSync(join(tmpdir(), 'fanout-tls-'));
    if (!dir) onTestFinished(() => rmSync(d, { recursive: true, force: true }));
    const ca = new TestCa(d, name);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name} CA`,
      '-keyout',
      ca.keyFile,
      '-out',
      ca.certFile,
    ]);
    return ca;
  }

  /** The CA certificate's PEM. */
  get pem(): string {
    return readFileSync(this.certFile, 'utf8');
  }

  /**
   * Issues a certificate for 127.0.0.1 and localhost (server) or a client
   * certificate; `passphrase` encrypts its key (AES-256).
   */
  issue(cn: string, opts: { client?: boolean; passphrase?: string } = {}): TestCert {
    const base = join(this.dir, `${this.name}-${++this.count}-${cn}`);
    const keyFile = `${base}.key`;
    const csr = `${base}.csr`;
    const certFile = `${base}.pem`;
    const ext = `${base}.ext`;
    writeFileSync(
      ext,
      opts.client
        ? 'extendedKeyUsage=clientAuth\n'
        : 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    );
    openssl(['genrsa', '-out', keyFile, '2048']);
    openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${cn}`, '-out', csr]);
    const serial = (BigInt(Date.now()) * 1000n + BigInt(this.count)).toString(16).toUpperCase();
    openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      this.certFile,
      '-CAkey',
      this.keyFile,
      '-set_serial',
      `0x${serial}`,
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      certFile,
    ]);
    if (opts.passphrase) {
      const encrypted = `${base}.enc.key`;
      openssl(['rsa', '-in', keyFile, '-aes256', '-passout', `pass:${opts.passphrase}`, '-out', encrypted]);
      renameSync(encrypted, keyFile);
    }
    return { certFile, keyFile, serial: serial.padStart(2, '0') };
  }
}

/** Replaces `target` with `source`'s content atomically (write aside, rename), as deploy tools do. */
export function replaceFile(source: string, target: string): void {
  const aside = `${target}.new`;
  writeFileSync(aside, readFileSync(source));
  renameSync(aside, target);
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(
        'openssl not found: install it with `apt-get install openssl` (Debian package openssl)',
      );
    throw new Error(`openssl ${args[0]} failed: ${(err as { stderr?: Buffer }).stderr?.toString() ?? err}`);
  }
}
