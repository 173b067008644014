/**
 * The demo producer: a steady stream of price ticks for a few symbols, keyed
 * by symbol, on a 3-partition topic. Used by `npm start`.
 */
import { Kafka, Partitioners, logLevel } from 'kafkajs';

/** Symbols the demo ticks; each is a key, so `demo.ticks:AAPL` is a channel. */
export const DEMO_SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'] as const;

/** Creates the demo topic when it does not exist yet. */
export async function ensureTopic(brokers: string[], topic: string, partitions = 3): Promise<void> {
  const admin = new Kafka({ brokers, clientId: 'fanout-demo', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({
        topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
        waitForLeaders: true,
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Starts producing ticks (`ratePerSecond` in total) until `stop()`. */
export async function startDemoProducer(
  brokers: string[],
  topic: string,
  ratePerSecond = 10,
): Promise<{ stop(): Promise<void>; sent(): number }> {
  const producer = new Kafka({ brokers, clientId: 'fanout-demo', logLevel: logLevel.NOTHING }).producer({
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
