import { hostname } from 'node:os';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { startEdge } from './edge.js';
import { loadUws } from './uws.js';

// The composition root: reads the environment once, wires the edge, owns
// process signals.
const bootLogger = pino({ base: { component: 'edge' } });

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, { nodeId: `${hostname()}-${process.pid}` });
  } catch (err) {
    bootLogger.fatal({ err: { message: (err as Error).message } }, (err as Error).message);
    process.exitCode = 2;
    return;
  }
  const logger = pino({ level: config.logLevel, base: { component: 'edge', node_id: config.nodeId } });
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
  const edge = await startEdge(config, { uws, logger });
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
      gc();
      gc();
      const m = process.memoryUsage();
      logger.info(
        {
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
}

main().catch((err: unknown) => {
  bootLogger.fatal({ err }, 'edge failed to start');
  process.exit(1);
});
