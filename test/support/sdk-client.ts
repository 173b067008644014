import {
  type ClientOptions,
  type ClientState,
  type FanoutClient,
  type StartFrom,
  type StateChange,
  type Subscription,
  type WebSocketCtor,
  createClient,
} from '@fanout/client';
import { onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { seqOf } from './sdk-fixtures.js';

/** `ws`'s WebSocket, counting every connection attempt (one per construction). */
export function countingWebSocket(): { WebSocket: WebSocketCtor; attempts: string[] } {
  const attempts: string[] = [];
  class Counting extends WebSocket {
    constructor(url: string) {
      super(url);
      attempts.push(url);
    }
  }
  return { WebSocket: Counting as unknown as WebSocketCtor, attempts };
}

/** An SDK client in Node (ws, no storage, no global events) and what it went through. */
export interface SdkClient {
  client: FanoutClient;
  /** The handle of the channel's subscription. */
  subscription: Subscription;
  /** Connection attempts, by URL. */
  attempts: string[];
  states: Array<StateChange<ClientState>>;
  /** Endpoints of each Welcome. */
  connections: string[];
  /** The `seq` of every record the handler got, in order. */
  seqs: number[];
}

/**
 * Creates a client subscribed to `channel` from `from` (default `latest`),
 * recording what its handler gets; closed when the test finishes.
 */
export function sdkClient(
  channel: string,
  options: Partial<ClientOptions> & Pick<ClientOptions, 'endpoints'> & { from?: StartFrom },
): SdkClient {
  const { WebSocket: Ws, attempts } = countingWebSocket();
  const { from = 'latest', ...clientOptions } = options;
  const client = createClient({ storage: null, globalEvents: null, WebSocket: Ws, ...clientOptions });
  onTestFinished(() => client.close());
  const states: Array<StateChange<ClientState>> = [];
  const connections: string[] = [];
  const seqs: number[] = [];
  client.on('state', (s) => states.push(s));
  client.on('connected', (e) => connections.push(e.endpoint));
  const subscription = client.subscribe(channel, { from }, (record) => {
    seqs.push(seqOf(new TextDecoder().decode(record.payload)));
  });
  return { client, subscription, attempts, states, connections, seqs };
}
