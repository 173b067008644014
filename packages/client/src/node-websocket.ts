import type { WebSocketCtor } from './types.js';

/**
 * The Node entry's WebSocket when neither the option nor a global one exists
 * (Node 20): `ws`, an optional peer dependency, loaded when first needed.
 */
export async function loadNodeWebSocket(): Promise<WebSocketCtor> {
  const ws = (await import('ws')) as { WebSocket?: unknown; default?: unknown };
  const Ctor = ws.WebSocket ?? ws.default;
  if (typeof Ctor !== 'function') throw new Error('the `ws` package has no WebSocket export');
  return Ctor as WebSocketCtor;
}
