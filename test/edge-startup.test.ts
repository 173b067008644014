import { type Socket, createServer, connect as netConnect } from 'node:net';
import { ErrorCode, Start } from '@fanout/protocol';
import { createTopic, freePort, uniqueId, waitFor } from '@fanout/testing';
import { afterAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { readyz } from './support/fault-infra.js';
import { closeRedis, connect, edgeEnv } from './support/fixtures.js';
import { TestKafka } from './support/kafka.js';
import { isError } from './support/raw-client.js';
import { sdkClient } from './support/sdk-client.js';

afterAll(closeRedis);

/** Forwards a loopback port to a broker, from when it is started: "Kafka comes up" at that address. */
function forwarder(port: number, target: string) {
  const [host, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = netConnect(Number(targetPort), host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  onTestFinished(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
}

describe('resilient startup', () => {
  it('an edge started before Kafka and before its topic exists stays up, not ready with the reason, and serves once both exist', async () => {
    const brokers = inject('kafkaBrokers');
    const bootstrap = await freePort();
    const topic = uniqueId('t');
    const edge = await startEdgeProcess(
      edgeEnv(topic, {
        KAFKA_BROKERS: `127.0.0.1:${bootstrap}`,
        EDGE_STARTUP_WAIT_MS: '500',
        EDGE_TOPIC_REFRESH_MS: '1000',
      }),
    );
    const notReady = await readyz(edge.port);
    expect(notReady.status).toBe(503);
    expect(JSON.stringify(notReady.body)).toMatch(/Kafka unreachable/);

    // Clients may connect meanwhile: a subscribe is told to retry.
    const early = await connect(edge.url, { name: 'early' });
    await early.hello();
    const refused = await early.subscribe(topic, Start.LATEST);
    expect(isError(refused) && refused.code).toBe(ErrorCode.UNKNOWN_TOPIC);
    expect(isError(refused) && refused.retriable).toBe(true);

    await forwarder(bootstrap, brokers[0] as string);
    await waitFor(
      async () => JSON.stringify((await readyz(edge.port)).body).includes('topics not in Kafka yet'),
      {
        timeoutMs: 30_000,
        description: 'the edge to reach Kafka and report the missing topic',
      },
    );
    expect((await readyz(edge.port)).status).toBe(503);

    const created = Date.now();
    await createTopic(brokers, { name: topic, partitions: 2 });
    onTestFinished(async () => {
      const admin = await TestKafka.create(brokers).admin();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    });
    await waitFor(async () => (await readyz(edge.port)).status === 200, {
      timeoutMs: 30_000,
      description: 'the edge to serve the topic',
    });
    const readyAfter = Date.now() - created;
    const client = await connect(edge.url, { name: 'client' });
    await client.hello();
    expect(isError(await client.subscribe(topic, Start.LATEST))).toBe(false);
    const kafka = TestKafka.create(brokers);
    await kafka.produce(topic, 20, ['a', 'b', null]);
    await client.waitFor(() => client.subs.get(topic)?.received.length === 20, 'records');
    const exitedEarly = await Promise.race([edge.exited.then(() => true), Promise.resolve(false)]);
    expect(exitedEarly).toBe(false);
    console.log(
      `startup: not ready while Kafka and the topic were missing; ready ${readyAfter} ms after the topic was created`,
    );
  });

  it('EDGE_TOPIC_PATTERN: a topic created later is served within the refresh interval; the SDK, told UNKNOWN_TOPIC (retriable) meanwhile, retries and gets its records', async () => {
    const brokers = inject('kafkaBrokers');
    const kafka = TestKafka.create(brokers);
    const prefix = uniqueId('pat');
    await createTopic(brokers, { name: `${prefix}-a`, partitions: 1 });
    const later = `${prefix}-b`;
    onTestFinished(async () => {
      const admin = await kafka.admin();
      await admin.deleteTopics({ topics: [`${prefix}-a`, later] }).catch(() => undefined);
    });
    const edge = await startEdgeProcess(
      edgeEnv(`${prefix}-a`, {
        EDGE_TOPICS: '',
        EDGE_TOPIC_PATTERN: `${prefix}-.*`,
        EDGE_TOPIC_REFRESH_MS: '1000',
      }),
    );
    const sdk = sdkClient(later, { endpoints: [edge.url], backoff: { minMs: 100, maxMs: 500 } });
    const raw = await connect(edge.url, { name: 'raw' });
    await raw.hello();
    const refused = await raw.subscribe(later, Start.LATEST);
    expect(isError(refused) && [refused.code, refused.retriable]).toEqual([ErrorCode.UNKNOWN_TOPIC, true]);
    await createTopic(brokers, { name: later, partitions: 2 });
    const created = Date.now();
    await waitFor(() => sdk.subscription.state === 'subscribed', {
      timeoutMs: 30_000,
      description: `the SDK to subscribe once ${later} exists`,
    });
    const subscribedAfter = Date.now() - created;
    await kafka.produce(later, 10, ['k', null]);
    await waitFor(() => sdk.seqs.length === 10, {
      timeoutMs: 30_000,
      description: 'the SDK to get the records',
    });
    console.log(
      `pattern: ${later} created later; the SDK's retried Subscribe went through ${subscribedAfter} ms after it was created (refresh 1 s)`,
    );
  });
});
