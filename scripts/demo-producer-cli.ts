/**
 * The demo producer as a process (docker-compose.yml's `producer` service):
 * creates the demo topic when missing, then writes price ticks until SIGTERM.
 *
 *   KAFKA_BROKERS=kafka:19092 DEMO_TOPIC=demo.ticks DEMO_RATE=10 tsx scripts/demo-producer-cli.ts
 */
import { ensureTopic, startDemoProducer } from './demo-producer.js';

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092')
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b.length > 0);
const topic = process.env.DEMO_TOPIC ?? 'demo.ticks';
const rate = Number(process.env.DEMO_RATE ?? '10');
const partitions = Number(process.env.DEMO_PARTITIONS ?? '3');
if (!Number.isFinite(rate) || rate <= 0) throw new Error(`DEMO_RATE must be a positive number, not ${rate}`);

const log = (msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ time: Date.now(), component: 'demo-producer', msg, ...extra })}\n`,
  );

await ensureTopic(brokers, topic, partitions);
const producer = await startDemoProducer(brokers, topic, rate);
log('producing', { topic, rate, brokers });
const report = setInterval(() => log('sent', { records: producer.sent() }), 10_000);
const stop = (signal: string) => {
  clearInterval(report);
  log('stopping', { signal, records: producer.sent() });
  void producer.stop().then(() => process.exit(0));
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
