import { type ChildProcess, fork } from 'node:child_process';
import type { Logger } from 'pino';
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client';
import type { EdgeConfig } from '../config.js';
import { freePortOn } from '../free-port.js';
import { type AdminServer, startAdminServer } from './admin-server.js';
import { WORKER_ARG, type WorkerMessage, type WorkerReadiness, isWorkerMessage } from './ipc.js';

/**
 * Edge workers on one host and one port. The supervisor forks `workers` edge
 * processes (main.ts with `--edge-worker <n>`), each a full edge with its own
 * Kafka reader, window, uWS app and store connections, all listening on the
 * same port: uSockets sets SO_REUSEPORT on every listen socket with a port
 * (unless LIBUS_LISTEN_EXCLUSIVE_PORT), so the kernel spreads new
 * connections over the workers' listen sockets (a hash of the 4-tuple).
 * Sessions live in the shared store, so a client resumes on any worker
 * exactly as on another edge. The supervisor holds no connection: it
 * restarts a worker that died, drains every worker on SIGTERM and serves the
 * host's /metrics (every worker's series, labelled `worker`) and /readyz on
 * its admin port.
 */
export interface SupervisorOptions {
  config: EdgeConfig;
  /** The environment the workers inherit (EDGE_PORT, EDGE_NODE_ID and EDGE_WORKERS are set per worker). */
  env: Record<string, string | undefined>;
  /** The script the workers run (main.ts) and node's flags (e.g. `--import tsx`). */
  entry: string;
  execArgv: string[];
  logger: Logger;
  /** Exits the process (injected so tests of the supervisor need not). */
  exit: (code: number) => void;
}

/** A running supervisor. */
export interface Supervisor {
  readonly port: number;
  readonly adminPort: number;
  /** SIGTERM to every worker, then resolves with the exit code once all have exited (0: all drained cleanly). */
  stop(reason: string): Promise<number>;
  /** Forwards a signal (SIGHUP: TLS reload, SIGUSR2: GC) to every worker. */
  forward(signal: NodeJS.Signals): void;
}

interface Slot {
  index: number;
  child?: ChildProcess;
  nodeId: string;
  listening: boolean;
  restarts: number;
  /** Exits in a row that came soon after a start: the restart backs off. */
  quickExits: number;
  startedAt: number;
  restartTimer?: NodeJS.Timeout;
  exited?: Promise<void>;
}

/** A worker that ran this long before dying restarts at once; sooner, it backs off. */
const STABLE_AFTER_MS = 10_000;
/** How long the supervisor waits for a worker's answer to /metrics or /readyz. */
const ASK_TIMEOUT_MS = 2_000;

/**
 * The delay before restarting a worker that died: at once after a stable run,
 * then 250 ms doubling per quick exit in a row, at most 10 s, so a worker
 * that cannot start (Kafka credentials, a port taken) does not spin.
 */
export function restartDelayMs(quickExits: number): number {
  if (quickExits <= 0) return 0;
  return Math.min(10_000, 250 * 2 ** (quickExits - 1));
}

/** Exit codes after which a restart cannot help: the configuration (2) or the uWS binary (3). */
const FATAL_EXIT_CODES = new Set([2, 3]);

/** Starts the supervisor and its workers; resolves once every worker listens. */
export async function startSupervisor(o: SupervisorOptions): Promise<Supervisor> {
  const { config, logger } = o;
  // uWS's own port 0 has no SO_REUSEPORT: the workers need one concrete port.
  const port = config.port === 0 ? await freePortOn(config.host) : config.port;
  const baseId = config.nodeId;
  const slots: Slot[] = Array.from({ length: config.workers }, (_, index) => ({
    index,
    nodeId: `${baseId}-w${index}`,
    listening: false,
    restarts: 0,
    quickExits: 0,
    startedAt: 0,
  }));
  let stopping: Promise<number> | undefined;
  let fatal: number | undefined;

  const registry = new Registry();
  new Gauge({
    name: 'fanout_workers',
    help: 'Edge workers this supervisor runs (EDGE_WORKERS)',
    registers: [registry],
    collect() {
      this.set(slots.length);
    },
  });
  new Gauge({
    name: 'fanout_workers_listening',
    help: 'Edge workers running and listening',
    registers: [registry],
    collect() {
      this.set(slots.filter((s) => s.listening).length);
    },
  });
  const restartsTotal = new Counter({
    name: 'fanout_worker_restarts_total',
    help: 'Edge workers restarted after they died',
    labelNames: ['worker'],
    registers: [registry],
  });

  let nextId = 0;
  const pending = new Map<number, (m: WorkerMessage) => void>();
  const ask = <T extends WorkerMessage>(
    slot: Slot,
    type: 'metrics' | 'readiness',
  ): Promise<T | undefined> => {
    const child = slot.child;
    if (!child?.connected || !slot.listening) return Promise.resolve(undefined);
    const id = ++nextId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(undefined);
      }, ASK_TIMEOUT_MS);
      pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m as T);
      });
      child.send({ type, id }, (err) => {
        if (!err) return;
        clearTimeout(timer);
        pending.delete(id);
        resolve(undefined);
      });
    });
  };

  let admin: AdminServer | undefined;
  const stopAll = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      logger.info({ reason, workers: slots.length }, 'stopping every worker');
      for (const slot of slots) {
        clearTimeout(slot.restartTimer);
        slot.child?.kill('SIGTERM');
      }
      // Each worker drains (GoAway, acks flushed) within SHUTDOWN_TIMEOUT_MS; a straggler is killed.
      const deadline = setTimeout(() => {
        for (const slot of slots) {
          if (!slot.child) continue;
          logger.error(
            { worker: slot.index, pid: slot.child.pid },
            'worker did not drain in time; killing it',
          );
          slot.child.kill('SIGKILL');
        }
      }, config.shutdownTimeoutMs + 2_000);
      const codes = await Promise.all(
        slots.map(
          (slot) =>
            new Promise<number | null>((resolve) => {
              const child = slot.child;
              if (!child) return resolve(0);
              if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
              child.once('exit', (code) => resolve(code));
            }),
        ),
      );
      clearTimeout(deadline);
      await admin?.close();
      logger.info({ reason, exit_codes: codes }, 'every worker stopped');
      return fatal ?? (codes.every((c) => c === 0) ? 0 : 1);
    })();
    return stopping;
  };

  const listeners: Array<() => void> = [];
  const spawnWorker = (slot: Slot) => {
    slot.restartTimer = undefined;
    slot.listening = false;
    slot.startedAt = Date.now();
    const child = fork(o.entry, [WORKER_ARG, String(slot.index)], {
      execArgv: o.execArgv,
      env: { ...o.env, EDGE_WORKERS: '1', EDGE_PORT: String(port), EDGE_NODE_ID: slot.nodeId },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    slot.child = child;
    logger.info({ worker: slot.index, pid: child.pid, node_id: slot.nodeId }, 'worker started');
    child.on('message', (m: unknown) => {
      if (!isWorkerMessage(m)) return;
      if (m.type === 'listening') {
        slot.listening = true;
        logger.info(
          { worker: slot.index, pid: child.pid, node_id: m.nodeId, port: m.port },
          'worker listening',
        );
        for (const l of listeners.splice(0)) l();
        return;
      }
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    });
    slot.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        slot.listening = false;
        slot.child = undefined;
        for (const l of listeners.splice(0)) l();
        resolve();
        if (stopping) {
          logger.info({ worker: slot.index, pid: child.pid, code, signal }, 'worker exited');
          return;
        }
        if (code !== null && FATAL_EXIT_CODES.has(code)) {
          logger.fatal(
            { worker: slot.index, pid: child.pid, code },
            'worker cannot start; stopping every worker',
          );
          fatal = code;
          void stopAll('a worker cannot start').then(o.exit);
          return;
        }
        slot.quickExits = Date.now() - slot.startedAt < STABLE_AFTER_MS ? slot.quickExits + 1 : 0;
        slot.restarts++;
        restartsTotal.inc({ worker: String(slot.index) });
        slot.nodeId = `${baseId}-w${slot.index}-r${slot.restarts}`;
        const delay = restartDelayMs(slot.quickExits);
        logger.warn(
          { worker: slot.index, pid: child.pid, code, signal, restarts: slot.restarts, restart_in_ms: delay },
          'worker died; restarting it',
        );
        slot.restartTimer = setTimeout(() => spawnWorker(slot), delay);
      });
    });
  };

  const readiness = async () => {
    const workers = await Promise.all(
      slots.map(async (slot) => {
        const r = await ask<{ type: 'readiness'; id: number } & WorkerReadiness>(slot, 'readiness');
        return {
          worker: slot.index,
          pid: slot.child?.pid ?? null,
          node_id: slot.nodeId,
          listening: slot.listening,
          ready: r?.ready ?? false,
          reasons: r ? r.reasons : [slot.listening ? 'no answer' : 'not running'],
          restarts: slot.restarts,
        };
      }),
    );
    const ready = stopping === undefined && workers.every((w) => w.ready);
    return { ready, stopping: stopping !== undefined, workers };
  };
  const metrics = async () => {
    const answers = await Promise.all(
      slots.map((slot) => ask<Extract<WorkerMessage, { type: 'metrics' }>>(slot, 'metrics')),
    );
    const perWorker = AggregatorRegistry.aggregate(answers.flatMap((a) => (a ? [a.metrics] : [])));
    const merged = Registry.merge([perWorker as Registry, registry]);
    return { contentType: registry.contentType, body: await merged.metrics() };
  };

  for (const slot of slots) spawnWorker(slot);
  // Every worker listening (or the first fatal exit).
  await new Promise<void>((resolve) => {
    const check = () => {
      if (slots.every((s) => s.listening) || fatal !== undefined || stopping) resolve();
      else listeners.push(check);
    };
    check();
  });

  const adminPort = config.adminPort ?? (config.port === 0 ? 0 : port + 1 <= 65535 ? port + 1 : 0);
  if (fatal === undefined && !stopping) {
    try {
      admin = await startAdminServer({
        host: config.host,
        port: adminPort,
        readiness,
        metrics: config.metricsEnabled ? metrics : undefined,
        logger,
      });
    } catch (err) {
      await stopAll('the admin port cannot listen');
      throw err;
    }
  }

  const supervisor: Supervisor = {
    port,
    adminPort: admin?.port ?? adminPort,
    stop: stopAll,
    forward(signal) {
      for (const slot of slots) slot.child?.kill(signal);
    },
  };
  if (fatal !== undefined) return supervisor;
  logger.info(
    {
      port,
      host: config.host,
      admin_port: supervisor.adminPort,
      workers: slots.map((s) => ({ worker: s.index, pid: s.child?.pid, node_id: s.nodeId })),
    },
    'edge workers listening',
  );
  return supervisor;
}
