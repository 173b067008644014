import type { EdgeMetrics, ResumeOutcome, SlowClientEvent } from './metrics.js';

/** One second of an edge's life, as the status page charts it. */
export interface StatusSample {
  /** Unix time, ms. */
  t: number;
  connections: number;
  /** uWS publish calls per second. */
  deliveriesPerSecond: number;
  /** Kafka records ingested per second. */
  ingestPerSecond: number;
  /** Bytes handed to uWS publish per second. */
  bytesPerSecond: number;
  /** Consumer lag per partition, keyed `<topic>/<partition>`. */
  lag: Record<string, number>;
}

/** The body of `/status.json`. */
export interface StatusSnapshot {
  nodeId: string;
  ready: boolean;
  uptimeSeconds: number;
  connections: number;
  subscriptions: { topic: number; key: number };
  deliveriesPerSecond: number;
  ingestPerSecond: number;
  bytesPerSecond: number;
  totals: {
    deliveries: number;
    ingested: number;
    bytes: number;
    sessionsCreated: number;
    sessionsResumed: number;
  };
  lag: Array<{ topic: string; partition: number; lag: number }>;
  resumes: Record<ResumeOutcome, number>;
  slowClients: Record<SlowClientEvent, number>;
  /** The last samples, oldest first, one per second. */
  history: StatusSample[];
}

/** What the sampler reads besides the metrics' totals. */
export interface StatusSource {
  nodeId: string;
  startedAtMs: number;
  now(): number;
  connections(): number;
  subscriptions(): { topic: number; key: number };
  ready(): boolean;
}

/** Samples kept: two minutes at one a second. */
const HISTORY = 120;

/**
 * Keeps the last two minutes of per-second samples for the status page, so a
 * page opened now shows history at once. `sample()` runs once a second on a
 * timer the edge owns; it reads plain totals, never the registry.
 */
export class StatusSampler {
  readonly #history: StatusSample[] = [];
  #prev: { t: number; deliveries: number; ingested: number; bytes: number } | undefined;

  constructor(
    private readonly metrics: EdgeMetrics,
    private readonly source: StatusSource,
  ) {}

  sample(): void {
    const t = this.source.now();
    const { deliveries, ingested, bytes } = this.metrics.totals;
    const prev = this.#prev;
    const seconds = prev ? Math.max(0.001, (t - prev.t) / 1000) : 1;
    const rate = (now: number, before: number | undefined) =>
      prev && before !== undefined ? Math.round(((now - before) / seconds) * 10) / 10 : 0;
    const lag: Record<string, number> = {};
    for (const p of this.metrics.partitionLags()) lag[`${p.topic}/${p.partition}`] = p.lag;
    this.#history.push({
      t,
      connections: this.source.connections(),
      deliveriesPerSecond: rate(deliveries, prev?.deliveries),
      ingestPerSecond: rate(ingested, prev?.ingested),
      bytesPerSecond: rate(bytes, prev?.bytes),
      lag,
    });
    if (this.#history.length > HISTORY) this.#history.shift();
    this.#prev = { t, deliveries, ingested, bytes };
  }

  snapshot(): StatusSnapshot {
    const last = this.#history[this.#history.length - 1];
    const totals = this.metrics.totals;
    return {
      nodeId: this.source.nodeId,
      ready: this.source.ready(),
      uptimeSeconds: Math.round((this.source.now() - this.source.startedAtMs) / 1000),
      connections: this.source.connections(),
      subscriptions: this.source.subscriptions(),
      deliveriesPerSecond: last?.deliveriesPerSecond ?? 0,
      ingestPerSecond: last?.ingestPerSecond ?? 0,
      bytesPerSecond: last?.bytesPerSecond ?? 0,
      totals: {
        deliveries: totals.deliveries,
        ingested: totals.ingested,
        bytes: totals.bytes,
        sessionsCreated: totals.sessionsCreated,
        sessionsResumed: totals.sessionsResumed,
      },
      lag: [...this.metrics.partitionLags()],
      resumes: { ...totals.resumes },
      slowClients: { ...totals.slowClients },
      history: [...this.#history],
    };
  }
}
