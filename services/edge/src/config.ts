import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ConfigError } from '@fanout/core';
import { type KafkaConnection, kafkaSettings, resolveKafkaConnection } from '@fanout/kafka-settings';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be an integer' })
    .min(min, { message: `must be >= ${min}` })
    .max(max, { message: `must be <= ${max}` });
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

/**
 * Every setting of the edge, read from the environment by `loadConfig`.
 * Each entry: variable name → schema with default and description. The README's
 * configuration reference is checked against this table.
 */
export const settings = {
  EDGE_HOST: {
    schema: z.string().min(1).default('0.0.0.0'),
    doc: 'Address the WebSocket/HTTP server listens on.',
  },
  EDGE_PORT: { schema: int(0, 65535).default(8080), doc: 'Port to listen on; 0 picks a free port (logged).' },
  EDGE_NODE_ID: {
    schema: z.string().min(1).max(128).optional(),
    doc: 'Identifier of this edge in logs and Welcome (default: host-pid). With EDGE_WORKERS > 1 each worker is <id>-w<n> (-r<restarts> once restarted).',
  },
  EDGE_WORKERS: {
    schema: z
      .string()
      .regex(/^(auto|[1-9]\d{0,3})$/, "must be 'auto' or a number of workers from 1 to 9999")
      .default('1'),
    doc: "Edge worker processes on this host, all on EDGE_PORT (SO_REUSEPORT; the kernel spreads connections), each a full edge (own Kafka reads and window); 'auto': one per core. A supervisor restarts dead workers and drains them all on SIGTERM.",
  },
  EDGE_ADMIN_PORT: {
    schema: int(0, 65535).optional(),
    doc: "With EDGE_WORKERS > 1: the supervisor's port for /metrics (every worker's, labelled worker), /readyz (200 while every worker is ready) and /healthz. Default: EDGE_PORT + 1 (a free port when EDGE_PORT is 0, logged).",
  },
  ...kafkaSettings,
  KAFKA_FETCH_MAX_WAIT_MS: {
    schema: int(1, 10_000).default(500),
    doc: "How long ingest's fetch waits at the broker for new records (long poll); one fetch per broker carries all its partitions, and it returns as soon as any has data.",
  },
  EDGE_TOPICS: {
    schema: list.optional(),
    doc: 'Topics served, comma-separated (this or EDGE_TOPIC_PATTERN is required).',
  },
  EDGE_TOPIC_PATTERN: {
    schema: z.string().min(1).optional(),
    doc: 'Regular expression of topics served; discovered every EDGE_TOPIC_REFRESH_MS.',
  },
  EDGE_STARTUP_WAIT_MS: {
    schema: int(0, 600_000).default(10_000),
    doc: 'How long startup waits for Kafka and the served topics before it goes on not ready (it keeps retrying; /readyz says why).',
  },
  EDGE_TOPIC_REFRESH_MS: {
    schema: int(500, 300_000).default(10_000),
    doc: 'How often the edge reads topic metadata: topics matching EDGE_TOPIC_PATTERN, partitions added, topics recreated, listed topics that appear.',
  },
  SESSION_STORE: {
    schema: z.enum(['redis', 'memory']).optional(),
    doc: "'redis' (needs REDIS_URL) or 'memory' (single node, sessions lost on restart). Default: redis when REDIS_URL is set.",
  },
  REDIS_URL: {
    schema: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
    doc: 'Redis URL for sessions.',
  },
  REDIS_CLUSTER_NODES: {
    schema: list
      .pipe(z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port')).min(1, 'needs at least one node'))
      .optional(),
    doc: 'Redis Cluster seed nodes for sessions, comma-separated host:port (instead of REDIS_URL).',
  },
  SESSION_TTL_SECONDS: {
    schema: int(10).default(86_400),
    doc: 'Session lifetime after its last activity; a connected session is kept alive (refreshed every third of it, at most every 60 s).',
  },
  MAX_SESSIONS_PER_SUBJECT: {
    schema: int(1).default(100),
    doc: "Sessions a subject keeps; creating one more evicts the subject's oldest idle (unconnected) session.",
  },
  NEW_SESSIONS_PER_SECOND: {
    schema: int(1).default(20),
    doc: 'New sessions a subject may create per second (more: Error RATE_LIMITED, close 4006).',
  },
  MAX_CONNECTIONS: {
    schema: int(1).default(100_000),
    doc: 'WebSocket connections per edge; upgrades past it get HTTP 503 so a load balancer tries another edge.',
  },
  TAKEOVER_WAIT_MS: {
    schema: int(10).default(1000),
    doc: "A resume of a session held on another edge waits at most this long for that edge to write the holder's acks and close it (4101).",
  },
  WINDOW_MAX_RECORDS: {
    schema: int(1).default(10_000),
    doc: 'In-memory replay window per partition: most records.',
  },
  WINDOW_MAX_BYTES: {
    schema: int(1024).default(16 * 1024 * 1024),
    doc: 'In-memory replay window per partition: most bytes.',
  },
  WINDOW_PRELOAD_RECORDS: {
    schema: int(0).default(1000),
    doc: 'Records per partition read into the window at startup (within the window limits), so resumes on a fresh edge come from memory; 0: start empty.',
  },
  WINDOW_MAX_AGE_MS: {
    schema: int(1000).default(300_000),
    doc: 'In-memory replay window per partition: oldest record age.',
  },
  HEARTBEAT_INTERVAL_MS: {
    schema: int(100).default(15_000),
    doc: 'The edge pings every client at this interval.',
  },
  HEARTBEAT_TIMEOUT_MS: {
    schema: int(100).default(10_000),
    doc: 'A client silent for interval + timeout is closed (4001).',
  },
  HELLO_TIMEOUT_MS: {
    schema: int(100).default(10_000),
    doc: 'A connection must send Hello within this time.',
  },
  MAX_FRAME_BYTES: {
    schema: int(256, 16 * 1024 * 1024).default(64 * 1024),
    doc: 'Largest client frame accepted (bigger: Error FRAME_TOO_LARGE, close 4409).',
  },
  MAX_SUBSCRIPTIONS: { schema: int(1).default(100), doc: 'Most subscriptions per connection.' },
  MAX_CHANNEL_BYTES: { schema: int(3, 4096).default(256), doc: 'Longest channel name, in UTF-8 bytes.' },
  MAX_FRAMES_PER_SECOND: {
    schema: int(1).default(1000),
    doc: 'Client frames per second per connection before close 4006.',
  },
  SLOW_CLIENT_BUFFER_BYTES: {
    schema: int(16 * 1024).default(1024 * 1024),
    doc: 'Unsent bytes above which a client is taken off live delivery and caught up later.',
  },
  SLOW_CLIENT_HARD_BYTES: {
    schema: int(64 * 1024).default(32 * 1024 * 1024),
    doc: 'Unsent bytes at which a client is closed (4002) at once; must exceed SLOW_CLIENT_BUFFER_BYTES by several MB.',
  },
  SLOW_CLIENT_STUCK_MS: {
    schema: int(100).default(30_000),
    doc: 'A client that drains nothing for this long while behind is closed (4002).',
  },
  ACK_FLUSH_INTERVAL_MS: {
    schema: int(1).default(100),
    doc: 'Acks are written to the store at most this long after arriving.',
  },
  ACK_FLUSH_MAX: { schema: int(1).default(1000), doc: 'Acks pending that trigger a store write at once.' },
  REPLAY_FETCH_BYTES: {
    schema: int(1024).default(1024 * 1024),
    doc: 'Bytes per Kafka fetch for replay and ingest.',
  },
  REPLAY_INGEST_WAIT_MS: {
    schema: int(100, 300_000).default(10_000),
    doc: 'A client resuming ahead of this edge (it came from an edge that read further) waits this long for ingest to reach its position; then a retriable INGEST_BEHIND error, or ContinuityLost when fresh bounds say the position is beyond the log.',
  },
  AUTH_MODE: {
    schema: z.enum(['jwt', 'insecure']).default('jwt'),
    doc: "'jwt' verifies Hello.token; 'insecure' accepts anyone as subject 'anonymous' with access to every channel (demo only, logged loudly).",
  },
  JWT_HS256_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    doc: 'HS256 shared secret.',
  },
  JWT_PUBLIC_KEY_FILE: {
    schema: z.string().min(1).optional(),
    doc: 'PEM file with an RS256/ES256 public key (SPKI).',
  },
  JWT_JWKS_FILE: { schema: z.string().min(1).optional(), doc: 'JWKS file with RS256/ES256 public keys.' },
  JWT_JWKS_URL: {
    schema: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
      .optional(),
    doc: "The identity provider's JWKS URL (RS256/ES256 keys), fetched and cached; an unknown kid triggers a refetch (at most once per JWT_JWKS_COOLDOWN_MS), so key rotations need no restart. While it is down, cached keys keep verifying; tokens with an uncached kid get AUTH_UNAVAILABLE (close 4007, retriable).",
  },
  JWT_JWKS_COOLDOWN_MS: {
    schema: int(0).default(30_000),
    doc: 'Least time between two JWKS fetches triggered by unknown kids (also after a failed fetch).',
  },
  JWT_JWKS_CACHE_MAX_AGE_MS: {
    schema: int(0).default(600_000),
    doc: 'JWKS keys older than this are refetched before use; when the fetch fails, the cached keys are used.',
  },
  JWT_JWKS_TIMEOUT_MS: { schema: int(100).default(5000), doc: 'Timeout of one JWKS fetch.' },
  JWT_ISSUER: { schema: z.string().min(1).optional(), doc: 'Required iss claim, if set.' },
  JWT_AUDIENCE: { schema: z.string().min(1).optional(), doc: 'Required aud claim, if set.' },
  JWT_CHANNELS_CLAIM: {
    schema: z.string().min(1).default('channels'),
    doc: 'Claim listing the channel patterns the subject may subscribe to.',
  },
  ALLOWED_ORIGINS: {
    schema: list.optional(),
    doc: 'Origins allowed to open a WebSocket from a browser; unset: any. Requests without Origin are allowed.',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: int(100).default(10_000),
    doc: 'On SIGTERM the edge exits within this time.',
  },
  GOAWAY_RECONNECT_MS: { schema: int(0).default(250), doc: 'GoAway.reconnect_after_ms sent on shutdown.' },
  METRICS_ENABLED: {
    schema: bool.default(true),
    doc: "Serve /metrics (Prometheus), /status (live status page) and /status.json on the edge's port; set false when a proxy cannot keep them private.",
  },
  TLS_CERT_FILE: {
    schema: z.string().min(1).optional(),
    doc: 'PEM certificate (chain) file: with TLS_KEY_FILE the edge serves wss:// and https:// itself (uWS SSLApp). Reloaded on SIGHUP and when the file changes, without dropping connections.',
  },
  TLS_KEY_FILE: { schema: z.string().min(1).optional(), doc: 'PEM private key file of TLS_CERT_FILE.' },
  TLS_KEY_PASSPHRASE: {
    schema: z.string().min(1).optional(),
    doc: 'Passphrase of an encrypted TLS_KEY_FILE.',
  },
  TLS_CA_FILE: {
    schema: z.string().min(1).optional(),
    doc: 'PEM CA file for client certificates: a certificate a client presents must chain to it (clients without one are still accepted; the token authenticates).',
  },
  TLS_WATCH: {
    schema: bool.default(true),
    doc: 'Reload the TLS files when they change (directory watch: file replace and Kubernetes secret updates); SIGHUP reloads either way.',
  },
  WS_COMPRESSION: {
    schema: z.enum(['off', 'shared']).default('off'),
    doc: "permessage-deflate: 'shared' negotiates it with clients that offer it (uWS shared compressor; uncompressed frames to the others). This uWS build deflates once per receiving socket, in C++: see the benchmark's compression rows before turning it on.",
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'Log level of the JSON logs (pino).',
  },
  UWS_ALLOW_FALLBACK: {
    schema: bool.default(false),
    doc: 'Start even when uWebSockets.js fell back to its slow pure-JS server.',
  },
} as const;

type Settings = typeof settings;
type Raw = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

/** The auth configuration. */
export type AuthConfig =
  | { mode: 'insecure' }
  | {
      mode: 'jwt';
      hs256Secret?: string;
      publicKeyPem?: string;
      jwks?: { keys: object[] };
      /** A JWKS URL with its cache settings (JWT_JWKS_URL). */
      jwksUrl?: { url: string; cooldownMs: number; cacheMaxAgeMs: number; timeoutMs: number };
      issuer?: string;
      audience?: string;
      channelsClaim: string;
    };

/** TLS at the edge (TLS_* settings). */
export interface TlsConfig {
  certFile: string;
  keyFile: string;
  passphrase?: string;
  /** CA that client certificates must chain to. */
  caFile?: string;
  /** Reload when the files change. */
  watch: boolean;
}

/** The validated, frozen configuration of one edge. */
export interface EdgeConfig {
  host: string;
  port: number;
  nodeId: string;
  /** Edge worker processes on this host (EDGE_WORKERS, 'auto' resolved to the cores). */
  workers: number;
  /** The supervisor's admin port (EDGE_ADMIN_PORT), when set. */
  adminPort?: number;
  kafka: KafkaConnection & { fetchMaxWaitMs: number };
  topics: { list?: string[]; pattern?: RegExp; refreshMs: number };
  store:
    | { kind: 'redis'; url: string }
    | { kind: 'redis'; clusterNodes: Array<{ host: string; port: number }> }
    | { kind: 'memory' };
  sessionTtlSeconds: number;
  sessions: { maxPerSubject: number; newPerSecond: number; takeoverWaitMs: number };
  maxConnections: number;
  window: { maxRecords: number; maxBytes: number; maxAgeMs: number; preloadRecords: number };
  heartbeat: { intervalMs: number; timeoutMs: number };
  helloTimeoutMs: number;
  limits: {
    maxFrameBytes: number;
    maxSubscriptions: number;
    maxChannelBytes: number;
    maxFramesPerSecond: number;
  };
  slowClient: { bufferBytes: number; hardBytes: number; stuckMs: number };
  /** REPLAY_INGEST_WAIT_MS: how long a client ahead of this edge waits for ingest. */
  ingestWaitMs: number;
  acks: { flushIntervalMs: number; maxPending: number };
  fetchBytes: number;
  auth: AuthConfig;
  allowedOrigins?: string[];
  shutdownTimeoutMs: number;
  /** How long startup waits for Kafka and the topics before serving not ready. */
  startupWaitMs: number;
  goAwayReconnectMs: number;
  logLevel: string;
  allowUwsFallback: boolean;
  /** Whether /metrics, /status and /status.json are served. */
  metricsEnabled: boolean;
  /** TLS files, when the edge serves wss:// itself. */
  tls?: TlsConfig;
  /** Whether permessage-deflate is negotiated (WS_COMPRESSION=shared). */
  compression: boolean;
}

function readFile(path: string, what: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`${what}: cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}

function tlsConfig(r: Raw, problems: string[]): TlsConfig | undefined {
  if (!r.TLS_CERT_FILE && !r.TLS_KEY_FILE) {
    for (const k of ['TLS_KEY_PASSPHRASE', 'TLS_CA_FILE'] as const)
      if (r[k]) problems.push(`${k}: needs TLS_CERT_FILE and TLS_KEY_FILE`);
    return undefined;
  }
  if (!r.TLS_CERT_FILE || !r.TLS_KEY_FILE) {
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE: set both, or neither');
    return undefined;
  }
  // Readable now; whether they form a usable certificate and key, uWS tells at start.
  for (const k of ['TLS_CERT_FILE', 'TLS_KEY_FILE', 'TLS_CA_FILE'] as const) {
    const f = r[k];
    if (f) readFile(f, k, problems);
  }
  return {
    certFile: r.TLS_CERT_FILE,
    keyFile: r.TLS_KEY_FILE,
    ...(r.TLS_KEY_PASSPHRASE ? { passphrase: r.TLS_KEY_PASSPHRASE } : {}),
    ...(r.TLS_CA_FILE ? { caFile: r.TLS_CA_FILE } : {}),
    watch: r.TLS_WATCH,
  };
}

/**
 * Reads and validates the edge's configuration. The only reader of
 * process.env in the edge. Reports every problem at once in one ConfigError;
 * unknown values fail, nothing invalid is silently defaulted.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  defaults: { nodeId: string; cores?: number },
): EdgeConfig {
  const problems: string[] = [];
  const raw: Partial<Record<string, unknown>> = {};
  for (const [name, setting] of Object.entries(settings)) {
    const value = env[name] === '' ? undefined : env[name];
    const parsed = (setting.schema as z.ZodType).safeParse(value);
    if (parsed.success) raw[name] = parsed.data;
    else
      problems.push(
        `${name}: ${parsed.error.issues.map((i) => (value === undefined && i.code === 'invalid_type' ? 'is required' : i.message)).join('; ')}`,
      );
  }
  const r = raw as Raw;

  let pattern: RegExp | undefined;
  if (r.EDGE_TOPIC_PATTERN) {
    try {
      pattern = new RegExp(`^(?:${r.EDGE_TOPIC_PATTERN})$`);
    } catch (err) {
      problems.push(`EDGE_TOPIC_PATTERN: not a valid regular expression: ${(err as Error).message}`);
    }
  }
  if (!r.EDGE_TOPICS?.length && !r.EDGE_TOPIC_PATTERN)
    problems.push('EDGE_TOPICS or EDGE_TOPIC_PATTERN: one is required');
  if (r.EDGE_TOPICS?.length && r.EDGE_TOPIC_PATTERN)
    problems.push('EDGE_TOPICS and EDGE_TOPIC_PATTERN: set only one');

  const kafka = resolveKafkaConnection(r, problems);

  const storeKind = r.SESSION_STORE ?? (r.REDIS_URL || r.REDIS_CLUSTER_NODES ? 'redis' : undefined);
  if (!storeKind) problems.push('SESSION_STORE: set REDIS_URL, or SESSION_STORE=memory for a single node');
  if (storeKind === 'redis' && !r.REDIS_URL && !r.REDIS_CLUSTER_NODES?.length)
    problems.push('REDIS_URL: is required with SESSION_STORE=redis (or REDIS_CLUSTER_NODES)');
  if (r.REDIS_URL && r.REDIS_CLUSTER_NODES?.length)
    problems.push('REDIS_URL and REDIS_CLUSTER_NODES: set only one');

  if (r.SLOW_CLIENT_HARD_BYTES !== undefined && r.SLOW_CLIENT_BUFFER_BYTES !== undefined) {
    const margin = r.SLOW_CLIENT_BUFFER_BYTES + 2 * (r.REPLAY_FETCH_BYTES ?? 0);
    if (r.SLOW_CLIENT_HARD_BYTES <= margin)
      problems.push(
        `SLOW_CLIENT_HARD_BYTES: must exceed SLOW_CLIENT_BUFFER_BYTES + 2 × REPLAY_FETCH_BYTES (${margin})`,
      );
  }

  let auth: AuthConfig = { mode: 'insecure' };
  if (r.AUTH_MODE === 'jwt') {
    // Set but invalid (e.g. a short secret) is already reported under its own name.
    const keys = ['JWT_HS256_SECRET', 'JWT_PUBLIC_KEY_FILE', 'JWT_JWKS_FILE', 'JWT_JWKS_URL'].filter(
      (k) => env[k],
    );
    if (keys.length === 0)
      problems.push(
        'AUTH_MODE=jwt: set JWT_HS256_SECRET, JWT_PUBLIC_KEY_FILE, JWT_JWKS_FILE or JWT_JWKS_URL (or AUTH_MODE=insecure for a demo)',
      );
    const publicKeyPem = r.JWT_PUBLIC_KEY_FILE
      ? readFile(r.JWT_PUBLIC_KEY_FILE, 'JWT_PUBLIC_KEY_FILE', problems)
      : undefined;
    let jwks: { keys: object[] } | undefined;
    if (r.JWT_JWKS_FILE) {
      const text = readFile(r.JWT_JWKS_FILE, 'JWT_JWKS_FILE', problems);
      if (text !== undefined) {
        try {
          const parsed = JSON.parse(text) as { keys?: unknown };
          if (!Array.isArray(parsed.keys)) throw new Error('no "keys" array');
          jwks = { keys: parsed.keys as object[] };
        } catch (err) {
          problems.push(`JWT_JWKS_FILE: not a JWKS: ${(err as Error).message}`);
        }
      }
    }
    auth = {
      mode: 'jwt',
      channelsClaim: r.JWT_CHANNELS_CLAIM,
      ...(r.JWT_HS256_SECRET ? { hs256Secret: r.JWT_HS256_SECRET } : {}),
      ...(publicKeyPem ? { publicKeyPem } : {}),
      ...(jwks ? { jwks } : {}),
      ...(r.JWT_JWKS_URL
        ? {
            jwksUrl: {
              url: r.JWT_JWKS_URL,
              cooldownMs: r.JWT_JWKS_COOLDOWN_MS,
              cacheMaxAgeMs: r.JWT_JWKS_CACHE_MAX_AGE_MS,
              timeoutMs: r.JWT_JWKS_TIMEOUT_MS,
            },
          }
        : {}),
      ...(r.JWT_ISSUER ? { issuer: r.JWT_ISSUER } : {}),
      ...(r.JWT_AUDIENCE ? { audience: r.JWT_AUDIENCE } : {}),
    };
  }
  const tls = tlsConfig(r, problems);
  const unknown = Object.keys(env).filter(
    (k) =>
      /^(EDGE|SESSION|WINDOW|HEARTBEAT|SLOW_CLIENT|ACK|JWT|MAX|TLS|WS|KAFKA_(TLS|SASL))_/.test(k) &&
      !(k in settings),
  );
  for (const k of unknown) problems.push(`${k}: unknown setting`);

  if (problems.length > 0) {
    throw new ConfigError(
      `invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  - ${problems.join('\n  - ')}`,
    );
  }
  const config: EdgeConfig = {
    host: r.EDGE_HOST,
    port: r.EDGE_PORT,
    nodeId: r.EDGE_NODE_ID ?? defaults.nodeId,
    workers: r.EDGE_WORKERS === 'auto' ? (defaults.cores ?? availableParallelism()) : Number(r.EDGE_WORKERS),
    ...(r.EDGE_ADMIN_PORT !== undefined ? { adminPort: r.EDGE_ADMIN_PORT } : {}),
    kafka: { ...(kafka as KafkaConnection), fetchMaxWaitMs: r.KAFKA_FETCH_MAX_WAIT_MS },
    topics: {
      ...(r.EDGE_TOPICS?.length ? { list: r.EDGE_TOPICS } : { pattern: pattern as RegExp }),
      refreshMs: r.EDGE_TOPIC_REFRESH_MS,
    },
    store:
      storeKind !== 'redis'
        ? { kind: 'memory' }
        : r.REDIS_CLUSTER_NODES?.length
          ? {
              kind: 'redis',
              clusterNodes: r.REDIS_CLUSTER_NODES.map((n) => {
                const i = n.lastIndexOf(':');
                return { host: n.slice(0, i), port: Number(n.slice(i + 1)) };
              }),
            }
          : { kind: 'redis', url: r.REDIS_URL as string },
    sessionTtlSeconds: r.SESSION_TTL_SECONDS,
    sessions: {
      maxPerSubject: r.MAX_SESSIONS_PER_SUBJECT,
      newPerSecond: r.NEW_SESSIONS_PER_SECOND,
      takeoverWaitMs: r.TAKEOVER_WAIT_MS,
    },
    maxConnections: r.MAX_CONNECTIONS,
    window: {
      maxRecords: r.WINDOW_MAX_RECORDS,
      maxBytes: r.WINDOW_MAX_BYTES,
      maxAgeMs: r.WINDOW_MAX_AGE_MS,
      preloadRecords: Math.min(r.WINDOW_PRELOAD_RECORDS, r.WINDOW_MAX_RECORDS),
    },
    heartbeat: { intervalMs: r.HEARTBEAT_INTERVAL_MS, timeoutMs: r.HEARTBEAT_TIMEOUT_MS },
    helloTimeoutMs: r.HELLO_TIMEOUT_MS,
    limits: {
      maxFrameBytes: r.MAX_FRAME_BYTES,
      maxSubscriptions: r.MAX_SUBSCRIPTIONS,
      maxChannelBytes: r.MAX_CHANNEL_BYTES,
      maxFramesPerSecond: r.MAX_FRAMES_PER_SECOND,
    },
    slowClient: {
      bufferBytes: r.SLOW_CLIENT_BUFFER_BYTES,
      hardBytes: r.SLOW_CLIENT_HARD_BYTES,
      stuckMs: r.SLOW_CLIENT_STUCK_MS,
    },
    acks: { flushIntervalMs: r.ACK_FLUSH_INTERVAL_MS, maxPending: r.ACK_FLUSH_MAX },
    fetchBytes: r.REPLAY_FETCH_BYTES,
    ingestWaitMs: r.REPLAY_INGEST_WAIT_MS,
    auth,
    ...(r.ALLOWED_ORIGINS?.length ? { allowedOrigins: r.ALLOWED_ORIGINS } : {}),
    shutdownTimeoutMs: r.SHUTDOWN_TIMEOUT_MS,
    startupWaitMs: r.EDGE_STARTUP_WAIT_MS,
    goAwayReconnectMs: r.GOAWAY_RECONNECT_MS,
    logLevel: r.LOG_LEVEL,
    allowUwsFallback: r.UWS_ALLOW_FALLBACK,
    metricsEnabled: r.METRICS_ENABLED,
    ...(tls ? { tls } : {}),
    compression: r.WS_COMPRESSION === 'shared',
  };
  return Object.freeze(config);
}
