import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Start } from '@fanout/protocol';
import { type KafkaClusterHandle, createTopic, startKafkaCluster, uniqueId, waitFor } from '@fanout/testing';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { startEdgeProcess } from './support/edge-process.js';
import { ReadyzProbe } from './support/fault-infra.js';
import { connect, edgeEnv } from './support/fixtures.js';
import { kcat, kcatConsume, startKcat } from './support/kcat.js';
import { type RawClient, isError } from './support/raw-client.js';

const PARTITIONS = 3;

/** kcat as an idempotent acks=all producer of `key:value` lines: it exits 0 only once every record is acknowledged. */
const idempotentProducerArgs = (brokers: string[], topic: string): string[] =>
  ['-P', '-b', brokers.join(','), '-t', topic, '-K', ':'].concat(
    ['enable.idempotence=true', 'acks=all', 'linger.ms=5', 'message.timeout.ms=60000'].flatMap((x) => [
      '-X',
      x,
    ]),
  );
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const log = (message: string): void => {
  process.stderr.write(`[cluster] ${message}\n`);
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// A cluster of this file's own, started in beforeAll: its nodes get killed.
// With KAFKA_BROKERS given, `npm test` must start no JVM, and a cluster whose
// brokers we do not own cannot be killed: this file runs only where the
// harness owns Kafka.
describe.runIf(!inject('kafkaExternal'))('the harness Kafka cluster (3 KRaft nodes)', () => {
  let cluster: KafkaClusterHandle;
  let startedInMs = 0;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startKafkaCluster({ log });
    startedInMs = Date.now() - started;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('forms: three brokers and voters, replication 3 and min.insync.replicas 2 by default, internal topics replicated 3 times', async () => {
    log(`started in ${startedInMs} ms`);
    expect(cluster.brokers).toHaveLength(3);
    expect(cluster.nodes.map((n) => [n.nodeId, n.running])).toEqual([
      [1, true],
      [2, true],
      [3, true],
    ]);
    const kafka = new Kafka({
      clientId: uniqueId('cluster'),
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    onTestFinished(() => admin.disconnect());
    const described = await admin.describeCluster();
    expect(described.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    expect([1, 2, 3]).toContain(described.controller);

    // Created with the broker's default replication factor (-1).
    const topic = await createTopic(cluster.brokers, { partitions: PARTITIONS, replicationFactor: -1 });
    const partitions = await cluster.describeTopic(topic);
    expect(partitions).toHaveLength(PARTITIONS);
    for (const p of partitions) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
    }
    expect(new Set(partitions.map((p) => p.leader)).size).toBe(3);

    const [config] = (
      await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }],
        includeSynonyms: false,
      })
    ).resources;
    expect(config?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue).toBe('2');
    // The harness's start made the group coordinator create it.
    const offsets = await cluster.describeTopic('__consumer_offsets');
    expect(offsets.length).toBeGreaterThan(0);
    expect(offsets.every((p) => p.replicas.length === 3)).toBe(true);
  });

  it('keeps every acks=all record through a SIGKILL of the partition leader mid-stream, and the killed node rejoins', async () => {
    const topic = await createTopic(cluster.brokers, { partitions: PARTITIONS, replicationFactor: 3 });
    const victim = await cluster.partitionLeader(topic, 0);
    expect([1, 2, 3]).toContain(victim);

    // A steady stream from an idempotent librdkafka producer (kcat: acks=all,
    // retries), keyed over the partitions: 5 records every 10 ms. kcat exits 0
    // only once every record is acknowledged; a failed delivery makes it exit 1.
    // Not kafkajs: its 2.2.4 producer, idempotent or not, was seen here to
    // resolve send() for a record the new leader does not have, and to write
    // one twice, when the leader is SIGKILLed mid-request.
    const producer = startKcat(idempotentProducerArgs(cluster.brokers, topic), 120_000);
    let written = 0;
    const write = (count: number): void => {
      for (let i = 0; i < count; i++, written++) producer.stdin.write(`k${written % 12}:${written}\n`);
    };
    const pacer = setInterval(() => write(5), 10);
    onTestFinished(() => clearInterval(pacer));
    const writtenAtLeast = (count: number, description: string): Promise<boolean> =>
      waitFor(() => written >= count, { timeoutMs: 30_000, description });

    await writtenAtLeast(500, '500 records written before the kill');
    const killedAt = Date.now();
    const writtenBeforeKill = written;
    await cluster.kill(victim);
    expect(cluster.node(victim).running).toBe(false);
    const newLeader = await waitFor(
      async () => {
        const leader = await cluster.partitionLeader(topic, 0);
        return leader !== victim && leader !== -1 && leader;
      },
      { timeoutMs: 30_000, intervalMs: 100, description: `a new leader of ${topic}-0` },
    );
    const electedMs = Date.now() - killedAt;
    await writtenAtLeast(written + 500, '500 more records written after the leader change');
    clearInterval(pacer);
    const total = written;
    producer.stdin.end();
    const produced = await producer.result;
    expect(produced.code, produced.stderr).toBe(0);
    const deliveredMs = Date.now() - killedAt;

    // Two replicas left in sync, which min.insync.replicas=2 accepts.
    const shrunk = await cluster.describeTopic(topic);
    for (const p of shrunk) {
      expect(p.isr).not.toContain(victim);
      expect(p.isr).toHaveLength(2);
    }

    // Read back from the two survivors with kcat (librdkafka, no consumer
    // group): every acked record once, in order, on each partition.
    const survivors = cluster.nodes.filter((n) => n.running).map((n) => n.broker);
    const read = await kcat([
      '-C',
      '-b',
      survivors.join(','),
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '%p %s\\n',
    ]);
    expect(read.code, read.stderr).toBe(0);
    const received: number[][] = Array.from({ length: PARTITIONS }, () => []);
    for (const line of read.stdout.trim().split('\n')) {
      const [partition, value] = line.split(' ').map(Number) as [number, number];
      received[partition]?.push(value);
    }
    // Every record exactly once, and each partition in the order it was written.
    expect(received.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const values of received) {
      expect(values.length).toBeGreaterThan(0);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }

    const restartedAt = Date.now();
    await cluster.restart(victim);
    const rejoinedMs = Date.now() - restartedAt;
    expect(cluster.node(victim).running).toBe(true);
    const synced = await cluster.waitForInSync(topic);
    const inSyncMs = Date.now() - restartedAt;
    for (const p of synced) expect([...p.isr].sort()).toEqual([1, 2, 3]);
    log(
      `killed node ${victim} (leader of ${topic}-0) after ${writtenBeforeKill} records; node ${newLeader} led after ${electedMs} ms; ` +
        `all ${total} records acked ${deliveredMs} ms after the kill and read back exactly once; ` +
        `node ${victim} rejoined in ${rejoinedMs} ms, all replicas in sync after ${inSyncMs} ms`,
    );
  });

  it('an edge on the cluster: SIGKILL of the leader of the partition produced to, during a steady stream, loses and duplicates nothing at the clients', async () => {
    const topic = await createTopic(cluster.brokers, { partitions: PARTITIONS, replicationFactor: 3 });
    const victim = await cluster.partitionLeader(topic, 0);
    const edge = await startEdgeProcess(edgeEnv(topic, { KAFKA_BROKERS: cluster.brokers.join(',') }));
    const channels = [topic, topic, `${topic}:k0`, `${topic}:k1`, `${topic}:k5`];
    const clients: RawClient[] = [];
    for (const [i, channel] of channels.entries()) {
      const c = await connect(edge.url, { name: `client-${i}` });
      await c.hello();
      expect(isError(await c.subscribe(channel, Start.LATEST))).toBe(false);
      clients.push(c);
    }
    const readiness = new ReadyzProbe(edge.port, 200);
    // kcat (idempotent librdkafka): the producer itself loses and duplicates nothing here.
    const producer = startKcat(idempotentProducerArgs(cluster.brokers, topic), 120_000);
    let written = 0;
    const pacer = setInterval(() => {
      for (let i = 0; i < 5; i++, written++) producer.stdin.write(`k${written % 12}:${written}\n`);
    }, 10);
    onTestFinished(() => clearInterval(pacer));
    await waitFor(() => written >= 500, { timeoutMs: 30_000, description: 'records before the kill' });
    const killedAt = Date.now();
    await cluster.kill(victim);
    await waitFor(() => written >= 1500, { timeoutMs: 60_000, description: 'records after the kill' });
    clearInterval(pacer);
    producer.stdin.end();
    const produced = await producer.result;
    expect(produced.code, produced.stderr).toBe(0);
    const survivors = cluster.nodes.filter((n) => n.running).map((n) => n.broker);
    const reference = await kcatConsume(survivors, topic);
    expect(reference).toHaveLength(written);
    for (const [i, c] of clients.entries()) {
      const channel = channels[i] as string;
      const key = channel.includes(':') ? channel.slice(topic.length + 1) : null;
      const want = reference
        .filter((r) => key === null || r.key === key)
        .map((r) => `${r.partition}/${r.offset}`)
        .sort();
      await c.waitFor(
        () => (c.subs.get(channel)?.received.length ?? 0) >= want.length,
        `${channel}: every record`,
        90_000,
      );
      const got = (c.subs.get(channel)?.received ?? []).map((r) => `${r.partition}/${r.offset}`).sort();
      expect(got, channel).toEqual(want);
      expect(c.violations).toEqual([]);
      expect(c.continuityLost).toEqual([]);
    }
    const recoveredMs = Date.now() - killedAt;
    await readiness.stop();
    const unready = readiness.samples.filter((s) => s.status !== 200);
    log(
      `edge on the cluster: killed node ${victim} (leader of ${topic}-0) mid-stream; ${written} records, ` +
        `${clients.length} clients got every one of theirs exactly once within ${recoveredMs} ms of the kill; ` +
        `/readyz 503 in ${unready.length} of ${readiness.samples.length} samples (every 200 ms)`,
    );
    await cluster.restart(victim);
    await cluster.waitForInSync(topic);
  });

  it('stop() leaves no process and no files', async () => {
    const pids = cluster.nodes.map((n) => n.pid as number);
    const dirs = cluster.nodes.map((n) => dirname(n.logFile));
    expect(pids.every((pid) => alive(pid))).toBe(true);
    await cluster.stop();
    expect(pids.filter((pid) => alive(pid))).toEqual([]);
    expect(dirs.filter((dir) => existsSync(dir))).toEqual([]);
    expect(cluster.nodes.map((n) => n.running)).toEqual([false, false, false]);
  });

  it('leaves no node behind when the process that started the cluster is SIGKILLed (each node has its watchdog)', async () => {
    // One node: the path is the same for each node of a cluster, and a
    // smaller cluster keeps the suite quick.
    const { KAFKA_BROKERS: _k, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-child.ts', '1'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const started = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the cluster child exited early:\n${output}`);
        const line = output.split('\n').find((l) => l.startsWith('{'));
        return line !== undefined && (JSON.parse(line) as { nodes: { pid: number; dir: string }[] });
      },
      { timeoutMs: 90_000, description: 'the child to start its cluster' },
    );
    const pids = started.nodes.map((n) => n.pid);
    const dirs = started.nodes.map((n) => n.dir);
    expect(pids.every(alive)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => pids.every((pid) => !alive(pid)), {
      timeoutMs: 30_000,
      description: `nodes ${pids} to die with their parent`,
    });
    await waitFor(() => dirs.every((dir) => !existsSync(dir)), {
      timeoutMs: 10_000,
      description: `${dirs} to be removed`,
    });
  });
});
