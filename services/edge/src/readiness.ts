import type { SessionStore } from './store/session-store.js';
import type { SourceReadiness } from './topic-registry.js';

/** What `/readyz` answers (its body). */
export interface ReadinessReport {
  kafka: boolean;
  store: boolean;
  stopping: boolean;
  reasons: string[];
  unhealthy_partitions: SourceReadiness['unhealthyPartitions'];
}

/** Options of {@link Readiness}. */
export interface ReadinessOptions {
  nodeId: string;
  store: Pick<SessionStore, 'heartbeat'>;
  /** The Kafka side (the topic registry). */
  source(): SourceReadiness;
  /** How often the store is probed (ms); 1000 by default. */
  probeIntervalMs?: number;
}

/**
 * Whether the edge serves: Kafka and the topics answer (the topic
 * registry's), the session store answers (probed here: the probe is the
 * edge's liveness heartbeat in the store too) and the edge is not stopping.
 * The one object `/readyz`, `/status.json`, `fanout_ready` and the upgrade
 * handler read.
 *
 * State and its one writer (this module): `storeHealthy` (the probe),
 * `stopping` (`beginStop`, from the edge's stop), the probe timer.
 */
export class Readiness {
  #storeHealthy = true;
  #stopping = false;
  #probe: NodeJS.Timeout | undefined;
  readonly #o: ReadinessOptions;

  constructor(options: ReadinessOptions) {
    this.#o = options;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  ready(): boolean {
    return !this.#stopping && this.#storeHealthy && this.#o.source().ready;
  }

  report(): ReadinessReport {
    const source = this.#o.source();
    const storeHealthy = this.#storeHealthy;
    const stopping = this.#stopping;
    return {
      kafka: source.ready,
      store: storeHealthy,
      stopping,
      reasons: [
        ...source.reasons,
        ...(storeHealthy ? [] : ['session store unreachable']),
        ...(stopping ? ['shutting down'] : []),
      ],
      unhealthy_partitions: source.unhealthyPartitions,
    };
  }

  /**
   * Starts the store probe and marks this edge alive in the store before it
   * serves: a resume elsewhere of a session held here waits for this edge to
   * let go only if it is marked alive. The store's client may still be
   * connecting (its commands fail until then): a few tries.
   */
  async start(): Promise<void> {
    const { store, nodeId } = this.#o;
    this.#probe = setInterval(() => {
      store.heartbeat(nodeId).then(
        () => {
          this.#storeHealthy = true;
        },
        () => {
          this.#storeHealthy = false;
        },
      );
    }, this.#o.probeIntervalMs ?? 1000);
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        await store.heartbeat(nodeId);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Readiness off for good (the edge is stopping); the probe stops. */
  beginStop(): void {
    this.#stopping = true;
    clearInterval(this.#probe);
  }
}
