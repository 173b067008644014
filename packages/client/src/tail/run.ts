import type { FanoutClient } from '../api.js';
import { createClient } from '../client.js';
import type { FanoutClientError } from '../errors.js';
import type { SessionStorage, WebSocketCtor } from '../types.js';
import type { TailArgs } from './args.js';
import { formatRecord } from './format.js';

/** What `runTail` needs from the process; injected so tests run it against a fake edge. */
export interface TailDeps {
  WebSocket: WebSocketCtor;
  storage: SessionStorage;
  /** Writes a line to stdout; returns a promise when the stream needs draining. */
  out(line: string): void | Promise<void>;
  /** Writes a line to stderr. */
  err(line: string): void;
}

/** A running tail: `stop()` closes the client (acks and session saved); `done` resolves with the exit code. */
export interface TailRun {
  client: FanoutClient;
  stop(): Promise<void>;
  done: Promise<number>;
}

/** Subscribes to the channel and prints each record until stopped or refused. */
export function runTail(args: TailArgs, deps: TailDeps): TailRun {
  const client = createClient({
    endpoints: args.endpoints,
    ...(args.token ? { token: args.token } : {}),
    WebSocket: deps.WebSocket,
    storage: deps.storage,
    name: `tail:${args.channel}`,
    globalEvents: null,
  });
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  client.on('state', (change) => {
    deps.err(`# ${change.to} (${change.message})`);
    if (change.to === 'closed') {
      const error: FanoutClientError | undefined = change.error;
      if (error) deps.err(`# error: ${error.message}`);
      finish(error ? 1 : 0);
    }
  });
  client.on('connected', (e) =>
    deps.err(`# session ${e.sessionId} on ${e.endpoint}${e.resumed ? ' (resumed)' : ''}`),
  );
  client.on('error', (e) => deps.err(`# ${e.code}: ${e.message}`));
  const sub = client.subscribe(args.channel, { from: args.from }, (record) => deps.out(formatRecord(record)));
  sub.on('continuityLost', (e) =>
    deps.err(
      `# continuity lost on partition ${e.partition}: offsets ${e.requestedOffset}..${e.availableOffset - 1} are gone`,
    ),
  );
  sub.on('error', ({ error }) => {
    deps.err(`# ${error.code}: ${error.message}`);
    // Printing failed (stdout closed): nothing sensible to retry.
    if (error.code === 'handler_failed') void client.close();
  });
  return { client, stop: () => client.close(), done };
}
