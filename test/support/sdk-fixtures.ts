import { createTopic, uniqueId } from '@fanout/testing';
import { Kafka, Partitioners, type Producer, logLevel } from 'kafkajs';
import { inject, onTestFinished } from 'vitest';

/** The demo's symbols: the keys of every record the SDK tests produce. */
export const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'] as const;

/** One record a test produced: a demo tick whose payload carries `seq`. */
export interface Tick {
  seq: number;
  symbol: string;
}

/** The environment of an edge serving `topic` against the run's Kafka and Redis. */
export { edgeEnv as sdkEdgeEnv } from './fixtures.js';

/**
 * A fresh topic and a producer of demo ticks (JSON `{symbol, price, at, seq}`,
 * keyed by symbol, round robin), both cleaned up when the test finishes.
 */
export class TickProducer {
  readonly produced: Tick[] = [];
  private producer: Producer | undefined;
  private readonly kafka: Kafka;
  private readonly prices = new Map<string, number>(SYMBOLS.map((s, i) => [s, 100 + 50 * i]));

  private constructor(readonly topic: string) {
    this.kafka = new Kafka({
      clientId: uniqueId('sdk-test'),
      brokers: inject('kafkaBrokers'),
      logLevel: logLevel.NOTHING,
    });
  }

  /** Creates a topic with `partitions` partitions (deleted at the end) and its producer. */
  static async create(partitions = 3): Promise<TickProducer> {
    const topic = await createTopic(inject('kafkaBrokers'), { partitions });
    const p = new TickProducer(topic);
    onTestFinished(() => p.close());
    return p;
  }

  /** Produces `count` ticks in one batch (acks=all); returns them. */
  async produce(count: number): Promise<Tick[]> {
    if (!this.producer) {
      const producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      this.producer = producer;
    }
    const ticks: Tick[] = [];
    for (let i = 0; i < count; i++) {
      const seq = this.produced.length + i;
      ticks.push({ seq, symbol: SYMBOLS[seq % SYMBOLS.length] as string });
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: ticks.map((t) => {
        const last = this.prices.get(t.symbol) ?? 100;
        const price = Math.round(last * (1 + (((t.seq * 7919) % 101) - 50) / 5000) * 100) / 100;
        this.prices.set(t.symbol, price);
        return {
          key: t.symbol,
          value: JSON.stringify({ symbol: t.symbol, price, at: Date.now(), seq: t.seq }),
        };
      }),
    });
    this.produced.push(...ticks);
    return ticks;
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteTopics({ topics: [this.topic] });
    } catch {
      // best effort
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** The `seq` of a tick payload, or NaN. */
export function seqOf(payload: string): number {
  try {
    const v = (JSON.parse(payload) as { seq?: unknown }).seq;
    return typeof v === 'number' ? v : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** How the received sequence numbers compare with the produced ones. */
export interface Tally {
  produced: number;
  delivered: number;
  duplicated: number[];
  missing: number[];
  unexpected: number[];
}

/** Compares received sequence numbers with `expected` (each must arrive exactly once). */
export function tally(received: readonly number[], expected: readonly number[]): Tally {
  const counts = new Map<number, number>();
  for (const s of received) counts.set(s, (counts.get(s) ?? 0) + 1);
  const want = new Set(expected);
  return {
    produced: expected.length,
    delivered: received.length,
    duplicated: [...counts].filter(([, n]) => n > 1).map(([s]) => s),
    missing: expected.filter((s) => !counts.has(s)),
    unexpected: [...counts.keys()].filter((s) => !want.has(s)),
  };
}

/** True when every expected record arrived exactly once and nothing else did. */
export function exact(t: Tally): boolean {
  return t.duplicated.length === 0 && t.missing.length === 0 && t.unexpected.length === 0;
}

/** A one-line summary for failure messages and the run's log. */
export function describeTally(t: Tally): string {
  const list = (xs: number[]) => (xs.length > 10 ? `${xs.slice(0, 10).join(',')}…` : xs.join(','));
  return `produced ${t.produced}, delivered ${t.delivered}, duplicated ${t.duplicated.length} [${list(t.duplicated)}], missing ${t.missing.length} [${list(t.missing)}], unexpected ${t.unexpected.length}`;
}
