import { WriteBehind, ackBatchSize } from '@fanout/core';
import type { Logger } from 'pino';
import type { EdgeConfig } from './config.js';
import type { EdgeMetrics } from './metrics.js';
import { SessionOwners } from './session-owners.js';
import type { SessionStore } from './store/session-store.js';

/** Options of {@link Sessions}. */
export interface SessionsOptions {
  config: Pick<EdgeConfig, 'nodeId' | 'acks' | 'sessions' | 'sessionTtlSeconds' | 'shutdownTimeoutMs'>;
  store: SessionStore;
  metrics: EdgeMetrics;
  logger: Logger;
}

/**
 * The edge's side of the session store: the write-behind of acks, the one
 * owner per session (takeovers, releases, refused writes) and the TTL
 * refresh of connected sessions.
 *
 * State and its one writer (this module): `acks` (its pending batches),
 * `owners` (which connection holds which session), the TTL-refresh timer.
 */
export class Sessions {
  readonly acks: WriteBehind;
  readonly owners: SessionOwners;
  readonly #o: SessionsOptions;
  #ttlRefresh: NodeJS.Timeout | undefined;

  constructor(options: SessionsOptions) {
    this.#o = options;
    const { config, store, metrics, logger } = options;
    const owners: { current?: SessionOwners } = {};
    const acks = new WriteBehind({
      write: metrics.timeAckWrite(async (batch) => {
        const { refused, retry } = await store.writeAcks(batch);
        if (refused.size > 0) owners.current?.refused(refused);
        // Sessions whose shard failed are retried; the others are written.
        for (const [key, channels] of retry)
          for (const [channel, partitions] of channels)
            for (const [p, offset] of partitions) acks.add(key, channel, p, offset);
      }, ackBatchSize),
      timers: {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      },
      maxPending: config.acks.maxPending,
      flushIntervalMs: config.acks.flushIntervalMs,
      onError: (err, failures) => {
        if (failures === 1 || failures % 20 === 0)
          logger.warn({ err, failures }, 'ack write failed; retrying');
      },
    });
    this.acks = acks;
    this.owners = new SessionOwners({
      store,
      acks,
      nodeId: config.nodeId,
      logger: logger.child({ component: 'sessions' }),
      releaseWaitMs: config.sessions.takeoverWaitMs,
      flushTimeoutMs: Math.max(100, config.sessions.takeoverWaitMs - 200),
    });
    owners.current = this.owners;
  }

  /** Starts the TTL refresh: one batched refresh per third of the TTL (at most every 60 s). */
  start(): void {
    this.#ttlRefresh = setInterval(
      () => {
        this.owners
          .refreshTtl()
          .catch((err: unknown) => this.#o.logger.warn({ err }, 'session TTL refresh failed'));
      },
      Math.min((this.#o.config.sessionTtlSeconds * 1000) / 3, 60_000),
    );
  }

  /** Stops the timer, writes every pending ack (bounded by the shutdown timeout) and leaves the liveness set. */
  async stop(): Promise<void> {
    clearInterval(this.#ttlRefresh);
    const { acks } = this;
    const { logger, config, store } = this.#o;
    try {
      await acks.flush(Math.max(1000, config.shutdownTimeoutMs - 1000));
      logger.info('pending acks flushed');
    } catch (err) {
      logger.error({ err, pending: acks.pending }, 'could not flush every pending ack');
    }
    acks.close();
    await store.leave(config.nodeId).catch(() => undefined);
  }
}
