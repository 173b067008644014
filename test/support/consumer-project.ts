// A fresh consumer project outside the workspace, made from the packed
// tarballs of @fanout/client and @fanout/react (dependencies from the npm
// registry or its cache): a Vite React app, Node ESM and CommonJS scripts,
// and a strict TypeScript consumer. Used by test/consumer-packages.test.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './edge-process.js';

const run = promisify(execFile);

/** The environment of a child npm/node: none of the parent npm's `npm_*` settings leak in. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

/** One packed tarball, as `npm pack --json` lists it. */
export interface Packed {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

/** `npm pack` of a workspace package into `dest` (its prepack builds dist/). */
export async function pack(workspace: string, dest: string): Promise<Packed> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dest], {
    cwd: join(repoRoot, workspace),
    env: cleanEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as Packed[];
  if (!packed) throw new Error(`npm pack ${workspace} listed nothing`);
  return packed;
}

/** Versions the repository's lockfile already holds, so installs come from the cache. */
const versions = (): Record<string, string> => {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const pick = (name: string) => {
    const version = lock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`${name} is not in package-lock.json`);
    return version;
  };
  return Object.fromEntries(
    ['react', 'react-dom', 'ws', 'vite', 'typescript', '@types/react', '@types/react-dom'].map((n) => [
      n,
      pick(n),
    ]),
  );
};

/** Writes the consumer project into `dir` and runs `npm install` there. */
export async function installConsumer(dir: string, tarballs: Record<string, string>): Promise<void> {
  for (const sub of ['src', 'types']) mkdirSync(join(dir, sub), { recursive: true });
  const pkg = {
    name: 'fanout-consumer',
    private: true,
    type: 'module',
    dependencies: {
      ...Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])),
      ...versions(),
    },
  };
  for (const [file, text] of Object.entries({ 'package.json': JSON.stringify(pkg, null, 2), ...FILES }))
    writeFileSync(join(dir, file), text);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], {
    cwd: dir,
    env: cleanEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** Runs a program of the consumer project's node_modules/.bin, or node, in `dir`. */
export async function inConsumer(
  dir: string,
  command: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<{ stdout: string; stderr: string }> {
  const bin = command === 'node' ? process.execPath : join(dir, 'node_modules/.bin', command);
  return run(bin, args, { cwd: dir, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

/** A record a consumer got: its tick's `seq` and its position (`partition:offset`). */
export interface Got {
  seq: number;
  at: string;
}

/**
 * Checks that `got` holds each Kafka record once (positions unique) and
 * covers `expected` seqs exactly (a producer retry may have stored a tick
 * twice, at two offsets: both are records, both are expected once).
 */
export function exactlyOnce(got: readonly Got[]): { duplicates: string[]; seqs: number[] } {
  const at = new Set<string>();
  const duplicates = got.filter((g) => at.size === at.add(g.at).size).map((g) => g.at);
  return { duplicates, seqs: [...new Set(got.map((g) => g.seq))].sort((a, b) => a - b) };
}

/** Serves `root` (the Vite build) on a free loopback port. */
export async function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(root, path === '/' ? 'index.html' : path);
    try {
      if (!file.startsWith(root)) throw new Error('outside');
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

// --- the consumer project's files

const FILES: Record<string, string> = {
  'index.html': `<!doctype html>
<html><head><meta charset="utf-8"><title>fanout consumer</title></head>
<body><div id="root"></div><script type="module" src="/src/main.jsx"></script></body></html>
`,
  // A React app as a user writes one: the client created once at module
  // scope (autoConnect: false, connected by the provider), StrictMode, two
  // components on the same channel (shared handles).
  'src/main.jsx': `import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient, json } from '@fanout/client';
import { FanoutProvider, useChannel } from '@fanout/react';

const params = new URLSearchParams(location.search);
const channel = params.get('channel');
const client = createClient({ endpoints: params.get('edge'), autoConnect: false });
const seen = { ticker: [], count: [], states: [] };
window.fanoutConsumer = seen;
client.on('state', (c) => seen.states.push(c.to + ':' + c.reason.type));

const view = (records) => records.map((r) => ({ seq: r.value.seq, at: r.partition + ':' + r.offset }));

function Ticker() {
  const { records, last, state } = useChannel(channel, { from: 'earliest', decode: json, maxRecords: 1000 });
  seen.ticker = view(records);
  seen.state = state;
  return <p id="ticker">{state} {records.length} {last ? last.value.symbol : '-'}</p>;
}

function Count() {
  const { records } = useChannel(channel, { from: 'earliest', decode: json, maxRecords: 1000 });
  seen.count = view(records);
  return <p id="count">{records.length}</p>;
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <FanoutProvider client={client}>
      <Ticker />
      <Count />
    </FanoutProvider>
  </StrictMode>,
);
`,
  // Node ESM: no WebSocket option (Node 20 has none): the Node entry loads ws.
  'consumer.mjs': `import { createClient, json } from '@fanout/client';
const [url, channel, count] = process.argv.slice(2);
const client = createClient({ endpoints: url, storage: null });
// Until every seq is seen: a producer retry may have written a record twice (two offsets).
const records = [];
const seqs = new Set();
for await (const record of client.records(channel, { from: 'earliest', decode: json })) {
  records.push({ seq: record.value.seq, at: record.partition + ':' + record.offset });
  seqs.add(record.value.seq);
  if (seqs.size === Number(count)) break;
}
await client.close();
console.log(JSON.stringify({ records, entry: import.meta.resolve('@fanout/client'), globalWebSocket: typeof WebSocket }));
`,
  'consumer.cjs': `const { createClient, text } = require('@fanout/client');
const [url, channel, count] = process.argv.slice(2);
const client = createClient({ endpoints: url, storage: null });
const records = [];
const seqs = new Set();
let live = false;
const sub = client.subscribe(channel, { from: 'earliest', decode: text }, async (record) => {
  const seq = JSON.parse(record.value).seq;
  records.push({ seq, at: record.partition + ':' + record.offset });
  seqs.add(seq);
  await finish();
});
// Done once every record was handled and the subscription is live, in either
// order: from 'earliest', all records may be replayed before Subscribed.
let finished = false;
async function finish() {
  if (finished || !live || seqs.size < Number(count)) return;
  finished = true;
  await client.close();
  console.log(JSON.stringify({ records, live, entry: require.resolve('@fanout/client') }));
}
sub.ready({ timeoutMs: 30000 }).then(
  () => { live = true; return finish(); },
  (error) => { console.error(error); process.exit(1); },
);
`,
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2022', 'DOM'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        jsx: 'react-jsx',
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        noEmit: true,
        types: [],
      },
      include: ['types/*.ts', 'types/*.tsx', 'types/*.cts'],
    },
    null,
    2,
  ),
  'types/consumer.ts': `import { type ClientStateReason, type FanoutRecord, FanoutClientError, createClient, json, text } from '@fanout/client';
import { fileStorage } from '@fanout/client/node';

interface Tick { seq: number; symbol: string; price: number }

const client = createClient({ endpoints: ['ws://localhost:8080'], autoConnect: false, storage: fileStorage('./session.json') });
client.on('state', (change) => {
  const reason: ClientStateReason = change.reason;
  switch (reason.type) {
    case 'closed': { const code: number = reason.code; void code; break; }
    case 'go-away': { const message: string = reason.message; void message; break; }
    default: break;
  }
  if (change.error instanceof FanoutClientError) { const retriable: boolean = change.error.retriable; void retriable; }
});
const sub = client.subscribe('prices:AAPL', { decode: json<Tick>, from: { timestamp: new Date() } }, (record) => {
  const seq: number = record.value.seq;
  // @ts-expect-error value is a Tick, not a string
  const wrong: string = record.value;
  void seq; void wrong;
});
const lines = client.subscribe('logs', { decode: text }, (record: FanoutRecord<string>) => void record.value.toUpperCase());
await sub.ready({ timeoutMs: 1000, signal: AbortSignal.timeout(2000) });
for await (const record of client.records('prices', { decode: json<Tick>, signal: AbortSignal.timeout(10) })) {
  const tick: Tick = record.value;
  const bytes: Uint8Array = record.payload;
  void tick; void bytes;
}
// @ts-expect-error not a start
client.subscribe('prices', { from: 'yesterday' }, () => {});
lines.unsubscribe();
client.connect();
await client.close();
`,
  'types/require.cts': `import { createClient } from '@fanout/client';
const client = createClient({ endpoints: 'ws://localhost:8080', autoConnect: false });
export const state: 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' = client.state;
`,
  'types/react.tsx': `import { createClient, json } from '@fanout/client';
import { FanoutProvider, useChannel } from '@fanout/react';

interface Tick { seq: number; price: number }
const client = createClient({ endpoints: 'ws://localhost:8080', autoConnect: false });

function Price() {
  const { last, records, state, error } = useChannel('prices:AAPL', { decode: json<Tick>, maxRecords: 10 });
  const price: number | undefined = last?.value.price;
  const seqs: number[] = records.map((r) => r.value.seq);
  return <span title={error?.message}>{state} {price} {seqs.length}</span>;
}

export const app = <FanoutProvider client={client}><Price /></FanoutProvider>;
`,
};
