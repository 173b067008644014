import { vi } from 'vitest';
import {
  type ClientOptions,
  type FanoutClient,
  type FanoutRecord,
  type Subscription,
  createClient,
} from '../../src/index.js';
import { FakeNetwork, type FakeSocket, type WelcomeInput } from './fake-socket.js';

/** Flushes pending microtasks (promise callbacks) under fake timers, optionally advancing time. */
export async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

/** A client on a fake network, with fake timers already installed by the caller. */
export function setup(options: Partial<ClientOptions> = {}): { net: FakeNetwork; client: FanoutClient } {
  const net = new FakeNetwork();
  const client = createClient({
    endpoints: ['ws://edge-a', 'ws://edge-b', 'ws://edge-c'],
    WebSocket: net.WebSocket,
    storage: null,
    globalEvents: null,
    random: () => 0.5,
    ...options,
  });
  return { net, client };
}

/** Opens the newest socket and answers its Hello with Welcome. */
export async function accept(net: FakeNetwork, welcome: WelcomeInput = {}): Promise<FakeSocket> {
  await tick();
  const socket = net.last.serverOpen();
  socket.welcome(welcome);
  await tick();
  return socket;
}

/** A handler that records `channel p@offset` strings. */
export function recorder(): { seen: string[]; handler: (r: FanoutRecord, s: Subscription) => void } {
  const seen: string[] = [];
  return { seen, handler: (r) => void seen.push(`${r.channel} ${r.partition}@${r.offset}`) };
}

/** A handler whose calls stay pending until released, one by one or all. */
export function gate(): {
  calls: FanoutRecord[];
  handler: (r: FanoutRecord) => Promise<void>;
  release: (error?: unknown) => void;
} {
  const calls: FanoutRecord[] = [];
  const pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  return {
    calls,
    handler: (r) =>
      new Promise<void>((resolve, reject) => {
        calls.push(r);
        pending.push({ resolve, reject });
      }),
    release: (error) => {
      const next = pending.shift();
      if (!next) throw new Error('no pending handler call');
      if (error === undefined) next.resolve();
      else next.reject(error);
    },
  };
}
