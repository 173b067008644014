import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/**
 * Messages between the supervisor and its edge workers (Node's IPC channel of
 * `child_process.fork`, JSON). Requests carry an id the answer repeats.
 */
export type SupervisorRequest = { type: 'metrics'; id: number } | { type: 'readiness'; id: number };

/** What a worker reports about itself. */
export interface WorkerReadiness {
  ready: boolean;
  reasons: string[];
}

/** Messages a worker sends to the supervisor. */
export type WorkerMessage =
  | { type: 'listening'; port: number; nodeId: string }
  | { type: 'metrics'; id: number; metrics: Array<MetricObjectWithValues<MetricValue<string>>> }
  | ({ type: 'readiness'; id: number } & WorkerReadiness);

/** The argument that makes main.ts run as worker `<n>` of a supervisor. */
export const WORKER_ARG = '--edge-worker';

/** The worker index given on the command line (`--edge-worker <n>`), if any. */
export function workerIndexOf(argv: readonly string[]): number | undefined {
  const i = argv.indexOf(WORKER_ARG);
  if (i < 0) return undefined;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${WORKER_ARG} needs a worker index, got ${argv[i + 1]}`);
  return n;
}

/** Whether a value received over IPC is a supervisor request. */
export function isSupervisorRequest(m: unknown): m is SupervisorRequest {
  if (typeof m !== 'object' || m === null) return false;
  const { type, id } = m as { type?: unknown; id?: unknown };
  return (type === 'metrics' || type === 'readiness') && typeof id === 'number';
}

/** Whether a value received over IPC is a worker message. */
export function isWorkerMessage(m: unknown): m is WorkerMessage {
  if (typeof m !== 'object' || m === null) return false;
  const { type } = m as { type?: unknown };
  return type === 'listening' || type === 'metrics' || type === 'readiness';
}
