import { createTopic, uniqueId } from '@fanout/testing';
import { type Admin, Kafka, Partitioners, type Producer, logLevel } from 'kafkajs';
import { onTestFinished } from 'vitest';

/** One record a test produced: `payload` is its sequence number as text. */
export interface Produced {
  seq: number;
  key: string | null;
}

/** A kafkajs producer (default partitioner, acks=all) and admin for one test, cleaned up when it ends. */
export class TestKafka {
  readonly produced: Produced[] = [];
  #producer: Producer | undefined;
  #admin: Admin | undefined;
  readonly #kafka: Kafka;

  private constructor(readonly brokers: string[]) {
    this.#kafka = new Kafka({ clientId: uniqueId('edge-test'), brokers, logLevel: logLevel.NOTHING });
  }

  /** Creates the helper; its clients disconnect when the test finishes. */
  static create(brokers: string[]): TestKafka {
    const k = new TestKafka(brokers);
    onTestFinished(() => k.close());
    return k;
  }

  /** A new topic with `partitions` partitions, deleted when the test finishes. */
  async topic(partitions = 3, config?: Record<string, string>): Promise<string> {
    const topic = await createTopic(this.brokers, { partitions, ...(config ? { config } : {}) });
    onTestFinished(async () => {
      const admin = await this.admin();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    });
    return topic;
  }

  async producer(): Promise<Producer> {
    if (!this.#producer) {
      const p = this.#kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await p.connect();
      this.#producer = p;
    }
    return this.#producer;
  }

  async admin(): Promise<Admin> {
    if (!this.#admin) {
      const a = this.#kafka.admin();
      await a.connect();
      this.#admin = a;
    }
    return this.#admin;
  }

  /**
   * Produces `count` records with keys picked round-robin from `keys` (null
   * entries: no key), payload = sequence number, in batches. Returns them.
   */
  async produce(
    topic: string,
    count: number,
    keys: ReadonlyArray<string | null>,
    opts: { batch?: number; payloadBytes?: number } = {},
  ): Promise<Produced[]> {
    const producer = await this.producer();
    const batch = opts.batch ?? 500;
    const out: Produced[] = [];
    const pad = opts.payloadBytes ? 'x'.repeat(opts.payloadBytes) : '';
    for (let i = 0; i < count; i += batch) {
      const records: Produced[] = [];
      for (let j = i; j < Math.min(count, i + batch); j++) {
        const seq = this.produced.length + records.length;
        records.push({ seq, key: keys[seq % keys.length] ?? null });
      }
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: pad ? `${r.seq} ${pad}` : String(r.seq) })),
      });
      this.produced.push(...records);
      out.push(...records);
    }
    return out;
  }

  /** Deletes the records of a partition before `offset` (kafkajs deleteTopicRecords). */
  async deleteRecordsBefore(topic: string, partition: number, offset: number): Promise<void> {
    const admin = await this.admin();
    // kafkajs's admin deletes records only of topics whose metadata it has loaded.
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(offset) }] });
  }

  /** Per partition, [logStart, logEnd). */
  async bounds(topic: string): Promise<Map<number, { low: number; high: number }>> {
    const admin = await this.admin();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#producer?.disconnect(), this.#admin?.disconnect()]);
    this.#producer = undefined;
    this.#admin = undefined;
  }
}

/**
 * A producer writing `perTick` records every `intervalMs` until `stop()`:
 * a steady live stream. `stop()` resolves once the last batch is written.
 */
export function steadyStream(
  kafka: TestKafka,
  topic: string,
  keys: ReadonlyArray<string | null>,
  perTick: number,
  intervalMs: number,
): { stop(): Promise<void>; readonly count: number } {
  let stopped = false;
  let count = 0;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await kafka.produce(topic, perTick, keys);
      count += perTick;
      const left = intervalMs - (Date.now() - started);
      if (left > 0 && !stopped) await new Promise((r) => setTimeout(r, left));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
    get count() {
      return count;
    },
  };
}
