import type { ClientStateReason, SubscriptionStateReason } from './types.js';

/** A connection state change's reason as text, for logs. */
export function clientReasonText(r: ClientStateReason): string {
  switch (r.type) {
    case 'welcome':
      return r.resumed ? 'session resumed' : 'session created';
    case 'closed':
      return `closed ${r.code}${r.reason ? ` ${r.reason}` : ''}`;
    case 'go-away':
      return `go away${r.message ? `: ${r.message}` : ''}`;
    case 'manual':
      return r.action === 'close' ? 'client closed' : 'reconnect requested';
    case 'no-websocket':
      return 'no WebSocket implementation';
    default:
      return r.type.replace(/-/g, ' ');
  }
}

/** A subscription state change's reason as text, for logs. */
export function subscriptionReasonText(r: SubscriptionStateReason): string {
  return r.type === 'subscribe' ? `subscribe (${r.cause})` : r.type.replace(/-/g, ' ');
}
