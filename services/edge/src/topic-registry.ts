import type { Logger } from 'pino';
import type { EdgeConfig } from './config.js';
import { type IngestDeps, ingestHandler } from './ingest.js';
import { KafkaAuthError, type KafkaLog, type TopicMetadata } from './kafka/kafka-log.js';
import type { EdgeMetrics } from './metrics.js';
import { PartitionState, TopicState, toEdgeRecord } from './topic-state.js';

/** What the registry tells the edge about topology changes. */
export interface TopologyListener {
  /** New partitions of a served topic, read from their first offset. Called before any of their records is published. */
  partitionsAdded(topic: TopicState, added: PartitionState[]): void;
  /**
   * The topic was deleted and created again. `previous` is each old
   * partition's last published offset. Called after the partitions were reset
   * to the new topic's log start and before any of its records is published.
   */
  topicRecreated(topic: TopicState, previous: Map<number, number>): void;
}

/** Options of {@link TopicRegistry}. */
export interface TopicRegistryOptions {
  config: Pick<EdgeConfig, 'topics' | 'window' | 'fetchBytes'>;
  log: KafkaLog;
  logger: Logger;
  metrics: EdgeMetrics;
  ingest: Omit<IngestDeps, 'onTopicChanged' | 'logger'>;
  listener: TopologyListener;
  now?: () => number;
}

/** Why the edge's Kafka side is not ready, for /readyz and the log. */
export interface SourceReadiness {
  ready: boolean;
  reasons: string[];
  /** Partitions that cannot be read right now (they do not make the edge unready; see README). */
  unhealthyPartitions: Array<{ topic: string; partition: number; reason: string; message: string }>;
}

const CONNECT_BACKOFF_MAX_MS = 5000;

/**
 * The served topics: discovery (a list or a pattern, at the refresh
 * interval), partitions added, topics recreated (a new topic id), and each
 * partition's ingest. The one writer of `topics`.
 *
 * Startup never exits for Kafka: until the cluster answers and every listed
 * topic exists, the edge serves HTTP and reports why it is not ready.
 */
export class TopicRegistry {
  readonly topics = new Map<string, TopicState>();
  #connected = false;
  #reason = 'connecting to Kafka';
  #missing: string[] = [];
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;
  #again = false;
  readonly #o: TopicRegistryOptions;
  readonly #now: () => number;
  readonly #log: Logger;

  constructor(options: TopicRegistryOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.logger.child({ component: 'topics' });
  }

  /** Starts connecting and discovering in the background; resolves at once. */
  start(): void {
    void this.#connectLoop();
  }

  /** Resolves once the registry has served its first topics (or after `timeoutMs`). For tests and startup logs. */
  async firstRefresh(timeoutMs: number): Promise<void> {
    const until = this.#now() + timeoutMs;
    while (!this.#stopped && !(this.#connected && this.#missing.length === 0 && this.topics.size > 0)) {
      if (this.#now() > until) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  readiness(): SourceReadiness {
    const reasons: string[] = [];
    if (!this.#connected) reasons.push(this.#reason);
    else if (!this.#o.log.healthy) reasons.push('Kafka unreachable');
    if (this.#missing.length > 0) reasons.push(`topics not in Kafka yet: ${this.#missing.join(', ')}`);
    if (this.#connected && this.topics.size === 0 && this.#missing.length === 0)
      reasons.push('no topic matches EDGE_TOPIC_PATTERN yet');
    const unhealthyPartitions: SourceReadiness['unhealthyPartitions'] = [];
    for (const t of this.topics.values())
      for (const ps of t.partitions.values())
        if (!ps.health.ok)
          unhealthyPartitions.push({
            topic: t.name,
            partition: ps.partition,
            reason: ps.health.reason,
            message: ps.health.message,
          });
    return { ready: reasons.length === 0, reasons, unhealthyPartitions };
  }

  /** Whether a topic name would be served once it exists (pattern discovery). */
  wouldServe(topic: string): boolean {
    const { list, pattern } = this.#o.config.topics;
    if (list) return list.includes(topic);
    return !!pattern && !topic.startsWith('__') && pattern.test(topic);
  }

  /** Asks for a metadata refresh soon (a topic changed under the reader). */
  refreshSoon(): void {
    void this.refresh();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const t of this.topics.values()) {
      for (const ps of t.partitions.values()) ps.follow?.stop();
      t.scans.close();
    }
  }

  async #connectLoop(): Promise<void> {
    let attempt = 0;
    while (!this.#stopped && !this.#connected) {
      try {
        await this.#o.log.connect();
        this.#connected = true;
        this.#log.info('connected to Kafka');
      } catch (err) {
        attempt++;
        this.#reason =
          err instanceof KafkaAuthError
            ? `Kafka refused the edge: ${err.message}`
            : `Kafka unreachable: ${(err as Error).message}`;
        if (attempt === 1 || attempt % 10 === 0)
          this.#log.warn({ err, attempt }, 'cannot reach Kafka yet; retrying');
        const delay = Math.min(CONNECT_BACKOFF_MAX_MS, 250 * 2 ** Math.min(attempt, 5));
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random() / 2)));
      }
    }
    if (this.#stopped) return;
    await this.refresh();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.refresh().finally(() => this.#schedule());
    }, this.#o.config.topics.refreshMs);
    this.#timer.unref?.();
  }

  /** One refresh at a time; a refresh asked for while one runs runs once more after it. */
  refresh(): Promise<void> {
    if (!this.#connected || this.#stopped) return Promise.resolve();
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#refreshOnce();
        } while (this.#again && !this.#stopped);
      } catch (err) {
        this.#log.warn({ err }, 'topic refresh failed; retrying at the next interval');
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<void> {
    const { list } = this.#o.config.topics;
    const names = list ?? (await this.#o.log.listTopics()).filter((t) => this.wouldServe(t));
    const found = await this.#o.log.topics(names);
    const byName = new Map(found.map((t) => [t.name, t]));
    this.#missing = names.filter((n) => !byName.has(n));
    for (const name of this.#missing) {
      const t = this.topics.get(name);
      if (!t) continue;
      for (const ps of t.partitions.values()) {
        if (ps.health.ok || ps.health.reason !== 'topic-changed')
          ps.health = {
            ok: false,
            reason: 'topic-changed',
            message: `topic ${name} was deleted`,
            since: this.#now(),
          };
      }
    }
    for (const md of found) {
      if (this.#stopped) return;
      const t = this.topics.get(md.name);
      if (!t) await this.#addTopic(md);
      else if (md.id && t.id && md.id !== t.id) await this.#recreate(t, md);
      else {
        const added = md.partitions.filter((p) => !t.partitions.has(p));
        if (added.length > 0) await this.#addPartitions(t, added);
      }
    }
  }

  #newPartition(t: TopicState, partition: number, startAfter: number): PartitionState {
    return new PartitionState(t.name, partition, startAfter, this.#o.config.window, this.#now);
  }

  #follow(t: TopicState, ps: PartitionState): void {
    ps.follow?.stop();
    ps.follow = this.#o.log.follow(
      t.name,
      t.id,
      ps.partition,
      ps.live + 1,
      ingestHandler(t, ps, {
        ...this.#o.ingest,
        logger: this.#o.logger,
        onTopicChanged: () => this.refreshSoon(),
      }),
    );
  }

  async #addTopic(md: TopicMetadata): Promise<void> {
    const t = new TopicState(md.name, md.id, this.#o.log, this.#o.config.fetchBytes, this.#now);
    const bounds = await t.freshBounds();
    const preload = this.#o.config.window.preloadRecords;
    const states: PartitionState[] = [];
    for (const p of md.partitions) {
      const b = bounds.find((x) => x.partition === p) ?? { logStart: 0, logEnd: 0 };
      const start = Math.max(b.logStart, b.logEnd - preload);
      const ps = this.#newPartition(t, p, start - 1);
      ps.logStart = b.logStart;
      states.push(ps);
    }
    await this.#preload(states, bounds);
    if (this.#stopped) return;
    for (const ps of states) {
      t.partitions.set(ps.partition, ps);
      this.#o.metrics.addPartition(t.name, ps.partition, ps.live + 1);
    }
    this.topics.set(t.name, t);
    for (const ps of states) this.#follow(t, ps);
    this.#log.info({ topic: t.name, topic_id: t.id, partitions: states.length }, 'serving topic');
  }

  /**
   * Fills partitions' windows with their last records before ingest starts
   * (no client can be subscribed to them yet), a few partitions at a time.
   */
  async #preload(
    states: PartitionState[],
    bounds: Array<{ partition: number; logEnd: number }>,
  ): Promise<void> {
    const queue = [...states];
    const worker = async () => {
      for (let ps = queue.shift(); ps; ps = queue.shift()) {
        const logEnd = bounds.find((b) => b.partition === ps?.partition)?.logEnd ?? 0;
        let offset = ps.live + 1;
        try {
          while (offset < logEnd && !this.#stopped) {
            const r = await this.#o.log.fetch(ps.topic, ps.partition, offset, {
              maxWaitMs: 0,
              maxBytes: this.#o.config.fetchBytes,
            });
            for (const rec of r.records)
              if (rec.offset < logEnd) ps.window.append(toEdgeRecord(rec, ps.frames.alloc));
            if (r.nextOffset <= offset) break;
            offset = Math.min(r.nextOffset, logEnd);
          }
          ps.live = offset - 1;
        } catch (err) {
          this.#log.warn(
            { err, topic: ps.topic, partition: ps.partition },
            'window preload failed; starting empty',
          );
          ps.window.reset(logEnd - 1);
          ps.live = logEnd - 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, states.length) }, worker));
  }

  async #addPartitions(t: TopicState, added: number[]): Promise<void> {
    const bounds = await t.freshBounds();
    const states: PartitionState[] = [];
    for (const p of added.sort((a, b) => a - b)) {
      const logStart = bounds.find((b) => b.partition === p)?.logStart ?? 0;
      // From the first offset: every record on a new partition is after every subscription.
      const ps = this.#newPartition(t, p, logStart - 1);
      ps.logStart = logStart;
      t.partitions.set(p, ps);
      this.#o.metrics.addPartition(t.name, p, logStart);
      states.push(ps);
    }
    this.#o.listener.partitionsAdded(t, states);
    for (const ps of states) this.#follow(t, ps);
    this.#log.info({ topic: t.name, added, partitions: t.partitions.size }, 'partitions added');
  }

  async #recreate(t: TopicState, md: TopicMetadata): Promise<void> {
    this.#log.warn({ topic: t.name, old_id: t.id, new_id: md.id }, 'topic was deleted and recreated');
    const previous = new Map<number, number>();
    for (const ps of t.partitions.values()) {
      ps.follow?.stop();
      ps.follow = undefined;
      previous.set(ps.partition, ps.live);
    }
    t.recreated(md.id);
    const bounds = await t.freshBounds();
    for (const p of [...t.partitions.keys()]) if (!md.partitions.includes(p)) t.partitions.delete(p);
    for (const p of md.partitions) {
      const logStart = bounds.find((b) => b.partition === p)?.logStart ?? 0;
      let ps = t.partitions.get(p);
      if (!ps) {
        ps = this.#newPartition(t, p, logStart - 1);
        t.partitions.set(p, ps);
        this.#o.metrics.addPartition(t.name, p, logStart);
      }
      ps.window.reset(logStart - 1);
      ps.live = logStart - 1;
      ps.logStart = logStart;
      ps.health = { ok: true };
    }
    this.#o.listener.topicRecreated(t, previous);
    for (const ps of t.partitions.values()) {
      this.#follow(t, ps);
      ps.notify();
    }
  }
}
