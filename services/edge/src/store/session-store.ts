import type { AckBatch } from '@fanout/core';

/** A session as stored: its subject and, per subscribed channel, the acked offset per partition. */
export interface StoredSession {
  id: string;
  subject: string;
  /** channel → partition → highest acked offset (-1: nothing). */
  subscriptions: Map<string, Map<number, number>>;
  /**
   * channel → the topic's id when the subscription's positions were stored
   * (absent: unknown). A different id now means the topic was recreated and
   * the positions belong to the old one.
   */
  epochs: Map<string, string>;
}

/**
 * Where sessions live (Redis in production, memory for a single node). Every
 * write refreshes the session's TTL. Ack writes keep the maximum per
 * (channel, partition): an older edge flushing late never moves an ack back.
 * Failures reject with a retriable StoreError.
 */
export interface SessionStore {
  create(id: string, subject: string): Promise<void>;
  load(id: string): Promise<StoredSession | null>;
  /**
   * Adds a subscription with its starting positions (acked = start - 1), or
   * replaces the positions of an existing one; `epoch` is the topic's id.
   */
  subscribe(id: string, channel: string, positions: Map<number, number>, epoch?: string): Promise<void>;
  unsubscribe(id: string, channel: string): Promise<void>;
  /** Persists a batch of acks (max-merge); ignores channels no longer subscribed. */
  writeAcks(batch: AckBatch): Promise<void>;
  /** Refreshes a session's TTL. */
  touch(id: string): Promise<void>;
  /** Resolves when the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
