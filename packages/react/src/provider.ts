import type { FanoutClient } from '@fanout/client';
import { type ReactNode, createContext, createElement, useContext, useEffect } from 'react';

const FanoutContext = createContext<FanoutClient | null>(null);

/** Props of `FanoutProvider`. */
export interface FanoutProviderProps {
  /**
   * The client, created once outside rendering (at module scope, or in an
   * effect): a client made during render would be made twice under
   * StrictMode. A client created with `autoConnect: false` (safe to create
   * during server-side rendering) is connected when the provider mounts.
   * The provider never closes it.
   */
  client: FanoutClient;
  children?: ReactNode;
}

/** Makes `client` available to `useChannel` and `useFanoutClient` below it. */
export function FanoutProvider({ client, children }: FanoutProviderProps): ReactNode {
  useEffect(() => client.connect(), [client]);
  return createElement(FanoutContext.Provider, { value: client }, children);
}

/** The client of the nearest `FanoutProvider`; throws outside one. */
export function useFanoutClient(): FanoutClient {
  const client = useContext(FanoutContext);
  if (!client)
    throw new Error('useFanoutClient/useChannel: no <FanoutProvider client={...}> above this component');
  return client;
}
