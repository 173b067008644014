import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Kafka's `security.protocol`. */
export type KafkaSecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
/** Kafka's `sasl.mechanism`. */
export type KafkaSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

/** How to reach a Kafka cluster: validated, files read, ready for a client library. */
export interface KafkaConnection {
  brokers: string[];
  clientId: string;
  protocol: KafkaSecurityProtocol;
  /** Set for SSL and SASL_SSL. */
  tls?: {
    /** PEM CA bundle (undefined: the system's trust store). */
    ca?: string;
    /** PEM client certificate and key (mutual TLS). */
    cert?: string;
    key?: string;
    /** Name checked against the brokers' certificates when it differs from the address. */
    serverName?: string;
  };
  /** Set for SASL_PLAINTEXT and SASL_SSL. */
  sasl?: {
    mechanism: KafkaSaslMechanism;
    username?: string;
    password?: string;
    /** OAUTHBEARER: returns the current token (re-read from its file at each authentication). */
    token?: () => string;
  };
}

/** Every problem of a Kafka configuration at once. */
export class KafkaSettingsError extends Error {
  override readonly name = 'KafkaSettingsError';
  readonly code = 'CONFIG_INVALID';
  readonly retriable = false;
  constructor(readonly problems: string[]) {
    super(`invalid Kafka configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

/**
 * The Kafka settings, variable → schema and description. The edge's
 * configuration table includes them (and so its generated reference); the
 * demo producer, the benchmark and `npm start` read the same variables.
 */
export const kafkaSettings = {
  KAFKA_BROKERS: {
    schema: list.pipe(
      z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port')).min(1, 'needs at least one broker'),
    ),
    doc: 'Kafka bootstrap brokers, comma-separated host:port (required).',
  },
  KAFKA_CLIENT_ID: { schema: z.string().min(1).default('fanout-edge'), doc: 'Kafka client id.' },
  KAFKA_SECURITY_PROTOCOL: {
    schema: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).default('PLAINTEXT'),
    doc: "Kafka's security.protocol: PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or SASL_SSL (managed Kafka services).",
  },
  KAFKA_TLS_CA_FILE: {
    schema: z.string().min(1).optional(),
    doc: "PEM CA bundle the brokers' certificates are checked against (SSL, SASL_SSL; default: the system's).",
  },
  KAFKA_TLS_CERT_FILE: {
    schema: z.string().min(1).optional(),
    doc: 'PEM client certificate, for brokers that require mutual TLS (with KAFKA_TLS_KEY_FILE).',
  },
  KAFKA_TLS_KEY_FILE: {
    schema: z.string().min(1).optional(),
    doc: 'PEM private key of KAFKA_TLS_CERT_FILE.',
  },
  KAFKA_TLS_SERVER_NAME: {
    schema: z.string().min(1).optional(),
    doc: "Name the brokers' certificates must carry, when it differs from the broker address (SNI).",
  },
  KAFKA_SASL_MECHANISM: {
    schema: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER']).optional(),
    doc: 'SASL mechanism (SASL_PLAINTEXT, SASL_SSL): PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER.',
  },
  KAFKA_SASL_USERNAME: { schema: z.string().min(1).optional(), doc: 'SASL user (PLAIN, SCRAM).' },
  KAFKA_SASL_PASSWORD: {
    schema: z.string().min(1).optional(),
    doc: 'SASL password (PLAIN, SCRAM); or KAFKA_SASL_PASSWORD_FILE.',
  },
  KAFKA_SASL_PASSWORD_FILE: {
    schema: z.string().min(1).optional(),
    doc: 'File holding the SASL password (a mounted secret), instead of KAFKA_SASL_PASSWORD.',
  },
  KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: {
    schema: z.string().min(1).optional(),
    doc: 'OAUTHBEARER: file holding the current token, re-read at each authentication (a token refresher writes it).',
  },
} as const;

type Raw = { [K in keyof typeof kafkaSettings]: z.infer<(typeof kafkaSettings)[K]['schema']> };

function read(path: string, what: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${what}: cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * Checks the parsed Kafka settings together and reads their files. Pushes
 * every problem to `problems`; returns undefined when there was any.
 */
export function resolveKafkaConnection(raw: Partial<Raw>, problems: string[]): KafkaConnection | undefined {
  const before = problems.length;
  const protocol = raw.KAFKA_SECURITY_PROTOCOL ?? 'PLAINTEXT';
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  if (!usesTls) {
    for (const k of [
      'KAFKA_TLS_CA_FILE',
      'KAFKA_TLS_CERT_FILE',
      'KAFKA_TLS_KEY_FILE',
      'KAFKA_TLS_SERVER_NAME',
    ] as const)
      if (raw[k]) problems.push(`${k}: needs KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL (it is ${protocol})`);
  }
  if (!!raw.KAFKA_TLS_CERT_FILE !== !!raw.KAFKA_TLS_KEY_FILE)
    problems.push('KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE: set both or neither');
  const mechanism = raw.KAFKA_SASL_MECHANISM;
  if (!usesSasl) {
    for (const k of [
      'KAFKA_SASL_MECHANISM',
      'KAFKA_SASL_USERNAME',
      'KAFKA_SASL_PASSWORD',
      'KAFKA_SASL_PASSWORD_FILE',
      'KAFKA_SASL_OAUTHBEARER_TOKEN_FILE',
    ] as const)
      if (raw[k])
        problems.push(`${k}: needs KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT or SASL_SSL (it is ${protocol})`);
  } else if (!mechanism) {
    problems.push(`KAFKA_SASL_MECHANISM: is required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
  }
  let password = raw.KAFKA_SASL_PASSWORD;
  if (usesSasl && mechanism && mechanism !== 'OAUTHBEARER') {
    if (!raw.KAFKA_SASL_USERNAME) problems.push(`KAFKA_SASL_USERNAME: is required with ${mechanism}`);
    if (raw.KAFKA_SASL_PASSWORD && raw.KAFKA_SASL_PASSWORD_FILE)
      problems.push('KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE: set only one');
    if (raw.KAFKA_SASL_PASSWORD_FILE)
      password = read(raw.KAFKA_SASL_PASSWORD_FILE, 'KAFKA_SASL_PASSWORD_FILE', problems)?.trim();
    if (!raw.KAFKA_SASL_PASSWORD && !raw.KAFKA_SASL_PASSWORD_FILE)
      problems.push(`KAFKA_SASL_PASSWORD: is required with ${mechanism} (or KAFKA_SASL_PASSWORD_FILE)`);
  }
  if (mechanism === 'OAUTHBEARER' && !raw.KAFKA_SASL_OAUTHBEARER_TOKEN_FILE)
    problems.push('KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: is required with OAUTHBEARER');
  if (mechanism === 'OAUTHBEARER' && raw.KAFKA_SASL_OAUTHBEARER_TOKEN_FILE)
    read(raw.KAFKA_SASL_OAUTHBEARER_TOKEN_FILE, 'KAFKA_SASL_OAUTHBEARER_TOKEN_FILE', problems);
  const ca =
    usesTls && raw.KAFKA_TLS_CA_FILE ? read(raw.KAFKA_TLS_CA_FILE, 'KAFKA_TLS_CA_FILE', problems) : undefined;
  const cert =
    usesTls && raw.KAFKA_TLS_CERT_FILE
      ? read(raw.KAFKA_TLS_CERT_FILE, 'KAFKA_TLS_CERT_FILE', problems)
      : undefined;
  const key =
    usesTls && raw.KAFKA_TLS_KEY_FILE
      ? read(raw.KAFKA_TLS_KEY_FILE, 'KAFKA_TLS_KEY_FILE', problems)
      : undefined;
  if (!raw.KAFKA_BROKERS) return undefined;
  if (problems.length > before) return undefined;
  const tokenFile = raw.KAFKA_SASL_OAUTHBEARER_TOKEN_FILE;
  return {
    brokers: raw.KAFKA_BROKERS,
    clientId: raw.KAFKA_CLIENT_ID ?? 'fanout-edge',
    protocol,
    ...(usesTls
      ? {
          tls: {
            ...(ca !== undefined ? { ca } : {}),
            ...(cert !== undefined ? { cert } : {}),
            ...(key !== undefined ? { key } : {}),
            ...(raw.KAFKA_TLS_SERVER_NAME ? { serverName: raw.KAFKA_TLS_SERVER_NAME } : {}),
          },
        }
      : {}),
    ...(usesSasl && mechanism
      ? {
          sasl: {
            mechanism,
            ...(raw.KAFKA_SASL_USERNAME ? { username: raw.KAFKA_SASL_USERNAME } : {}),
            ...(password ? { password } : {}),
            ...(tokenFile ? { token: () => readFileSync(tokenFile, 'utf8').trim() } : {}),
          },
        }
      : {}),
  };
}

/**
 * Reads the Kafka settings from an environment (for tools; the edge reads
 * them through its own `loadConfig`). Throws {@link KafkaSettingsError}
 * naming every problem.
 */
export function kafkaConnectionFromEnv(
  env: Record<string, string | undefined>,
  defaults: { clientId: string; brokers?: string[] },
): KafkaConnection {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(kafkaSettings)) {
    let value = env[name] === '' ? undefined : env[name];
    if (name === 'KAFKA_BROKERS' && value === undefined && defaults.brokers)
      value = defaults.brokers.join(',');
    if (name === 'KAFKA_CLIENT_ID' && value === undefined) value = defaults.clientId;
    const parsed = (setting.schema as z.ZodType).safeParse(value);
    if (parsed.success) raw[name] = parsed.data;
    else
      problems.push(
        `${name}: ${parsed.error.issues.map((i) => (value === undefined && i.code === 'invalid_type' ? 'is required' : i.message)).join('; ')}`,
      );
  }
  const conn = resolveKafkaConnection(raw as Partial<Raw>, problems);
  if (problems.length > 0 || !conn) throw new KafkaSettingsError(problems);
  return conn;
}

/** The same connection as kafkajs options (for the tools that produce with kafkajs). */
export function toKafkajsConfig(c: KafkaConnection): {
  brokers: string[];
  clientId: string;
  ssl?: { ca?: string[]; cert?: string; key?: string; servername?: string } | boolean;
  sasl?:
    | { mechanism: 'plain'; username: string; password: string }
    | { mechanism: 'scram-sha-256'; username: string; password: string }
    | { mechanism: 'scram-sha-512'; username: string; password: string }
    | { mechanism: 'oauthbearer'; oauthBearerProvider: () => Promise<{ value: string }> };
} {
  const out: ReturnType<typeof toKafkajsConfig> = { brokers: c.brokers, clientId: c.clientId };
  if (c.tls) {
    out.ssl =
      c.tls.ca || c.tls.cert || c.tls.serverName
        ? {
            ...(c.tls.ca ? { ca: [c.tls.ca] } : {}),
            ...(c.tls.cert ? { cert: c.tls.cert } : {}),
            ...(c.tls.key ? { key: c.tls.key } : {}),
            ...(c.tls.serverName ? { servername: c.tls.serverName } : {}),
          }
        : true;
  }
  if (c.sasl) {
    const { mechanism, username = '', password = '', token } = c.sasl;
    switch (mechanism) {
      case 'OAUTHBEARER':
        out.sasl = {
          mechanism: 'oauthbearer',
          oauthBearerProvider: async () => ({ value: token?.() ?? '' }),
        };
        break;
      case 'PLAIN':
        out.sasl = { mechanism: 'plain', username, password };
        break;
      case 'SCRAM-SHA-256':
        out.sasl = { mechanism: 'scram-sha-256', username, password };
        break;
      case 'SCRAM-SHA-512':
        out.sasl = { mechanism: 'scram-sha-512', username, password };
        break;
    }
  }
  return out;
}
