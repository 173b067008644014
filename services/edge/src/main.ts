import { hostname } from 'node:os';
import { getHeapSpaceStatistics } from 'node:v8';
import { pino } from 'pino';
import { type EdgeConfig, loadConfig } from './config.js';
import { workerIndexOf } from './workers/ipc.js';

// The composition root: reads the environment once, wires the edge (or, with
// EDGE_WORKERS > 1, the supervisor of edge worker processes), owns process signals.
const bootLogger = pino({ base: { component: 'edge' } });

async function main(): Promise<void> {
  let config: EdgeConfig;
  let workerIndex: number | undefined;
  try {
    workerIndex = workerIndexOf(process.argv);
    config = loadConfig(process.env, { nodeId: `${hostname()}-${process.pid}` });
  } catch (err) {
    bootLogger.fatal({ err: { message: (err as Error).message } }, (err as Error).message);
    process.exitCode = 2;
    return;
  }
  if (workerIndex === undefined && config.workers > 1) return supervise(config);
  // Imported here, not at the top: a supervisor loads none of the edge (uWS, Kafka, Redis clients).
  const [{ startEdge }, { EdgeMetrics }, { loadUws }, { serveSupervisor }] = await Promise.all([
    import('./edge.js'),
    import('./metrics.js'),
    import('./uws.js'),
    import('./workers/worker.js'),
  ]);
  const logger = pino({
    level: config.logLevel,
    base: {
      component: 'edge',
      node_id: config.nodeId,
      ...(workerIndex !== undefined ? { worker: workerIndex } : {}),
    },
  });
  const uws = loadUws();
  if (!uws.native) {
    if (!config.allowUwsFallback) {
      logger.fatal(
        'uWebSockets.js native binary did not load (it fell back to a slow pure-JS server); refusing to start. Set UWS_ALLOW_FALLBACK=true to run anyway.',
      );
      process.exitCode = 3;
      return;
    }
    logger.warn('uWebSockets.js runs its pure-JS fallback: expect much lower performance');
  }
  const metrics = new EdgeMetrics();
  // A worker's series carry its index, so the supervisor's merged /metrics keeps them apart.
  if (workerIndex !== undefined) metrics.registry.setDefaultLabels({ worker: String(workerIndex) });
  const edge = await startEdge(config, { uws, logger, metrics });
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    const deadline = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    edge.stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Only when Node runs with --expose-gc (the benchmark's memory scenario):
  // a full GC on SIGUSR2, so RSS can be measured without garbage, and the
  // retained JS heap logged.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc)
    process.on('SIGUSR2', () => {
      // Before the GC too: what the RSS before a GC holds (garbage, the young generation's size).
      const b = process.memoryUsage();
      const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      gc();
      gc();
      const m = process.memoryUsage();
      logger.info(
        {
          before_gc_rss_bytes: b.rss,
          before_gc_heap_total_bytes: b.heapTotal,
          before_gc_heap_used_bytes: b.heapUsed,
          before_gc_new_space_bytes: young?.space_size,
          heap_used_bytes: m.heapUsed,
          heap_total_bytes: m.heapTotal,
          external_bytes: m.external,
          array_buffers_bytes: m.arrayBuffers,
          rss_bytes: m.rss,
        },
        'heap after a full GC',
      );
    });
  if (edge.tls)
    process.on('SIGHUP', () => {
      edge.reloadTls('SIGHUP').catch((err: unknown) => logger.error({ err }, 'TLS reload failed'));
    });
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  if (workerIndex !== undefined)
    serveSupervisor(edge, { nodeId: config.nodeId, logger, orphaned: () => onSignal('supervisor gone') });
}

/** EDGE_WORKERS > 1: this process only supervises; the workers are full edges. */
async function supervise(config: EdgeConfig): Promise<void> {
  const logger = pino({ level: config.logLevel, base: { component: 'supervisor', node_id: config.nodeId } });
  const { startSupervisor } = await import('./workers/supervisor.js');
  const entry = process.argv[1];
  if (!entry) throw new Error('cannot tell which script to run the workers with');
  const supervisor = await startSupervisor({
    config,
    env: process.env,
    entry,
    execArgv: process.execArgv,
    logger,
    exit: (code) => process.exit(code),
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal: killing every worker');
      supervisor.forward('SIGKILL');
      process.exit(1);
    }
    supervisor.stop(signal).then((code) => process.exit(code));
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  if (config.tls) process.on('SIGHUP', () => supervisor.forward('SIGHUP'));
  process.on('SIGUSR2', () => supervisor.forward('SIGUSR2'));
}

main().catch((err: unknown) => {
  bootLogger.fatal({ err }, 'edge failed to start');
  process.exit(1);
});
