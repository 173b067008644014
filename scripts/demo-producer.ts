/**
 * The demo producer: a steady stream of price ticks for a few symbols, keyed
 * by symbol, on a 3-partition topic. Used by `npm start`.
 */
import { type KafkaConnection, toKafkajsConfig } from '@fanout/kafka-settings';
import { Kafka, Partitioners, logLevel } from 'kafkajs';

/** Symbols the demo ticks; each is a key, so `demo.ticks:AAPL` is a channel. */
export const DEMO_SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'] as const;

/** Creates the demo topic when it does not exist yet. */
export async function ensureTopic(kafka: KafkaConnection, topic: string, partitions = 3): Promise<void> {
  const admin = new Kafka({ ...toKafkajsConfig(kafka), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({
        // The cluster's default replication factor (1 on the local broker).
        topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }],
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Starts producing ticks (`ratePerSecond` in total) until `stop()`. */
export async function startDemoProducer(
  kafka: KafkaConnection,
  topic: string,
  ratePerSecond = 10,
): Promise<{ stop(): Promise<void>; sent(): number }> {
  const producer = new Kafka({ ...toKafkajsConfig(kafka), logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const prices = new Map<string, number>(DEMO_SYMBOLS.map((s, i) => [s, 100 + i * 50]));
  let sent = 0;
  let busy = false;
  const timer = setInterval(
    () => {
      if (busy) return;
      busy = true;
      const symbol = DEMO_SYMBOLS[sent % DEMO_SYMBOLS.length] as string;
      const last = prices.get(symbol) ?? 100;
      const price = Math.max(1, Math.round(last * (1 + (Math.random() - 0.5) * 0.01) * 100) / 100);
      prices.set(symbol, price);
      producer
        .send({
          topic,
          messages: [
            {
              key: symbol,
              value: JSON.stringify({ symbol, price, at: Date.now() }),
              headers: { source: 'demo' },
            },
          ],
        })
        .then(
          () => {
            sent++;
          },
          () => undefined,
        )
        .finally(() => {
          busy = false;
        });
    },
    Math.max(1, Math.round(1000 / ratePerSecond)),
  );
  return {
    sent: () => sent,
    async stop() {
      clearInterval(timer);
      await producer.disconnect().catch(() => undefined);
    },
  };
}
