/**
 * Last-resort cleanup of the servers this process started, for when it ends
 * without stopping them (a crashed test run, an unhandled error, a signal).
 * Each entry must be synchronous: on 'exit' nothing asynchronous runs any more.
 * The watchdog (watchdog.ts) covers what this cannot: a SIGKILLed parent.
 */
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function runAll(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // best effort: the others must still run
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Someone else (the CLI, vitest) owns this signal and will stop the servers
  // in order; stay out of its way. Otherwise clean up and die as the signal says.
  if (process.listenerCount(signal) > 1) return;
  runAll();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of signals) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', runAll);
  for (const signal of signals) process.off(signal, onSignal);
}

/**
 * Registers a synchronous cleanup to run if the process exits first; returns
 * the function that unregisters it (call it once the resource is released).
 */
export function registerCleanup(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) uninstall();
  };
}
