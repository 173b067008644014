import type { Logger } from 'pino';
import type { Edge } from '../edge.js';
import { type WorkerMessage, isSupervisorRequest } from './ipc.js';

/**
 * The worker's side of the supervisor link: reports that it listens, answers
 * the supervisor's metrics and readiness requests, and calls `orphaned` when
 * the supervisor is gone (its IPC channel closed: it died, even by SIGKILL),
 * so no worker outlives it.
 */
export function serveSupervisor(
  edge: Edge,
  o: { nodeId: string; logger: Logger; orphaned: () => void },
): void {
  const send = (m: WorkerMessage) => {
    if (process.connected) process.send?.(m);
  };
  process.on('message', (m: unknown) => {
    if (!isSupervisorRequest(m)) return;
    if (m.type === 'readiness') {
      send({ type: 'readiness', id: m.id, ready: edge.ready, reasons: edge.readiness().reasons });
      return;
    }
    edge.metrics.registry.getMetricsAsJSON().then(
      (metrics) => send({ type: 'metrics', id: m.id, metrics }),
      (err: unknown) => o.logger.error({ err }, 'metrics for the supervisor failed'),
    );
  });
  process.once('disconnect', () => {
    o.logger.warn('supervisor gone; stopping');
    o.orphaned();
  });
  send({ type: 'listening', port: edge.port, nodeId: o.nodeId });
}
