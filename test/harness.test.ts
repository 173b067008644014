import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError, createTopic, startKafka, startRedis, waitFor } from '@fanout/testing';
import { Redis } from 'ioredis';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { describe, expect, inject, it, onTestFinished } from 'vitest';

// These tests start servers of their own: not when the run was told to use
// existing ones (KAFKA_BROKERS / REDIS_URL), which must start no JVM.
const ownServers = !inject('kafkaExternal') && !inject('redisExternal');

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe.runIf(ownServers)('the harness', () => {
  it('restarts Redis on the same port, and stop() leaves no process and no files', async () => {
    const redis = await startRedis({ ignoreEnv: true, persistence: true });
    onTestFinished(() => redis.stop());
    const { url, pid, logFile } = redis;
    const client = new Redis(url, { maxRetriesPerRequest: 20 });
    onTestFinished(() => {
      client.disconnect();
    });
    await client.set('k', 'survives a crash');

    await redis.restart({ kill: true });
    expect(redis.url).toBe(url);
    expect(redis.pid).not.toBe(pid);
    expect(alive(pid as number)).toBe(false);
    expect(await client.get('k')).toBe('survives a crash');

    const restartedPid = redis.pid as number;
    await redis.stop();
    expect(alive(restartedPid)).toBe(false);
    expect(redis.pid).toBeUndefined();
    expect(existsSync(dirname(logFile as string))).toBe(false);
  });

  it('restarts Kafka on the same address keeping its records, and stop() leaves no process and no files', async () => {
    const kafka = await startKafka({ ignoreEnv: true });
    onTestFinished(() => kafka.stop());
    const { brokers, logFile } = kafka;
    const topic = await createTopic(brokers, { partitions: 2 });
    const client = new Kafka({ clientId: 'harness-test', brokers, logLevel: logLevel.NOTHING });
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    });
    await producer.disconnect();

    const before = kafka.pid as number;
    await kafka.restart();
    expect(kafka.brokers).toEqual(brokers);
    expect(alive(before)).toBe(false);
    const admin = client.admin();
    await admin.connect();
    onTestFinished(() => admin.disconnect());
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(20);

    const after = kafka.pid as number;
    await kafka.stop();
    expect(alive(after)).toBe(false);
    expect(existsSync(dirname(logFile as string))).toBe(false);
  });

  it('fails fast with the broker log tail when the broker cannot start, leaving nothing behind', async () => {
    // -Xms256m above -Xmx8m: the JVM refuses to start.
    const error = await startKafka({ ignoreEnv: true, jvmArgs: ['-Xmx8m'] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StartupError);
    const message = (error as Error).message;
    expect(message).toMatch(/the broker exited \(code 1/);
    expect(message).toContain('Initial heap size set to a larger value than the maximum heap size');
    const logFile = /last lines of (\S+) ---/.exec(message)?.[1];
    expect(logFile).toBeDefined();
    expect(existsSync(dirname(logFile as string))).toBe(false);
  });

  // `npm start` and `npm run kafka` (run as npm does, minus npm and the tsx wrapper).
  it.each(['scripts/start.ts', 'packages/testing/src/cli.ts'])(
    '%s stops its servers cleanly on Ctrl-C (SIGINT)',
    async (script) => {
      const cli = await startCli(script);
      cli.process.kill('SIGINT');
      const code = await new Promise((resolve) => cli.process.once('exit', resolve));
      expect(code, cli.output()).toBe(0);
      expect(cli.pids.filter(alive)).toEqual([]);
      expect(cli.dirs.filter((dir) => existsSync(dir))).toEqual([]);
    },
  );

  it('leaves no server behind when the process that started them is SIGKILLed (the watchdog kills them)', async () => {
    const cli = await startCli('packages/testing/src/cli.ts');
    cli.process.kill('SIGKILL');
    await waitFor(() => cli.pids.every((pid) => !alive(pid)), {
      timeoutMs: 30_000,
      description: `servers ${cli.pids} to die with their parent`,
    });
    await waitFor(() => cli.dirs.every((dir) => !existsSync(dir)), {
      timeoutMs: 10_000,
      description: `${cli.dirs} to be removed`,
    });
  });
});

interface RunningCli {
  process: ChildProcess;
  /** pids of the broker and of redis-server */
  pids: number[];
  /** their tmp dirs */
  dirs: string[];
  /** everything it printed so far */
  output(): string;
}

/** Runs a script that starts Kafka and Redis, without KAFKA_BROKERS/REDIS_URL, until it is ready. */
async function startCli(script: string): Promise<RunningCli> {
  const { KAFKA_BROKERS: _k, REDIS_URL: _r, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`${script} exited early:\n${output}`);
      return /^Ctrl-C stops/m.test(output);
    },
    { timeoutMs: 120_000, description: `${script} to print its addresses` },
  );
  const servers = [...output.matchAll(/^(?:kafka|redis)\s+\S+\s+\(pid (\d+), log (\S+)\)$/gm)];
  expect(servers, output).toHaveLength(2);
  return {
    process: child,
    pids: servers.map((m) => Number(m[1])),
    dirs: servers.map((m) => dirname(m[2] as string)),
    output: () => output,
  };
}
