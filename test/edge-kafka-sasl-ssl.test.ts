import { type ChildProcess, spawn } from 'node:child_process';
import { type SaslSslKafkaHandle, startKafka, uniqueId, waitFor } from '@fanout/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { repoRoot, startEdgeProcess } from './support/edge-process.js';
import { readyz } from './support/fault-infra.js';
import { edgeEnv } from './support/fixtures.js';

/** A process of the repo's, its output collected; killed when the test ends. */
function run(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; out: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const out: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (c: string) => out.push(...c.split('\n').filter(Boolean)));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => out.push(...c.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, out, exited };
}

// A broker of this file's own with a SASL_SSL listener. With KAFKA_BROKERS
// given, `npm test` must start no JVM: this file runs only where the harness
// owns Kafka.
describe.runIf(!inject('kafkaExternal'))(
  'Kafka over SASL_SSL (SCRAM-SHA-512) for the edge and the tools',
  () => {
    let kafka: SaslSslKafkaHandle;
    beforeAll(async () => {
      kafka = await startKafka({ ignoreEnv: true, saslSsl: {} });
    });
    afterAll(async () => {
      await kafka?.stop();
    });

    const secure = (password = kafka.saslSsl.password): Record<string, string> => ({
      KAFKA_BROKERS: kafka.saslSsl.brokers.join(','),
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_TLS_CA_FILE: kafka.saslSsl.caFile,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: kafka.saslSsl.username,
      KAFKA_SASL_PASSWORD: password,
    });

    it('the demo producer creates and fills a topic, the edge serves it and fanout tail prints it, all through SASL_SSL', async () => {
      const topic = uniqueId('t');
      const producer = run(['--import', 'tsx', 'scripts/demo-producer-cli.ts'], {
        ...secure(),
        DEMO_TOPIC: topic,
        DEMO_RATE: '50',
      });
      // Seen on the PLAINTEXT listener: the producer made the topic over SASL_SSL.
      const admin = new Kafka({
        brokers: kafka.saslSsl.plaintextBrokers,
        clientId: 'check',
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      onTestFinished(() => admin.disconnect());
      await waitFor(async () => (await admin.listTopics()).includes(topic), {
        timeoutMs: 30_000,
        description: `the demo producer to create ${topic}: ${producer.out.join('\n')}`,
      });
      const edge = await startEdgeProcess(edgeEnv(topic, secure()));
      expect((await readyz(edge.port)).status).toBe(200);
      const tail = run(['packages/client/bin/fanout.js', 'tail', `${topic}:AAPL`, '--url', edge.url], {});
      await waitFor(() => tail.out.filter((l) => l.startsWith('partition=')).length >= 3, {
        timeoutMs: 30_000,
        description: `fanout tail to print AAPL ticks: ${tail.out.join('\n')}`,
      });
      expect(tail.out.filter((l) => l.startsWith('partition=')).every((l) => / key=AAPL /.test(l))).toBe(
        true,
      );
      const logs = edge.logs().join('\n');
      expect(logs).not.toContain(kafka.saslSsl.password);
    });

    it('a wrong password: the edge stays up, not ready, naming the refusal; the demo producer exits naming it', async () => {
      const topic = uniqueId('t');
      const edge = await startEdgeProcess(
        edgeEnv(topic, { ...secure('not-the-password'), EDGE_STARTUP_WAIT_MS: '500' }),
      );
      const r = await waitFor(
        async () => {
          const s = await readyz(edge.port);
          return /Kafka refused the edge/.test(JSON.stringify(s.body)) && s;
        },
        { timeoutMs: 30_000, description: 'readyz to name the refused credentials' },
      );
      expect(r.status).toBe(503);
      const reason = JSON.stringify(r.body);
      expect(reason).toMatch(/SASL|[Aa]uthentication/);
      expect(reason).not.toContain('not-the-password');
      const producer = run(['--import', 'tsx', 'scripts/demo-producer-cli.ts'], {
        ...secure('not-the-password'),
        DEMO_TOPIC: topic,
      });
      expect(await producer.exited).toBe(1);
      expect(producer.out.join('\n')).toMatch(/cannot reach Kafka.*(SASL|[Aa]uthentication)/);
      console.log(`wrong password: /readyz ${r.status} ${reason}`);
    });
  },
);
