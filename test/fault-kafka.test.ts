import { type KafkaHandle, type RedisHandle, startKafka, startRedis, waitFor } from '@fanout/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEdgeProcess, tail } from './support/edge-process.js';
import {
  type FaultClient,
  faultClient,
  faultReport,
  mixedChannels,
  printReport,
  waitDelivered,
  waitSubscribed,
} from './support/fault-clients.js';
import { ReadyzProbe, faultEdgeEnv, readyz } from './support/fault-infra.js';
import { TestKafka } from './support/kafka.js';

const CLIENTS = 40;
const KEYS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'TSLA', 'NVDA'];

// A broker of this file's own: restarting the run's shared one would break other files.
// With KAFKA_BROKERS given, `npm test` must start no JVM, and a broker we do not
// own cannot be restarted: this file runs only where the harness owns the brokers.
let kafka: KafkaHandle;
let redis: RedisHandle;

describe.runIf(!inject('kafkaExternal'))('fault: Kafka broker restart', () => {
  beforeAll(async () => {
    [kafka, redis] = await Promise.all([startKafka({ ignoreEnv: true }), startRedis({ ignoreEnv: true })]);
  });
  afterAll(async () => {
    await Promise.allSettled([kafka?.stop(), redis?.stop()]);
  });

  it('edges stay up (not ready while Kafka is away), clients keep their connections, every record before and after arrives exactly once', async () => {
    const tk = TestKafka.create(kafka.brokers);
    const topic = await tk.topic(3);
    const env = faultEdgeEnv(topic, { brokers: kafka.brokers, redisUrl: redis.url });
    const edges = await Promise.all([startEdgeProcess(env), startEdgeProcess(env)]);
    const [a, b] = edges as [(typeof edges)[0], (typeof edges)[0]];
    const clients: FaultClient[] = mixedChannels(topic, KEYS, CLIENTS).map((channel, i) =>
      faultClient(`client-${i}`, channel, {
        endpoints: i % 2 === 0 ? [a.url, b.url] : [b.url, a.url],
        backoff: { minMs: 50, maxMs: 500 },
      }),
    );
    await waitSubscribed(clients);
    await tk.produce(topic, 300, KEYS, { batch: 50 });
    await waitDelivered(clients, tk.produced);

    const probes = edges.map((e) => new ReadyzProbe(e.port));
    const restartedAt = Date.now();
    await kafka.restart();
    const brokerBackMs = Date.now() - restartedAt;
    const readyAgain = await Promise.all(
      edges.map((e) =>
        waitFor(async () => (await readyz(e.port)).status === 200 && Date.now(), {
          timeoutMs: 60_000,
          intervalMs: 100,
          description: `edge ${e.port} ready again`,
        }),
      ),
    );
    const recoveredMs = Math.max(...readyAgain) - restartedAt;
    await Promise.all(probes.map((p) => p.stop()));

    await tk.produce(topic, 300, KEYS, { batch: 50 });
    await waitDelivered(clients, tk.produced);
    const r = faultReport('kafka-restart', clients, tk.produced);
    const readiness = probes.map((p) => `edge ${p.port}: ${p.statuses.join('→')}`).join(', ');
    printReport(
      r,
      `broker stopped and back in ${brokerBackMs} ms, edges ready again after ${recoveredMs} ms; readyz ${readiness}`,
    );

    for (const e of edges) {
      expect(await Promise.race([e.exited, Promise.resolve('running')]), tail(e.logs())).toBe('running');
    }
    for (const p of probes) {
      // Not ready while the broker was away, and only because of Kafka.
      const down = p.samples.filter((s) => s.status === 503);
      expect(down.length, `edge ${p.port} readyz: ${p.statuses.join(',')}`).toBeGreaterThan(0);
      expect(down.every((s) => s.body?.kafka === false && s.body.store === true)).toBe(true);
      // The edge itself never stopped answering.
      expect(p.samples.filter((s) => typeof s.status === 'string')).toEqual([]);
    }
    expect(r.examples).toEqual([]);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.unexpected).toBe(0);
    expect(r.continuityLost).toBe(0);
    // Clients kept their connections: one Welcome each, never reconnecting.
    expect(r.reconnects).toBe(0);
    expect(
      clients.flatMap((c) =>
        c.states.filter((s) => s.to !== 'connected').map((s) => `${c.name}: ${s.to} ${s.message}`),
      ),
    ).toEqual([]);
  });
});
