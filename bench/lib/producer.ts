import { performance } from 'node:perf_hooks';
import { type KafkaConnection, toKafkajsConfig } from '@fanout/kafka-settings';
import { type Admin, Kafka, Partitioners, type Producer, logLevel } from 'kafkajs';
import { sleep } from './pool.js';

/** The benchmark's kafkajs producer (acks=1, no compression) and admin. */
export class BenchProducer {
  produced = 0;
  #kafka: Kafka;
  #producer: Producer;
  #admin: Admin | undefined;

  readonly brokers: string[];

  constructor(kafka: KafkaConnection) {
    this.brokers = kafka.brokers;
    this.#kafka = new Kafka({
      ...toKafkajsConfig(kafka),
      clientId: 'fanout-bench',
      logLevel: logLevel.NOTHING,
    });
    this.#producer = this.#kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  async send(
    topic: string,
    count: number,
    payload: (i: number) => string,
    key?: (i: number) => string | null,
  ): Promise<void> {
    const messages = Array.from({ length: count }, (_, i) => ({
      key: key ? key(this.produced + i) : null,
      value: payload(this.produced + i),
    }));
    await this.#producer.send({ topic, acks: 1, messages });
    this.produced += count;
  }

  /** Per partition, the log end offset. */
  async logEnds(topic: string): Promise<number[]> {
    this.#admin ??= this.#kafka.admin();
    await this.#admin.connect();
    const offsets = await this.#admin.fetchTopicOffsets(topic);
    const out: number[] = [];
    for (const o of offsets) out[o.partition] = Number(o.high);
    return out;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#producer.disconnect(), this.#admin?.disconnect()]);
  }
}

/** A payload of `bytes` bytes starting with the send time (ms, sub-ms precision, wall clock). */
export function timedPayload(bytes: number): string {
  const t = (performance.timeOrigin + performance.now()).toFixed(3);
  return `${t}|`.padEnd(bytes, 'x');
}

/**
 * Sends `rate` records/s for `durationMs`, in ticks of 10 ms, each record
 * carrying its send time.
 */
export async function steadyRate(
  p: BenchProducer,
  topic: string,
  rate: number,
  durationMs: number,
  payloadBytes: number,
  /** Sends `n` timed records instead of the producer (the raw uWS rows). */
  send?: (n: number) => Promise<void>,
): Promise<number> {
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < durationMs) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    if (due > sent) {
      const n = due - sent;
      if (send) await send(n);
      else await p.send(topic, n, () => timedPayload(payloadBytes));
      sent += n;
    }
    await sleep(5);
  }
  return sent;
}
