import {
  type ClientOptions,
  type ClientState,
  type FanoutClient,
  type StateChange,
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
  /** Connection attempts, by URL. */
  attempts: string[];
  states: Array<StateChange<ClientState>>;
  /** Endpoints of each Welcome. */
  connections: string[];
  /** The `seq` of every record the handler got, in order. */
  seqs: number[];
}

/**
 * Creates a client subscribed to `channel` from `latest`, recording what its
 * handler gets; closed when the test finishes.
 */
export function sdkClient(
  channel: string,
  options: Partial<ClientOptions> & Pick<ClientOptions, 'endpoints'>,
): SdkClient {
  const { WebSocket: Ws, attempts } = countingWebSocket();
  const client = createClient({ storage: null, globalEvents: null, WebSocket: Ws, ...options });
  onTestFinished(() => client.close());
  const result: SdkClient = { client, attempts, states: [], connections: [], seqs: [] };
  client.on('state', (s) => result.states.push(s));
  client.on('connected', (e) => result.connections.push(e.endpoint));
  client.subscribe(channel, { from: 'latest' }, (record) => {
    result.seqs.push(seqOf(new TextDecoder().decode(record.payload)));
  });
  return result;
}
