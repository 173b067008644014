import type { Logger } from 'pino';
import type { TopicState } from './topic-state.js';

const EVICT_EVERY_MS = 250;
const LOG_SCANS_EVERY_MS = 1000;

/**
 * Periodic upkeep of the served topics: records past the window's age leave
 * it (and what the shared scans kept, once idle), and the replay reads from Kafka are logged when they changed (at most
 * once a second: operators and the benchmark's read amplification read them
 * here).
 *
 * State and its one writer (this module): the timer and the last logged
 * scan figures per topic. The windows themselves belong to ingest (it
 * appends); eviction by age is the one other change, made here.
 */
export class TopicUpkeep {
  readonly #topics: Map<string, TopicState>;
  readonly #logger: Logger;
  readonly #logged = new Map<string, string>();
  #loggedAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(topics: Map<string, TopicState>, logger: Logger) {
    this.#topics = topics;
    this.#logger = logger;
  }

  start(): void {
    this.#timer = setInterval(() => this.tick(Date.now()), EVICT_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One round (the timer's; exposed for tests). */
  tick(now: number): void {
    for (const topic of this.#topics.values()) {
      for (const ps of topic.partitions.values()) ps.window.evictExpired();
      topic.scans.expire();
    }
    if (now - this.#loggedAt < LOG_SCANS_EVERY_MS) return;
    this.#loggedAt = now;
    for (const topic of this.#topics.values()) {
      const st = topic.scans.stats;
      const sig = `${st.scansStarted}/${st.recordsRead}/${st.recordsDelivered}`;
      if (st.scansStarted === 0 || this.#logged.get(topic.name) === sig) continue;
      this.#logged.set(topic.name, sig);
      this.#logger.info(
        {
          topic: topic.name,
          scans_started: st.scansStarted,
          records_read: st.recordsRead,
          records_delivered: st.recordsDelivered,
        },
        'replay scans',
      );
    }
  }
}
