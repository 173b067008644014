/** What `fanout tail` runs with. */
export interface TailArgs {
  /** The channel to print. */
  channel: string;
  /** Edge URLs, tried round robin. */
  endpoints: string[];
  /** Where the session (id and positions) is kept between runs. */
  sessionFile: string;
  /** The token, if any. */
  token: string | undefined;
  /** Where to start on the first run (later runs resume). */
  from: 'earliest' | 'latest';
}

/** The result of parsing: arguments, a request for help, or every problem found. */
export type TailArgsResult = { ok: true; args: TailArgs } | { ok: false; help: boolean; errors: string[] };

export const TAIL_USAGE = `usage: fanout tail <channel> [--url ws://host:port]... [--session-file path] [--token jwt] [--from earliest|latest]

Prints each record of <channel> (partition, offset, key, payload as text or hex)
and keeps its session in a file: running it again resumes where it stopped.

  --url           edge WebSocket URL; repeat for failover   (env FANOUT_URL, comma-separated; default ws://localhost:8080)
  --session-file  session file    (default ./.fanout-tail-<channel>.json)
  --token         auth token      (env FANOUT_TOKEN)
  --from          start of the first run: latest (default) or earliest`;

const FLAGS = new Set(['url', 'session-file', 'token', 'from']);

/**
 * Parses `tail <channel> [flags]` (argv without the node and script paths).
 * The only reader of the environment for the CLI: FANOUT_URL, FANOUT_TOKEN.
 */
export function parseTailArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): TailArgsResult {
  const errors: string[] = [];
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { ok: false, help: true, errors: [] };
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!FLAGS.has(name)) {
      errors.push(`unknown option --${name}`);
      continue;
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') errors.push(`--${name} needs a value`);
    else values.set(name, [...(values.get(name) ?? []), value]);
  }
  const [command, channel, ...extra] = positional;
  if (command !== 'tail') errors.push(command ? `unknown command ${command}` : 'missing command: tail');
  if (!channel) errors.push('missing <channel>');
  else if (channel.startsWith(':')) errors.push(`invalid channel ${channel}`);
  if (extra.length > 0) errors.push(`unexpected arguments: ${extra.join(' ')}`);
  for (const name of ['session-file', 'token', 'from']) {
    if ((values.get(name)?.length ?? 0) > 1) errors.push(`--${name} given more than once`);
  }
  const endpoints = values.get('url') ??
    (env.FANOUT_URL ? env.FANOUT_URL.split(',').map((u) => u.trim()) : undefined) ?? ['ws://localhost:8080'];
  for (const url of endpoints) if (!/^wss?:\/\/./.test(url)) errors.push(`not a ws:// or wss:// URL: ${url}`);
  const from = values.get('from')?.[0] ?? 'latest';
  if (from !== 'latest' && from !== 'earliest') errors.push(`--from must be earliest or latest, not ${from}`);
  if (errors.length > 0 || !channel) return { ok: false, help: false, errors };
  const sessionFile =
    values.get('session-file')?.[0] ??
    `${cwd.replace(/\/$/, '')}/.fanout-tail-${encodeURIComponent(channel)}.json`;
  const token = values.get('token')?.[0] ?? (env.FANOUT_TOKEN || undefined);
  return { ok: true, args: { channel, endpoints, sessionFile, token, from: from as 'earliest' | 'latest' } };
}
