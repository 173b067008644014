import type { AckBatch, SessionQuota } from '@fanout/core';

/** A session as stored: its subject and, per subscribed channel, the acked offset per partition. */
export interface StoredSession {
  id: string;
  subject: string;
  /** channel → partition → highest acked offset (-1: nothing). */
  subscriptions: Map<string, Map<number, number>>;
  /**
   * channel → the topic's Kafka id when its positions were stored (absent:
   * unknown). A different id now means the topic was deleted and recreated:
   * the positions belong to the old one.
   */
  topicIds: Map<string, string>;
}

/** A session claimed by a connection: its state and the owner epoch its writes must carry. */
export interface ClaimedSession {
  session: StoredSession;
  epoch: number;
}

/** Who holds a session now, as seen by its own subject (see `peek`). */
export interface SessionHolder {
  /** The current owner epoch. */
  epoch: number;
  /** Node id of the edge whose connection holds it; empty when released. */
  node: string;
}

/**
 * Why a write of an owner was not stored: `fenced`, a newer connection took
 * the session over; `gone`, the session no longer exists (expired, evicted,
 * Redis flushed). Keyed by `ownerKey(sessionId, epoch)`.
 */
export type OwnerRefusal = 'fenced' | 'gone';

/** Answer of `writeAcks`. */
export interface AckWriteResult {
  refused: Map<string, OwnerRefusal>;
  retry: AckBatch;
}

/** Answer of `subscribe`. */
export type SubscribeOutcome = 'ok' | 'full' | OwnerRefusal;

/** Answer of `create`. */
export type CreateOutcome = { kind: 'created'; epoch: number; evicted: number } | { kind: 'rate-limited' };

/** A message between edges about a session's owner. */
export interface TakeoverMessage {
  /**
   * `request`: the edge `node` holding `(id, epoch)` should write that
   * owner's pending acks, close it (4101) and answer `released`.
   * `released`: it did. `claimed`: `(id, epoch)` is the new owner; any other
   * connection of the session must close.
   */
  kind: 'request' | 'released' | 'claimed';
  id: string;
  epoch: number;
  node: string;
}

/**
 * Where sessions live (Redis in production, memory for a single node).
 *
 * Ownership (see `@fanout/core` session-owner): `create` and `claim` make the
 * caller the owner with a new epoch; every later write of the session names
 * its epoch and is refused (`fenced`) once a newer owner claimed it. The
 * subject is checked before a session is touched: a session of another
 * subject reads exactly like a missing one.
 *
 * Ack writes keep the maximum per (channel, partition): an older edge
 * flushing late never moves an ack back. Infrastructure failures reject with
 * a retriable StoreError.
 */
export interface SessionStore {
  /** Creates a session owned by `node` (epoch 1), within the subject's quota. */
  create(id: string, subject: string, node: string, quota: SessionQuota): Promise<CreateOutcome>;
  /** The session's holder, or null when it does not exist or is another subject's. Touches nothing. */
  peek(id: string, subject: string): Promise<SessionHolder | null>;
  /** Takes the session over for `node` (epoch + 1) and loads it; null as for `peek`. */
  claim(id: string, subject: string, node: string): Promise<ClaimedSession | null>;
  /** The owner's connection ended: the session is idle from now (its TTL runs). */
  release(id: string, epoch: number): Promise<void>;
  /** Adds a subscription with its starting positions (acked = start - 1), at most `max` per session, or replaces its positions. */
  subscribe(
    id: string,
    epoch: number,
    channel: string,
    positions: Map<number, number>,
    max: number,
    /** The topic's id: the epoch of the positions (see `StoredSession.topicIds`). */
    topicId?: string,
  ): Promise<SubscribeOutcome>;
  unsubscribe(id: string, epoch: number, channel: string): Promise<void>;
  /**
   * Persists a batch of acks keyed by owner key (max-merge); ignores channels
   * no longer subscribed. Returns the owners whose acks were refused, and in
   * `retry` the acks of sessions whose shard failed (the others are written:
   * one failing session or shard never holds back the rest). Rejects only
   * when nothing could be written.
   */
  writeAcks(batch: AckBatch): Promise<AckWriteResult>;
  /** Refreshes the TTL of connected sessions (owner keys), in one batch; returns the refused ones. */
  touch(owners: readonly string[]): Promise<Map<string, OwnerRefusal>>;
  /** Sends a takeover message to every edge (including this one). */
  announce(message: TakeoverMessage): Promise<void>;
  /** Receives every takeover message (the edge registers one listener). */
  onTakeover(listener: (message: TakeoverMessage) => void): void;
  /** Marks this edge alive for a few seconds (called every second), and checks the store answers. */
  heartbeat(node: string): Promise<void>;
  /** This edge stops: it is no longer alive (resumes of its sessions do not wait for it). */
  leave(node: string): Promise<void>;
  /** Whether edge `node` marked itself alive recently. */
  isAlive(node: string): Promise<boolean>;
  close(): Promise<void>;
}
