import { type WriteBehind, ownerKey, parseOwnerKey, planTakeover } from '@fanout/core';
import { CloseCode, ErrorCode } from '@fanout/protocol';
import type { Logger } from 'pino';
import type { Connection } from './connection.js';
import type { OwnerRefusal, SessionHolder, SessionStore, TakeoverMessage } from './store/session-store.js';

/** Options of {@link SessionOwners}. */
export interface SessionOwnersOptions {
  store: SessionStore;
  acks: WriteBehind;
  nodeId: string;
  logger: Logger;
  /** How long a takeover waits for the holding edge to write its acks and let go. */
  releaseWaitMs: number;
  /** How long the holding edge waits for those acks to be written. */
  flushTimeoutMs: number;
  /** Told when a connection of this edge was taken over (metrics). */
  onTakenOver?(): void;
}

/**
 * The sessions owned by this edge's connections, and the one-owner rule
 * across edges (see "Sessions" in the .proto): a resume first makes the
 * current holder let go (locally, or by asking its edge over the store's
 * takeover messages, with a bounded wait), then claims a new owner epoch.
 * The holder writes its pending acks before closing 4101, so nothing it
 * acked is lost; anything it sends later is refused by the store's epoch
 * check. Also refreshes the TTL of connected sessions in batches, and closes
 * connections whose session vanished.
 */
export class SessionOwners {
  readonly #bySession = new Map<string, Connection>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #o: SessionOwnersOptions;

  constructor(options: SessionOwnersOptions) {
    this.#o = options;
    options.store.onTakeover((m) => this.#onMessage(m));
  }

  /** Connections owning a session here. */
  get size(): number {
    return this.#bySession.size;
  }

  /**
   * Makes whoever holds session `id` let go, before a resume claims it.
   * Returns the holder as seen before, or null when the session does not
   * exist or belongs to another subject (the caller answers both alike).
   */
  async takeOver(id: string, subject: string): Promise<SessionHolder | null> {
    const { store, nodeId } = this.#o;
    const holder = await store.peek(id, subject);
    if (!holder) return null;
    const remote = holder.node !== '' && holder.node !== nodeId;
    const alive = remote ? await store.isAlive(holder.node) : true;
    const plan = planTakeover(holder.node, nodeId, alive);
    if (plan.kind === 'local') await this.#letGo(id, holder.epoch);
    else if (plan.kind === 'remote') {
      const released = this.#released(ownerKey(id, holder.epoch));
      await store.announce({ kind: 'request', id, epoch: holder.epoch, node: plan.node });
      await released;
    }
    return holder;
  }

  /** `conn` owns its session (`conn.sessionId`, `conn.epoch`) from now. */
  own(conn: Connection): void {
    const previous = this.#bySession.get(conn.sessionId);
    this.#bySession.set(conn.sessionId, conn);
    if (previous && previous !== conn && !previous.closed) this.#fence(previous);
    // Any other edge still holding the session (a race, or a holder that did not answer) lets go.
    this.#o.store
      .announce({ kind: 'claimed', id: conn.sessionId, epoch: conn.epoch, node: this.#o.nodeId })
      .catch(() => undefined);
  }

  /** `conn` closed: its session is idle from now, unless it was taken over. */
  closed(conn: Connection): void {
    if (!conn.sessionId || this.#bySession.get(conn.sessionId) !== conn) return;
    this.#bySession.delete(conn.sessionId);
    if (!conn.fenced) this.#o.store.release(conn.sessionId, conn.epoch).catch(() => undefined);
  }

  /** Closes the connections whose writes the store refused. */
  refused(refusals: Map<string, OwnerRefusal>): void {
    for (const [key, why] of refusals) {
      const owner = parseOwnerKey(key);
      const conn = owner && this.#bySession.get(owner.sessionId);
      if (!conn || conn.epoch !== owner.epoch || conn.closed) continue;
      if (why === 'fenced') this.#fence(conn);
      else this.vanished(conn);
    }
  }

  /** The session of `conn` no longer exists in the store: tell the client (4100). */
  vanished(conn: Connection): void {
    if (conn.closed) return;
    conn.fenced = true;
    this.#bySession.delete(conn.sessionId);
    conn.log.warn('session vanished from the store while connected');
    conn.error(ErrorCode.SESSION_NOT_FOUND, 'session expired or evicted from the store');
    conn.close(CloseCode.SESSION_NOT_FOUND, 'session not found');
  }

  /** Refreshes the TTL of every connected session, in one store batch. */
  async refreshTtl(): Promise<void> {
    const keys = [...this.#bySession.values()]
      .filter((c) => !c.closed)
      .map((c) => ownerKey(c.sessionId, c.epoch));
    if (keys.length === 0) return;
    this.refused(await this.#o.store.touch(keys));
  }

  #onMessage(m: TakeoverMessage): void {
    const key = ownerKey(m.id, m.epoch);
    if (m.kind === 'released') {
      const waiters = this.#waiters.get(key);
      this.#waiters.delete(key);
      for (const w of waiters ?? []) w();
    } else if (m.kind === 'request' && m.node === this.#o.nodeId) {
      void this.#letGo(m.id, m.epoch).then(() =>
        this.#o.store
          .announce({ kind: 'released', id: m.id, epoch: m.epoch, node: this.#o.nodeId })
          .catch(() => undefined),
      );
    } else if (m.kind === 'claimed' && m.node !== this.#o.nodeId) {
      const conn = this.#bySession.get(m.id);
      if (conn && conn.epoch < m.epoch && !conn.closed) this.#fence(conn);
    }
  }

  /** The local owner `(id, epoch)`, if any, writes its pending acks and closes 4101. */
  async #letGo(id: string, epoch: number): Promise<void> {
    const conn = this.#bySession.get(id);
    if (!conn || conn.epoch !== epoch || conn.closed) return;
    // From here its acks are ignored; the ones already taken are written before the close.
    conn.fenced = true;
    this.#bySession.delete(id);
    try {
      await this.#o.acks.flush(this.#o.flushTimeoutMs);
    } catch (err) {
      conn.log.warn({ err }, 'acks of a taken-over connection not written in time');
    }
    this.#fence(conn);
  }

  #fence(conn: Connection): void {
    conn.fenced = true;
    if (this.#bySession.get(conn.sessionId) === conn) this.#bySession.delete(conn.sessionId);
    if (conn.closed) return;
    this.#o.onTakenOver?.();
    conn.log.info('session taken over by a newer connection');
    conn.error(ErrorCode.SESSION_TAKEN_OVER, 'session taken over by a newer connection');
    conn.close(CloseCode.SESSION_TAKEN_OVER, 'session taken over');
  }

  #released(key: string): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.get(key)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.#o.releaseWaitMs);
      const set = this.#waiters.get(key) ?? new Set();
      set.add(done);
      this.#waiters.set(key, set);
    });
  }
}
