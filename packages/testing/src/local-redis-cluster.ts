import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { StartupError } from './errors.js';
import { requirePrograms } from './find-executable.js';
import { freePorts } from './free-port.js';
import { LocalServer } from './local-server.js';
import { waitForRedis } from './redis-probe.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);

/** Options of {@link startRedisCluster}. */
export interface StartRedisClusterOptions {
  /** Masters (each with one replica). Default 3. */
  masters?: number;
  /** `cluster-node-timeout`: how long a master may be silent before its replica takes over. Default 2000 ms. */
  nodeTimeoutMs?: number;
  /** Environment (PATH to find redis-server and redis-cli). Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Deadline for the cluster to be formed and `cluster_state:ok`. Default 60,000 ms. */
  startTimeoutMs?: number;
  /** Progress messages. Default: silent. */
  log?: (message: string) => void;
}

/** One node of the cluster as `CLUSTER NODES` reports it. */
export interface ClusterNodeInfo {
  port: number;
  role: 'master' | 'replica';
  /** Failed or unreachable (`fail`, `fail?`, `disconnected`). */
  failed: boolean;
  /** Serves slots (a master that owns part of the key space). */
  slots: boolean;
}

/** One redis-server in cluster mode. */
class ClusterNode extends LocalServer {
  constructor(
    readonly port: number,
    /** The cluster bus port (set explicitly: port + 10000 may not exist). */
    private readonly busPort: number,
    dir: string,
    private readonly nodeTimeoutMs: number,
    private readonly settings: { env: NodeJS.ProcessEnv; stopTimeoutMs: number; log: (m: string) => void },
  ) {
    super(dir, 'redis.log', settings, `Redis cluster node ${port}`);
  }

  protected get address(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await this.launch();
  }

  /** SIGKILL, no restart: a master dying. */
  async kill(): Promise<void> {
    await this.process?.stop(0, 'SIGKILL');
  }

  protected async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'no',
      '--daemonize',
      'no',
      '--cluster-enabled',
      'yes',
      '--cluster-port',
      String(this.busPort),
      '--cluster-config-file',
      join(this.dir, 'nodes.conf'),
      '--cluster-node-timeout',
      String(this.nodeTimeoutMs),
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
      // Replicas sync at once: a replica that never synced cannot take over.
      '--repl-diskless-sync-delay',
      '0',
      '--logfile',
      '',
    ];
    await this.supervise(
      'redis-server',
      'redis-server',
      args,
      (died) => waitForRedis(this.address, 30_000, died),
      20,
    );
  }
}

/** A client of one node that fails at once instead of retrying (the callers poll with their own deadline). */
function oneShotClient(port: number): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  return client;
}

/**
 * A real Redis Cluster on loopback: `masters` masters and as many replicas
 * (Debian's redis-server in cluster mode, each in its own tmp dir), formed
 * with `redis-cli --cluster create`. Lets a test kill a master to watch its
 * replica take over.
 */
export class LocalRedisCluster {
  private constructor(
    private readonly nodes: ClusterNode[],
    private readonly timeoutMs: number,
    private readonly masterCount: number,
  ) {}

  /** Seed nodes for a cluster client (every node). */
  get seeds(): Array<{ host: string; port: number }> {
    return this.nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  /** `host:port,host:port,…` of every node (REDIS_CLUSTER_NODES). */
  get nodeList(): string {
    return this.seeds.map((s) => `${s.host}:${s.port}`).join(',');
  }

  static async start(options: StartRedisClusterOptions = {}): Promise<LocalRedisCluster> {
    const env = options.env ?? process.env;
    const log = options.log ?? (() => {});
    const masters = options.masters ?? 3;
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    requirePrograms(
      'Running a Redis Cluster',
      [
        { command: 'redis-server', debianPackage: 'redis-server' },
        { command: 'redis-cli', debianPackage: 'redis-tools' },
      ],
      'Both come from Debian.',
      env.PATH,
    );
    const all = await freePorts(masters * 4);
    const ports = all.slice(0, masters * 2);
    const nodes = ports.map(
      (port, i) =>
        new ClusterNode(
          port,
          all[masters * 2 + i] as number,
          mkdtempSync(join(tmpdir(), `fanout-redis-cluster-${port}-`)),
          options.nodeTimeoutMs ?? 2000,
          {
            env,
            stopTimeoutMs: 5000,
            log,
          },
        ),
    );
    const cluster = new LocalRedisCluster(nodes, timeoutMs, masters);
    try {
      await Promise.all(nodes.map((n) => n.start()));
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...ports.map((p) => `127.0.0.1:${p}`),
          '--cluster-replicas',
          '1',
          '--cluster-yes',
        ],
        { env, timeout: timeoutMs },
      );
      await cluster.waitHealthy();
      log(`Redis Cluster up: ${masters} masters + ${masters} replicas on ${cluster.nodeList}`);
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err instanceof StartupError
        ? err
        : new StartupError(`Redis Cluster did not form: ${String(err)}`, { cause: err });
    }
  }

  /** The cluster's view of its nodes (asked of a live node). */
  async topology(): Promise<ClusterNodeInfo[]> {
    for (const node of this.nodes) {
      if (node.pid === undefined) continue;
      const client = oneShotClient(node.port);
      try {
        await client.connect();
        const text = (await client.call('CLUSTER', 'NODES')) as string;
        return text
          .trim()
          .split('\n')
          .map((line) => {
            const fields = line.split(' ');
            const [, address = '', flags = ''] = fields;
            const port = Number(address.split('@')[0]?.split(':')[1]);
            return {
              port,
              role: flags.includes('master') ? ('master' as const) : ('replica' as const),
              failed: /fail|disconnected/.test(flags),
              // Fields after the 8th are slot ranges.
              slots: fields.length > 8,
            };
          });
      } catch {
        // try the next node
      } finally {
        client.disconnect();
      }
    }
    throw new Error('no Redis Cluster node answers');
  }

  /**
   * Resolves once every live node reports `cluster_state:ok`, every slot has
   * a live master and every live replica is in sync with its master.
   */
  async waitHealthy(timeoutMs = this.timeoutMs): Promise<void> {
    await waitFor(
      async () => {
        for (const node of this.nodes) {
          if (node.pid === undefined) continue;
          const client = oneShotClient(node.port);
          try {
            await client.connect();
            const info = (await client.call('CLUSTER', 'INFO')) as string;
            if (!/cluster_state:ok/.test(info)) return false;
            const replication = await client.info('replication');
            if (/role:slave/.test(replication) && !/master_link_status:up/.test(replication)) return false;
          } catch {
            return false;
          } finally {
            client.disconnect();
          }
        }
        return this.#serving(await this.topology());
      },
      { timeoutMs, intervalMs: 200, description: 'Redis Cluster state ok' },
    );
  }

  /** Kills (SIGKILL) the master serving `port`'s role; resolves once its replica has taken over. */
  async failOverMaster(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no cluster node on port ${port}`);
    await node.kill();
    await waitFor(
      async () => {
        return this.#serving(await this.topology());
      },
      { timeoutMs: this.timeoutMs, intervalMs: 200, description: `a replica to take over from ${port}` },
    );
    await this.waitHealthy();
  }

  /** Every slot range has a live master, and every live node took its role (no node still unassigned). */
  #serving(topology: ClusterNodeInfo[]): boolean {
    const live = new Set(this.nodes.filter((n) => n.pid !== undefined).map((n) => n.port));
    const ok = topology.filter((n) => live.has(n.port) && !n.failed);
    const masters = ok.filter((n) => n.role === 'master' && n.slots).length;
    const unassigned = ok.filter((n) => n.role === 'master' && !n.slots).length;
    return masters === this.masterCount && unassigned === 0;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => n.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Starts a {@link LocalRedisCluster}. */
export function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<LocalRedisCluster> {
  return LocalRedisCluster.start(options);
}
