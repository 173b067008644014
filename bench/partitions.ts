import { performance } from 'node:perf_hooks';
import { toKafkajsConfig } from '@fanout/kafka-settings';
import { createTopic, uniqueId } from '@fanout/testing';
import { cpuSeconds, startEdge } from './lib/edge.js';
import { sleep } from './lib/pool.js';
import { type BenchContext, type LatencyResult, latencyOf, openAndWait, sampleLatency } from './scenarios.js';

/** Scenario 5's result: many partitions, one busy. */
export interface PartitionsResult {
  topics: number;
  partitions: number;
  connections: number;
  /** The edge's CPU while everything is idle (share of one core, 0..1), over `idleSeconds`. */
  idleCpu: number;
  idleSeconds: number;
  /** The edge's CPU while the busy partition gets `latency.rate` records/s. */
  busyCpu: number;
  latency: LatencyResult;
}

const HOST = '127.0.0.1';

/** Share of one core a process used over the next `ms`. */
async function cpuOver(pid: number, ms: number): Promise<number> {
  const before = cpuSeconds(pid);
  const t = performance.now();
  await sleep(ms);
  return (cpuSeconds(pid) - before) / ((performance.now() - t) / 1000);
}

/**
 * Scenario 5: `partitionsTotal` partitions over several topics, all idle but
 * one single-partition topic that gets a steady rate: produce→client latency
 * on the busy one (no fetch wait must show: one fetch per broker returns as
 * soon as any partition has data) and the edge's CPU when all is idle.
 */
export async function manyPartitions(ctx: BenchContext): Promise<PartitionsResult> {
  const { opts } = ctx;
  const idleTopics = 3;
  const idlePartitions = opts.partitionsTotal - 1;
  const per = Math.ceil(idlePartitions / idleTopics);
  const target = toKafkajsConfig(ctx.kafka);
  const topics: string[] = [];
  let made = 0;
  for (let i = 0; i < idleTopics; i++) {
    const n = Math.min(per, idlePartitions - made);
    topics.push(await createTopic(target, { partitions: n, name: uniqueId(`bench-idle${i}`) }));
    made += n;
  }
  const busy = await createTopic(target, { partitions: 1, name: uniqueId('bench-busy') });
  topics.push(busy);
  // The producer learns of the new topic's leader lazily: one record first, retried.
  for (let attempt = 0; ; attempt++) {
    try {
      await ctx.producer.send(busy, 1, () => 'warm-up');
      break;
    } catch (err) {
      if (attempt >= 40) throw err;
      await sleep(250);
    }
  }
  const edge = await startEdge({
    brokers: ctx.brokers,
    redisUrl: ctx.redisUrl,
    topics,
    nodeId: 'bench-parts',
  });
  try {
    const connections = opts.partitionsConnections;
    const ready = await openAndWait(ctx, {
      host: HOST,
      port: edge.port,
      count: connections,
      mode: 'fanout',
      channels: [busy],
      trackEvery: 1,
      latencyEvery: 1,
      dense: true,
    });
    await sleep(1000);
    const idleSeconds = opts.profile === 'smoke' ? 1 : 5;
    ctx.log(`partitions: edge idle CPU over ${idleSeconds} s, ${opts.partitionsTotal} partitions`);
    const idleCpu = await cpuOver(edge.pid, idleSeconds * 1000);
    ctx.log(`partitions: ${opts.partitionsRate} records/s to the busy partition, ${ready} connections`);
    const cpuBefore = cpuSeconds(edge.pid);
    const busyStart = performance.now();
    const { sent, samples } = await sampleLatency(ctx, busy, opts.partitionsRate);
    const busyCpu = (cpuSeconds(edge.pid) - cpuBefore) / ((performance.now() - busyStart) / 1000);
    await ctx.pool.close();
    return {
      topics: topics.length,
      partitions: opts.partitionsTotal,
      connections: ready,
      idleCpu,
      idleSeconds,
      busyCpu,
      latency: {
        connections: ready,
        sampledConnections: ready,
        rate: opts.partitionsRate,
        recordsSent: sent,
        ...latencyOf(samples),
      },
    };
  } finally {
    await edge.stop();
  }
}
