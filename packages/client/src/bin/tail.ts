// `fanout tail <channel>`: the terminal client. Started by bin/fanout.js.
import { once } from 'node:events';
import { fileStorage } from '../file-storage.js';
import { loadNodeWebSocket } from '../node-websocket.js';
import { TAIL_USAGE, parseTailArgs } from '../tail/args.js';
import { runTail } from '../tail/run.js';
import type { WebSocketCtor } from '../types.js';

/** Runs the CLI with `argv` (without node and script paths); resolves with the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseTailArgs(argv, env, process.cwd());
  if (!parsed.ok) {
    if (parsed.help) {
      process.stdout.write(`${TAIL_USAGE}\n`);
      return 0;
    }
    for (const error of parsed.errors) process.stderr.write(`fanout: ${error}\n`);
    process.stderr.write(`${TAIL_USAGE}\n`);
    return 2;
  }
  let WebSocket = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  try {
    WebSocket ??= await loadNodeWebSocket();
  } catch {
    process.stderr.write('fanout: no WebSocket in this Node; install the `ws` package (npm install ws)\n');
    return 2;
  }
  const run = runTail(parsed.args, {
    WebSocket,
    storage: fileStorage(parsed.args.sessionFile),
    out: async (line) => {
      // Backpressure: the next record waits until stdout drained.
      if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
    },
    err: (line) => void process.stderr.write(`${line}\n`),
  });
  const stop = (): void => void run.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await run.done;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  return code;
}
