import type {
  FanoutClientError,
  FanoutRecord,
  StartFrom,
  Subscription,
  SubscriptionState,
} from '@fanout/client';
import { useEffect, useRef, useState } from 'react';
import { useFanoutClient } from './provider.js';

/** Options of `useChannel`. */
export interface UseChannelOptions<T = Uint8Array> {
  /** Where the subscription starts (see `SubscribeOptions.from`); read when it is made. Default `'latest'`. */
  from?: StartFrom;
  /** Turns payloads into `record.value` (e.g. `json<Price>`); read when the subscription is made. */
  decode?: (payload: Uint8Array) => T;
  /** How many of the latest records `records` keeps. Default 100. */
  maxRecords?: number;
}

/** What `useChannel` returns: the latest records and the subscription's state. */
export interface ChannelView<T = Uint8Array> {
  /** The latest records, oldest first, at most `maxRecords`. */
  records: readonly FanoutRecord<T>[];
  /** The latest record. */
  last: FanoutRecord<T> | undefined;
  /** The subscription's state; `idle` with no channel. */
  state: SubscriptionState | 'idle';
  /** The latest error (a refused subscription, a failed decode). */
  error: FanoutClientError | undefined;
}

const idle: ChannelView<never> = { records: [], last: undefined, state: 'idle', error: undefined };

/**
 * Subscribes to `channel` while the component is mounted (none for a null or
 * empty channel) and returns its latest records and state. Safe under
 * StrictMode's double mount and fast refresh: the handle of an unmount is
 * released a tick later, so a remount joins the same subscription instead of
 * leaving and re-subscribing the channel. A record counts as processed once
 * it is in the state.
 */
export function useChannel<T = Uint8Array>(
  channel: string | null | undefined,
  options: UseChannelOptions<T> = {},
): ChannelView<T> {
  const client = useFanoutClient();
  const [view, setView] = useState<ChannelView<T>>(idle);
  const latest = useRef(options);
  latest.current = options;
  const max = Math.max(1, options.maxRecords ?? 100);

  useEffect(() => {
    if (!channel) {
      setView(idle);
      return;
    }
    const { from, decode } = latest.current;
    let live = true;
    const sub: Subscription<T> = client.subscribe<T>(
      channel,
      { ...(from ? { from } : {}), ...(decode ? { decode } : {}) },
      (record) => {
        if (!live) return;
        setView((v) => ({ ...v, records: [...v.records.slice(1 - max), record], last: record }));
      },
    );
    setView({ ...idle, state: sub.state });
    const offState = sub.on('state', (c) => {
      if (live) setView((v) => ({ ...v, state: c.to, error: c.error ?? v.error }));
    });
    const offError = sub.on('error', (e) => {
      if (live) setView((v) => ({ ...v, error: e.error }));
    });
    return () => {
      live = false;
      offState();
      offError();
      setTimeout(() => sub.unsubscribe(), 0);
    };
  }, [client, channel, max]);

  return view;
}
