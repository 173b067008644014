import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  Connection,
  type SASLMechanismValue,
  ScramMechanisms,
  alterUserScramCredentialsV0,
} from '@platformatic/kafka';

/** The SCRAM mechanisms Kafka stores credentials for. */
export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

const SCRAM = {
  'SCRAM-SHA-256': { id: ScramMechanisms.SCRAM_SHA_256, digest: 'sha256', keyLength: 32 },
  'SCRAM-SHA-512': { id: ScramMechanisms.SCRAM_SHA_512, digest: 'sha512', keyLength: 64 },
} as const;

// Kafka's minimum for both mechanisms.
const ITERATIONS = 4096;

/** `host:port` split for a Connection. */
function hostPort(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}

async function withConnection<T>(
  address: string,
  options: ConstructorParameters<typeof Connection>[1],
  use: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = new Connection('fanout-testing', {
    connectTimeout: 2_000,
    requestTimeout: 10_000,
    ...options,
  });
  // Failures come back through connect()/the request; an 'error' with no listener would throw.
  connection.on('error', () => {});
  try {
    const [host, port] = hostPort(address);
    await connection.connect(host, port);
    return await use(connection);
  } finally {
    await connection.close().catch(() => {});
  }
}

/**
 * Creates (or replaces) a SCRAM user with the AlterUserScramCredentials admin
 * API (key 51), which kafkajs does not have: the salted password is computed
 * here (SCRAM's Hi() is PBKDF2-HMAC), as the Java admin client does.
 * `address` is a listener that needs no authentication.
 */
export async function upsertScramUser(
  address: string,
  username: string,
  password: string,
  mechanisms: readonly ScramMechanismName[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'],
): Promise<void> {
  const upsertions = mechanisms.map((name) => {
    const { id, digest, keyLength } = SCRAM[name];
    const salt = randomBytes(32);
    return {
      name: username,
      mechanism: id,
      iterations: ITERATIONS,
      salt,
      saltedPassword: pbkdf2Sync(password, salt, ITERATIONS, keyLength, digest),
    };
  });
  // One request per mechanism: the broker refuses a user twice in one request.
  await withConnection(address, {}, async (connection) => {
    for (const upsertion of upsertions)
      await alterUserScramCredentialsV0.api.async(connection, [], [upsertion]);
  });
}

/** What {@link authenticate} presents. */
export interface SaslLogin {
  mechanism: SASLMechanismValue;
  username: string;
  password: string;
  /** PEM file of the CA the server certificate chains to. */
  caFile: string;
  /** A client certificate and its key (PEM files), for a listener that asks for one. */
  clientCertFile?: string;
  clientKeyFile?: string;
}

/** Opens a TLS connection to `address`, authenticates with SASL and closes it; rejects when either fails. */
export async function authenticate(address: string, login: SaslLogin): Promise<void> {
  await withConnection(
    address,
    {
      tls: {
        ca: readFileSync(login.caFile),
        ...(login.clientCertFile ? { cert: readFileSync(login.clientCertFile) } : {}),
        ...(login.clientKeyFile ? { key: readFileSync(login.clientKeyFile) } : {}),
      },
      sasl: { mechanism: login.mechanism, username: login.username, password: login.password },
    },
    async () => {},
  );
}
