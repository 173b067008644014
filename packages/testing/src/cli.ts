/**
 * `npm run kafka`: a Kafka broker and a Redis for development, until Ctrl-C.
 * Honours KAFKA_BROKERS / REDIS_URL like the tests do (then starts nothing).
 */
import type { KafkaHandle } from './kafka-handle.js';
import type { RedisHandle } from './redis-handle.js';
import { startKafka } from './start-kafka.js';
import { startRedis } from './start-redis.js';

const say = (message: string): void => {
  process.stdout.write(`${message}\n`);
};

function describe(name: string, address: string, handle: KafkaHandle | RedisHandle): string {
  const where = handle.external
    ? 'given by the environment'
    : handle.pid !== undefined
      ? `pid ${handle.pid}, log ${handle.logFile}`
      : handle.runtime;
  return `${name.padEnd(6)} ${address}  (${where})`;
}

async function main(): Promise<void> {
  let stopping: Promise<void> | undefined;
  let signalledAt = 0;
  const started: Array<KafkaHandle | RedisHandle> = [];
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      for (const handle of started.reverse()) await handle.stop();
    })();
    return stopping;
  };
  const interrupted = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      // Another Ctrl-C while stopping gives up on grace (the exit handlers kill
      // what is left). Not one within a second: tsx and npm relay the
      // terminal's SIGINT again.
      if (stopping && Date.now() - signalledAt > 1_000) process.exit(130);
      if (signalledAt === 0) signalledAt = Date.now();
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  const log = (message: string): void => say(`# ${message}`);
  const [kafka, redis] = await Promise.allSettled([startKafka({ log }), startRedis({ log })]);
  for (const result of [kafka, redis]) if (result.status === 'fulfilled') started.push(result.value);
  if (kafka.status === 'rejected' || redis.status === 'rejected') {
    await stopAll();
    for (const result of [kafka, redis]) {
      if (result.status === 'rejected')
        process.stderr.write(`${String(result.reason?.message ?? result.reason)}\n`);
    }
    process.exitCode = 1;
    return;
  }
  say(describe('kafka', kafka.value.brokers.join(','), kafka.value));
  say(describe('redis', redis.value.url, redis.value));
  say(`KAFKA_BROKERS=${kafka.value.brokers.join(',')} REDIS_URL=${redis.value.url}`);
  say('Ctrl-C stops both.');

  // The servers are unref'd children and signal listeners do not count as
  // work: without a timer Node would exit here (and its exit handlers kill them).
  const keepAlive = setInterval(() => {}, 1 << 30);
  const signal = await interrupted;
  clearInterval(keepAlive);
  say(`# ${signal}: stopping`);
  await stopAll();
  say('# stopped');
  process.exit(0);
}

await main();
