/**
 * Run as a child by test/kafka-cluster.test.ts: starts a cluster of
 * `process.argv[2]` nodes, prints one JSON line with their pids and tmp dirs,
 * then waits to be killed.
 */
import { dirname } from 'node:path';
import { startKafkaCluster } from '@fanout/testing';

const cluster = await startKafkaCluster({ nodes: Number(process.argv[2] ?? 3) });
const nodes = cluster.nodes.map((n) => ({ pid: n.pid, dir: dirname(n.logFile) }));
process.stdout.write(`${JSON.stringify({ nodes })}\n`);
setInterval(() => {}, 1 << 30);
