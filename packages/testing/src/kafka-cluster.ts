import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from './errors.js';
import { requirePrograms } from './find-executable.js';
import { freePorts } from './free-port.js';
import { withQuietAdmin } from './kafka-admin.js';
import {
  type BrokerPropertyValue,
  CLUSTER_BROKER_DEFAULTS,
  type KafkaVoter,
  newClusterId,
} from './kafka-config.js';
import { type KafkaDist, ensureKafkaDist } from './kafka-dist.js';
import { KafkaNode, type KafkaNodeSettings } from './kafka-node.js';
import { waitForKafka } from './kafka-probe.js';
import type { RestartOptions } from './service-handle.js';
import { waitFor } from './wait-for.js';

/** Options of {@link startKafkaCluster}. */
export interface StartKafkaClusterOptions {
  /** How many nodes, each a broker and a KRaft controller (every node votes). 1 to 9; default 3. */
  nodes?: number;
  /** Environment to read PATH and the jar cache location from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Deadline for the cluster (and for a restarted node) to be ready, in ms. Default 90,000. */
  startTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL for a graceful restart(nodeId), in ms. Default 15,000. */
  stopTimeoutMs?: number;
  /**
   * Broker properties for every node, over the cluster defaults (replication 3,
   * `min.insync.replicas=2`, internal topics replicated 3 times, a dead broker
   * fenced after 3 s) and the fast-test defaults.
   */
  brokerConfig?: Readonly<Record<string, BrokerPropertyValue>>;
  /** Extra JVM options for every node, after the defaults (`-Xms128m -Xmx256m -XX:TieredStopAtLevel=1`). */
  jvmArgs?: readonly string[];
  /** Progress messages (jar download, startup, restarts). Default: silent. */
  log?: (message: string) => void;
}

/** One node of a cluster as tests see it. */
export interface KafkaClusterNode {
  /** Its node.id: 1 to the number of nodes. */
  readonly nodeId: number;
  /** Its client listener (PLAINTEXT), `127.0.0.1:port`; the same after a restart. */
  readonly broker: string;
  /** The JVM's pid while it runs. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The node's output. */
  readonly logFile: string;
  /** The last `lines` lines of its output. Default 50. */
  logTail(lines?: number): string;
}

/** A partition as the cluster's metadata describes it (node ids). */
export interface PartitionState {
  partition: number;
  /** The leader's node id; -1 while there is none. */
  leader: number;
  replicas: number[];
  /** The in-sync replicas. */
  isr: number[];
  offlineReplicas: number[];
}

/** A running multi-node KRaft cluster on loopback, for fault tests. */
export interface KafkaClusterHandle {
  /** Always false: a cluster is always the harness's own. */
  readonly external: false;
  /** Every node's client listener, running or not, in node id order. */
  readonly brokers: string[];
  readonly nodes: readonly KafkaClusterNode[];
  /** The node with this id; throws INVALID_OPTION for an unknown id. */
  node(nodeId: number): KafkaClusterNode;
  /** SIGKILLs the node (a crash) and resolves once its process is gone; its data stays. */
  kill(nodeId: number): Promise<void>;
  /**
   * Starts the node again on the same ports with the same data (stopping it
   * first, gracefully or with `kill`, if it runs) and resolves once it has
   * rejoined: registered and unfenced in the cluster metadata. Its replicas
   * may still be catching up: see waitForInSync().
   */
  restart(nodeId: number, options?: RestartOptions): Promise<void>;
  /** Every partition of `topic` from a metadata call to a running node, in partition order. */
  describeTopic(topic: string): Promise<PartitionState[]>;
  /** The node id leading `topic`'s `partition` now (-1 while none); throws if it does not exist. */
  partitionLeader(topic: string, partition: number): Promise<number>;
  /** Resolves once every partition of `topic` has all its replicas in sync. Default deadline 60,000 ms. */
  waitForInSync(topic: string, options?: { timeoutMs?: number }): Promise<PartitionState[]>;
  /** Kills every node and removes their dirs. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const DEFAULT_NODES = 3;
const DEFAULT_START_TIMEOUT_MS = 90_000;
const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const BIND_ATTEMPTS = 3;

/**
 * A KRaft cluster of `nodes` broker+controller nodes on free loopback ports,
 * run from the same cached Kafka jars as startKafka(), each node in its own
 * tmp dir with the same cleanup guarantees (nodes die with the process that
 * started them; stop() removes everything). It ignores KAFKA_BROKERS: a
 * cluster whose nodes tests kill must be the harness's own.
 */
export async function startKafkaCluster(options: StartKafkaClusterOptions = {}): Promise<KafkaClusterHandle> {
  const count = options.nodes ?? DEFAULT_NODES;
  if (!Number.isInteger(count) || count < 1 || count > 9)
    throw new HarnessError('INVALID_OPTION', `nodes must be an integer from 1 to 9, got ${count}`);
  const replication = Math.min(3, count);
  const settings: ClusterSettings = {
    env: options.env ?? process.env,
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    stopTimeoutMs: options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    jvmArgs: options.jvmArgs ?? [],
    log: options.log ?? (() => {}),
    count,
    replication,
    brokerConfig: {
      ...CLUSTER_BROKER_DEFAULTS,
      'offsets.topic.replication.factor': replication,
      'transaction.state.log.replication.factor': replication,
      'transaction.state.log.min.isr': Math.max(1, replication - 1),
      'default.replication.factor': replication,
      'min.insync.replicas': Math.max(1, replication - 1),
      ...options.brokerConfig,
    },
  };
  const dist = await ensureKafkaDist(settings.env, settings.log);
  requirePrograms(
    'Running a Kafka cluster',
    [{ command: 'java', debianPackage: 'openjdk-17-jre-headless' }],
    'A cluster always runs from the cached jars.',
    settings.env.PATH,
  );
  // A port taken between picking and binding: start over on new ports (the
  // voters' addresses are in every node's config and storage).
  for (let attempt = 1; ; attempt++) {
    const cluster = await LocalKafkaCluster.create(settings, dist);
    try {
      await cluster.launch();
      return cluster;
    } catch (err) {
      const bindFailed = cluster.bindFailed();
      await cluster.stop();
      if (!bindFailed || attempt >= BIND_ATTEMPTS) throw err;
    }
  }
}

interface ClusterSettings extends KafkaNodeSettings {
  count: number;
  replication: number;
  brokerConfig: Readonly<Record<string, BrokerPropertyValue>>;
}

class LocalKafkaCluster implements KafkaClusterHandle {
  readonly external = false;
  readonly nodes: readonly KafkaClusterNode[];
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly settings: ClusterSettings,
    private readonly members: readonly KafkaNode[],
  ) {
    this.nodes = members.map(nodeView);
  }

  static async create(settings: ClusterSettings, dist: KafkaDist): Promise<LocalKafkaCluster> {
    const ports = await freePorts(2 * settings.count);
    const ids = Array.from({ length: settings.count }, (_, i) => i + 1);
    const voters: KafkaVoter[] = ids.map((nodeId, i) => ({
      nodeId,
      controllerPort: ports[2 * i + 1] as number,
    }));
    const clusterId = newClusterId();
    const members = ids.map((nodeId, i) => {
      const dir = mkdtempSync(join(tmpdir(), `fanout-kafka-${nodeId}-`));
      return new KafkaNode(settings, dist, dir, {
        layout: {
          nodeId,
          port: ports[2 * i] as number,
          controllerPort: ports[2 * i + 1] as number,
          dataDir: join(dir, 'data'),
          voters,
        },
        clusterId,
        brokerConfig: settings.brokerConfig,
        // Three JVMs starting on a small machine: C1 alone halves their start.
        baseJvmArgs: ['-Xms128m', '-Xmx256m', '-XX:TieredStopAtLevel=1'],
        ready: (node, died) => waitForRegistered(node, settings.startTimeoutMs, died),
        what: `Kafka node ${nodeId}`,
      });
    });
    return new LocalKafkaCluster(settings, members);
  }

  /** Formats and starts every node, then proves the cluster creates replicated topics. */
  async launch(): Promise<void> {
    const started = Date.now();
    await Promise.all(this.members.map((m) => m.format()));
    this.settings.log(`Kafka cluster formatted in ${Date.now() - started} ms`);
    // Together: a node is ready only once a majority of voters runs.
    await Promise.all(this.members.map((m) => m.start()));
    await waitForKafka(this.brokers, {
      timeoutMs: this.settings.startTimeoutMs,
      createTopic: true,
      replicationFactor: this.settings.replication,
    });
    this.settings.log(
      `Kafka cluster of ${this.members.length} up at ${this.brokers.join(',')} in ${Date.now() - started} ms`,
    );
  }

  get brokers(): string[] {
    return this.members.flatMap((m) => m.brokers);
  }

  bindFailed(): boolean {
    return this.members.some((m) => m.bindFailed());
  }

  node(nodeId: number): KafkaClusterNode {
    return nodeView(this.member(nodeId));
  }

  async kill(nodeId: number): Promise<void> {
    await this.member(nodeId).kill();
  }

  async restart(nodeId: number, options: RestartOptions = {}): Promise<void> {
    const member = this.member(nodeId);
    if (member.running) await member.restart(options);
    else {
      this.settings.log(`starting Kafka node ${nodeId} again at ${member.brokers.join(',')}`);
      await member.start();
    }
  }

  async describeTopic(topic: string): Promise<PartitionState[]> {
    const running = this.members.filter((m) => m.running).flatMap((m) => m.brokers);
    if (running.length === 0) throw new HarnessError('INVALID_OPTION', 'no node of the cluster is running');
    const metadata = await withQuietAdmin(running, (admin) => admin.fetchTopicMetadata({ topics: [topic] }));
    const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
    return partitions
      .map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: [...p.replicas],
        isr: [...p.isr],
        offlineReplicas: [...(p.offlineReplicas ?? [])],
      }))
      .sort((a, b) => a.partition - b.partition);
  }

  async partitionLeader(topic: string, partition: number): Promise<number> {
    const state = (await this.describeTopic(topic)).find((p) => p.partition === partition);
    if (!state) throw new HarnessError('INVALID_OPTION', `${topic} has no partition ${partition}`);
    return state.leader;
  }

  waitForInSync(topic: string, options: { timeoutMs?: number } = {}): Promise<PartitionState[]> {
    return waitFor(
      async () => {
        const partitions = await this.describeTopic(topic);
        const synced = partitions.every((p) => p.replicas.every((r) => p.isr.includes(r)));
        return partitions.length > 0 && synced && partitions;
      },
      {
        timeoutMs: options.timeoutMs ?? 60_000,
        intervalMs: 250,
        description: `every replica of ${topic} in sync`,
      },
    );
  }

  stop(): Promise<void> {
    // Killed, not stopped gracefully: the data goes anyway, and brokers shutting
    // down together wait on each other's controlled shutdown.
    this.stopping ??= (async () => {
      await Promise.all(this.members.map((m) => m.kill()));
      await Promise.all(this.members.map((m) => m.stop()));
    })();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private member(nodeId: number): KafkaNode {
    const member = this.members.find((m) => m.nodeId === nodeId);
    if (!member)
      throw new HarnessError(
        'INVALID_OPTION',
        `no node ${nodeId} in this cluster (nodes ${this.members.map((m) => m.nodeId).join(', ')})`,
      );
    return member;
  }
}

function nodeView(member: KafkaNode): KafkaClusterNode {
  return {
    nodeId: member.nodeId,
    broker: member.brokers[0] as string,
    get pid() {
      return member.pid;
    },
    get running() {
      return member.running;
    },
    logFile: member.logFile,
    logTail: (lines?: number) => member.logTail(lines),
  };
}

// Ready: its own client listener answers and lists it among the live
// (registered, unfenced) brokers.
function waitForRegistered(node: KafkaNode, timeoutMs: number, died: AbortSignal): Promise<void> {
  return waitFor(
    () =>
      withQuietAdmin(node.brokers, async (admin) => {
        const { brokers } = await admin.describeCluster();
        return brokers.some((b) => b.nodeId === node.nodeId);
      }),
    {
      timeoutMs,
      intervalMs: 250,
      description: `Kafka node ${node.nodeId} at ${node.brokers.join(',')} to join the cluster`,
      signal: died,
    },
  ).then(() => {});
}
