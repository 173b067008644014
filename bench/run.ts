/**
 * `npm run bench [-- --quick]`: starts Kafka and Redis (the test harness's),
 * edges, a raw uWebSockets.js baseline and load-client processes, runs the
 * scenarios, prints the table, writes bench/results/<timestamp>.json and
 * .svg, and stops everything (also on Ctrl-C).
 */
import { copyFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { kafkaConnectionFromEnv } from '@fanout/kafka-settings';
import { type KafkaHandle, type RedisHandle, startKafka, startRedis } from '@fanout/testing';
import { runBench, table, writeResults } from './bench.js';
import { killAllChildren } from './lib/children.js';
import { pinTo } from './lib/edge.js';
import { ALL_SCENARIOS, parseArgs } from './lib/options.js';

const log = (msg: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

let opts: ReturnType<typeof parseArgs>;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}

let kafka: KafkaHandle | undefined;
let redis: RedisHandle | undefined;
let interrupted = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log(`${signal}: stopping everything`);
  killAllChildren();
  const hard = setTimeout(() => process.exit(130), 20_000);
  hard.unref();
  Promise.allSettled([kafka?.stop(), redis?.stop()]).then(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const started = Date.now();
try {
  if (opts.pinEdge) {
    // Kafka, Redis, kcat, the load clients and the producer inherit CPU 1; the latency edge moves to CPU 0.
    pinTo(process.pid, '1');
    log('--pin-edge: the benchmark and its children on CPU 1, the latency edge and raw uWS on CPU 0');
  }
  log(`profile ${opts.profile}: starting Kafka and Redis`);
  [kafka, redis] = await Promise.all([startKafka({ log }), startRedis({ log })]);
  const kafkaConnection = kafkaConnectionFromEnv(
    { ...process.env, KAFKA_BROKERS: kafka.brokers.join(',') },
    { clientId: 'fanout-bench' },
  );
  const results = await runBench(opts, { kafka: kafkaConnection, redisUrl: redis.url }, log);
  results.wallTimeS = (Date.now() - started) / 1000;
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  const out = await writeResults(results, dir);
  if (opts.profile === 'full' && opts.scenarios.size === ALL_SCENARIOS.length)
    await copyFile(out.svg, fileURLToPath(new URL('./latest.svg', import.meta.url)));
  process.stdout.write(`\n${table(results)}\n\n`);
  for (const n of results.notes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(
    `\n${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}; wall time ${results.wallTimeS.toFixed(0)} s\n`,
  );
  process.stdout.write(`results: ${out.json}\nchart:   ${out.svg}\n`);
} catch (err) {
  log(`failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
} finally {
  if (!interrupted) {
    killAllChildren();
    await Promise.allSettled([kafka?.stop(), redis?.stop()]);
  }
}
