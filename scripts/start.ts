/**
 * `npm start`: the local fanout stack, until Ctrl-C.
 *
 * Today: a Kafka broker and a Redis (or the ones KAFKA_BROKERS / REDIS_URL
 * name). Services start in list order, each seeing the environment the
 * earlier ones exported, and stop in reverse order; the edge and the demo
 * join the list later.
 */
import { startKafka, startRedis } from '@fanout/testing';

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
];

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
