/**
 * The demo producer as a process (docker-compose.yml's `producer` service):
 * creates the demo topic when missing, then writes price ticks until SIGTERM.
 *
 *   KAFKA_BROKERS=kafka:19092 DEMO_TOPIC=demo.ticks DEMO_RATE=10 tsx scripts/demo-producer-cli.ts
 *
 * Kafka TLS and SASL come from the same variables as the edge's
 * (KAFKA_SECURITY_PROTOCOL, KAFKA_TLS_*, KAFKA_SASL_*).
 */
import { KafkaSettingsError, kafkaConnectionFromEnv } from '@fanout/kafka-settings';
import { ensureTopic, startDemoProducer } from './demo-producer.js';

let kafka: ReturnType<typeof kafkaConnectionFromEnv>;
try {
  kafka = kafkaConnectionFromEnv(process.env, { clientId: 'fanout-demo', brokers: ['localhost:9092'] });
} catch (err) {
  if (!(err instanceof KafkaSettingsError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
const brokers = kafka.brokers;
const topic = process.env.DEMO_TOPIC ?? 'demo.ticks';
const rate = Number(process.env.DEMO_RATE ?? '10');
const partitions = Number(process.env.DEMO_PARTITIONS ?? '3');
if (!Number.isFinite(rate) || rate <= 0) throw new Error(`DEMO_RATE must be a positive number, not ${rate}`);

const log = (msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    `${JSON.stringify({ time: Date.now(), component: 'demo-producer', msg, ...extra })}\n`,
  );

try {
  await ensureTopic(kafka, topic, partitions);
} catch (err) {
  // A wrong password or certificate must say so, not retry forever.
  process.stderr.write(`cannot reach Kafka at ${brokers.join(',')}: ${(err as Error).message}\n`);
  process.exit(1);
}
const producer = await startDemoProducer(kafka, topic, rate);
log('producing', { topic, rate, brokers, security: kafka.protocol });
const report = setInterval(() => log('sent', { records: producer.sent() }), 10_000);
const stop = (signal: string) => {
  clearInterval(report);
  log('stopping', { signal, records: producer.sent() });
  void producer.stop().then(() => process.exit(0));
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
