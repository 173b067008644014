/**
 * @fanout/client for Node (the `node` export condition): the same API as the
 * browser entry; with no `WebSocket` option and no global WebSocket (Node
 * 20), the client loads `ws` (an optional peer dependency) when it connects.
 */
import type { FanoutClient } from './api.js';
import { createClientWith } from './client.js';
import { loadNodeWebSocket } from './node-websocket.js';
import type { ClientOptions } from './options.js';

export * from './index.js';

/**
 * Creates a client and starts connecting (after loading its stored session,
 * if any), unless `autoConnect` is false. Throws `invalid_options` naming
 * every invalid option.
 */
export function createClient(options: ClientOptions): FanoutClient {
  return createClientWith(options, loadNodeWebSocket);
}
