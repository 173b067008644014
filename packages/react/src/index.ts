/**
 * @fanout/react: React bindings of @fanout/client.
 *
 * ```tsx
 * const client = createClient({ endpoints: 'wss://edge.example', autoConnect: false });
 * <FanoutProvider client={client}><Ticker /></FanoutProvider>
 * function Ticker() {
 *   const { last, state } = useChannel('prices:AAPL', { decode: json<Price> });
 *   ...
 * }
 * ```
 */
export { FanoutProvider, useFanoutClient } from './provider.js';
export type { FanoutProviderProps } from './provider.js';
export { useChannel } from './use-channel.js';
export type { ChannelView, UseChannelOptions } from './use-channel.js';
