import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './errors.js';
import { requirePrograms } from './find-executable.js';

/** A private CA and the certificates it signed, as files (PEM, plus a PKCS#12 keystore). */
export interface TestCertificates {
  /** The CA certificate (PEM): what clients trust. */
  caFile: string;
  /** The server certificate (PEM), valid for `localhost` and `127.0.0.1`, signed by the CA. */
  serverCertFile: string;
  /** The server's private key (PEM, PKCS#8, unencrypted). */
  serverKeyFile: string;
  /** Key, certificate and CA chain of the server in one PKCS#12 file (what Kafka loads). */
  serverKeystoreFile: string;
  /** Password of the PKCS#12 file and of the key in it. */
  keystorePassword: string;
  /** A client certificate (PEM, CN `fanout-test-client`) signed by the same CA. */
  clientCertFile: string;
  /** The client's private key (PEM, PKCS#8, unencrypted). */
  clientKeyFile: string;
}

const DAYS = '7';

/**
 * Makes a fresh CA, a server certificate for localhost/127.0.0.1 and a client
 * certificate with `openssl` into `dir` (created if missing). EC P-256 keys:
 * quick to make, accepted by Java, Node and librdkafka.
 */
export async function createTestCertificates(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TestCertificates> {
  requirePrograms(
    'Making TLS certificates for the SASL_SSL listener',
    [{ command: 'openssl', debianPackage: 'openssl' }],
    'The harness makes a CA and certificates with it at test time.',
    env.PATH,
  );
  mkdirSync(dir, { recursive: true });
  const file = (name: string): string => join(dir, name);
  const certs: TestCertificates = {
    caFile: file('ca.pem'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    serverKeystoreFile: file('server.p12'),
    keystorePassword: randomBytes(12).toString('hex'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
  };
  const openssl = (...args: string[]): Promise<void> => run(args, env);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-noenc'];

  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    certs.caFile,
    '-days',
    DAYS,
    '-subj',
    '/CN=fanout-test-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const sign = async (name: string, subject: string, extensions: string[]): Promise<void> => {
    await openssl(
      'req',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      subject,
    );
    writeFileSync(file(`${name}.ext`), `${extensions.join('\n')}\n`);
    await openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      certs.caFile,
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      DAYS,
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    );
  };
  await sign('server', '/CN=localhost', [
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
  ]);
  await sign('client', '/CN=fanout-test-client', [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=clientAuth',
  ]);
  await openssl(
    'pkcs12',
    '-export',
    '-in',
    certs.serverCertFile,
    '-inkey',
    certs.serverKeyFile,
    '-certfile',
    certs.caFile,
    '-name',
    'server',
    '-out',
    certs.serverKeystoreFile,
    '-passout',
    `pass:${certs.keystorePassword}`,
  );
  return certs;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      reject(
        new StartupError(`openssl ${args.slice(0, 2).join(' ')} failed:\n${stdout}${stderr}`, { cause: err }),
      );
    });
  });
}
