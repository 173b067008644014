/**
 * `npm start`: the local fanout stack, until Ctrl-C.
 *
 * A Kafka broker and a Redis (or the ones KAFKA_BROKERS / REDIS_URL name),
 * the demo topic, one edge, and a demo producer writing a steady stream of
 * ticks. Services start in list order, each seeing the environment the
 * earlier ones exported, and stop in reverse order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaConnectionFromEnv } from '@fanout/kafka-settings';
import { startKafka, startRedis } from '@fanout/testing';
import { startDemoServer } from '../packages/demo/src/serve.js';
import { ensureTopic, startDemoProducer } from './demo-producer.js';

const DEMO_TOPIC = process.env.DEMO_TOPIC ?? 'demo.ticks';

/** A started service. */
interface Running {
  /** Where clients reach it. */
  address: string;
  /** pid, log file or origin, for the operator. */
  details: string;
  /** Variables later services (and the operator's shell) use to reach it. */
  exports: Record<string, string>;
  stop(): Promise<void>;
}

/** One entry of the stack. */
interface Service {
  name: string;
  start(env: NodeJS.ProcessEnv, log: (message: string) => void): Promise<Running>;
}

const stack: Service[] = [
  {
    name: 'kafka',
    async start(env, log) {
      const kafka = await startKafka({ env, log });
      const address = kafka.brokers.join(',');
      return {
        address,
        details: origin(kafka),
        exports: { KAFKA_BROKERS: address },
        stop: () => kafka.stop(),
      };
    },
  },
  {
    name: 'redis',
    async start(env, log) {
      const redis = await startRedis({ env, log });
      return {
        address: redis.url,
        details: origin(redis),
        exports: { REDIS_URL: redis.url },
        stop: () => redis.stop(),
      };
    },
  },
  {
    name: 'topic',
    async start(env) {
      await ensureTopic(kafkaConnectionFromEnv(env, { clientId: 'fanout-demo' }), DEMO_TOPIC, 3);
      return {
        address: DEMO_TOPIC,
        details: '3 partitions',
        exports: { EDGE_TOPICS: DEMO_TOPIC },
        stop: async () => {},
      };
    },
  },
  {
    name: 'edge',
    async start(env) {
      const logFile = join(mkdtempSync(join(tmpdir(), 'fanout-edge-')), 'edge.log');
      const child = spawn(process.execPath, ['--import', 'tsx', 'services/edge/src/main.ts'], {
        env: {
          AUTH_MODE: 'insecure',
          EDGE_HOST: '127.0.0.1',
          EDGE_PORT: '8080',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const port = await edgePort(child, logFile);
      const url = `ws://127.0.0.1:${port}`;
      return {
        address: url,
        details: `pid ${child.pid}, log ${logFile}; http://127.0.0.1:${port}/readyz`,
        exports: { FANOUT_URL: url },
        stop: () => stopChild(child),
      };
    },
  },
  {
    name: 'demo',
    async start(env) {
      const producer = await startDemoProducer(
        kafkaConnectionFromEnv(env, { clientId: 'fanout-demo' }),
        DEMO_TOPIC,
        10,
      );
      return {
        address: `${DEMO_TOPIC} (10 ticks/s, keys AAPL MSFT GOOG AMZN TSLA NVDA)`,
        details: 'demo producer',
        exports: {},
        stop: () => producer.stop(),
      };
    },
  },
  {
    name: 'page',
    async start(env, log) {
      const server = await startDemoServer({ port: 8081 });
      const edge = env.FANOUT_URL ?? 'ws://127.0.0.1:8080';
      log(`open ${server.url}?url=${edge}`);
      return {
        address: `${server.url}?url=${edge}`,
        details: 'demo page',
        exports: {},
        stop: () => server.close(),
      };
    },
  },
];

/** Waits for the edge's "listening" log line; its logs go to `logFile`. */
function edgePort(child: ChildProcess, logFile: string): Promise<number> {
  const out = createWriteStream(logFile);
  child.stderr?.pipe(out);
  return new Promise((resolve, reject) => {
    let buffered = '';
    let done = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      out.write(chunk);
      if (done) return;
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        if (!line.includes('"edge listening"')) continue;
        done = true;
        resolve((JSON.parse(line) as { port: number }).port);
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`edge exited with code ${code} before listening; see ${logFile}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function origin(handle: {
  external: boolean;
  pid: number | undefined;
  logFile: string | undefined;
  runtime: string;
}) {
  if (handle.external) return 'given by the environment';
  return handle.pid !== undefined ? `pid ${handle.pid}, log ${handle.logFile}` : handle.runtime;
}

const say = (message: string): void => {
  process.stdout.write(`${message}\n`);
};

async function main(): Promise<number> {
  let signalled: NodeJS.Signals | undefined;
  let signalledAt = 0;
  let stopping = false;
  let wake: () => void = () => {};
  const onSignal = (signal: NodeJS.Signals): void => {
    // Another Ctrl-C while stopping gives up on grace (exit handlers kill what
    // is left). Not one within a second: tsx relays the terminal's own SIGINT
    // again when its child is slow to confirm it, and npm relays it too.
    if (stopping && Date.now() - signalledAt > 1_000) process.exit(130);
    if (signalled) return;
    signalled = signal;
    signalledAt = Date.now();
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const running: Array<{ name: string } & Running> = [];
  const env: NodeJS.ProcessEnv = { ...process.env };
  let failed = false;
  for (const service of stack) {
    if (signalled) break;
    try {
      const started = await service.start(env, (message) => say(`# ${service.name}: ${message}`));
      running.push({ name: service.name, ...started });
      Object.assign(env, started.exports);
    } catch (err) {
      process.stderr.write(
        `${service.name} did not start: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      failed = true;
      break;
    }
  }

  if (!failed && !signalled) {
    for (const { name, address, details } of running) say(`${name.padEnd(6)} ${address}  (${details})`);
    say(running.flatMap((r) => Object.entries(r.exports).map(([k, v]) => `${k}=${v}`)).join(' '));
    say('Ctrl-C stops everything.');
    // Servers are unref'd children and signal listeners are not work: keep the loop alive.
    const keepAlive = setInterval(() => {}, 1 << 30);
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    clearInterval(keepAlive);
  }

  stopping = true;
  if (signalled) say(`# ${signalled}: stopping`);
  for (const service of running.reverse()) {
    try {
      await service.stop();
    } catch (err) {
      process.stderr.write(`${service.name} did not stop cleanly: ${String(err)}\n`);
      failed = true;
    }
  }
  say('# stopped');
  return failed ? 1 : 0;
}

process.exit(await main());
