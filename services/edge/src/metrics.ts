import { CloseCode } from '@fanout/protocol';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where a subscription's catch-up read from; `continuity_lost` when part of its range was gone. */
export type ResumeOutcome = 'window' | 'kafka' | 'continuity_lost';
/** A slow-client event: taken off live delivery, or closed. */
export type SlowClientEvent = 'lagging' | 'closed';

/** One partition as the metrics see it at scrape time. */
export interface PartitionView {
  topic: string;
  partition: number;
  /** The last offset published live. */
  live: number;
  /** Whether ingest can read it now (a bad batch, a topic gone or Kafka away: not). */
  health: { ok: true } | { ok: false; reason: string };
}

/** Shared-scan counters of one topic (see ScanCoordinator.stats). */
export interface ScanView {
  topic: string;
  scansStarted: number;
  recordsRead: number;
  activeScans: number;
}

/** What the edge exposes to the metrics, read at scrape time (never on the hot path). */
export interface EdgeView {
  connections(): number;
  /** Subscriptions of every connection, by channel kind. */
  subscriptions(): { topic: number; key: number };
  partitions(): Iterable<PartitionView>;
  scans(): Iterable<ScanView>;
  /** Sockets subscribed to a served topic's whole-topic uWS topic (uWS `numSubscribers`). */
  topicSubscribers(topic: string): number;
  acksPending(): number;
  ready(): boolean;
}

/** What one ingest fetch did, reported once per fetch. */
export interface IngestReport {
  topic: string;
  partition: number;
  /** The records published (their Kafka timestamps give the latency). */
  records: ReadonlyArray<{ readonly timestampMs: number }>;
  /** uWS publish calls (a keyed record is published to `<topic>` and `<topic>:<key>`). */
  publishes: number;
  /** Bytes handed to uWS publish, summed over the calls. */
  bytes: number;
  /** The partition's high watermark (next offset to be written) when fetched. */
  highWatermark: number;
  /** When the frames were handed to uWS (ms). */
  publishedAtMs: number;
}

/** Plain running totals, for the status page (no async registry read). */
export interface Totals {
  deliveries: number;
  bytes: number;
  ingested: number;
  resumes: Record<ResumeOutcome, number>;
  slowClients: Record<SlowClientEvent, number>;
  sessionsCreated: number;
  sessionsResumed: number;
}

/** Close codes used as label values as they are; any other code is counted as `other`. */
const KNOWN_CLOSE_CODES = new Set<number>([
  ...Object.values(CloseCode),
  1000,
  1001,
  1005,
  1006,
  1009,
  1011,
  1012,
  1013,
]);

/** Buckets of the event-loop lag (seconds). */
const LOOP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Buckets of the record latency (seconds): 1 ms to 30 s. */
const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
/** Buckets of a store write (seconds): 0.5 ms to 5 s. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Options of {@link EdgeMetrics}. */
export interface EdgeMetricsOptions {
  /** The registry to register into; a new one by default (one per edge, so two edges can share a process). */
  registry?: Registry;
  /** Also expose process metrics (CPU, memory, heap). Default true. */
  processMetrics?: boolean;
}

/**
 * The edge's Prometheus metrics, in their own registry. Counters are
 * incremented per ingest fetch, per session, per catch-up; nothing here runs
 * per socket per record. Gauges that describe state (connections, lag,
 * subscriptions) are computed from the {@link EdgeView} when scraped.
 * No label carries an unbounded value: topics and partitions are the served
 * ones, codes are bounded sets.
 */
export class EdgeMetrics {
  readonly registry: Registry;
  readonly totals: Totals = {
    deliveries: 0,
    bytes: 0,
    ingested: 0,
    resumes: { window: 0, kafka: 0, continuity_lost: 0 },
    slowClients: { lagging: 0, closed: 0 },
    sessionsCreated: 0,
    sessionsResumed: 0,
  };
  #view: EdgeView | undefined;
  readonly #highWatermarks = new Map<string, Map<number, number>>();
  readonly #sessions: Counter<'outcome'>;
  readonly #deliveries: Counter<'topic'>;
  readonly #bytes: Counter<'topic'>;
  readonly #ingested: Counter<'topic'>;
  readonly #partitionErrors: Counter<'topic' | 'reason'>;
  readonly #latency: Histogram;
  readonly #resumes: Counter<'outcome'>;
  readonly #replayed: Counter<'outcome'>;
  readonly #acksPersisted: Counter;
  readonly #ackWriteFailures: Counter;
  readonly #storeWrite: Histogram<'result'>;
  readonly #slow: Counter<'event'>;
  readonly #errors: Counter<'code'>;
  readonly #controlDropped: Counter<'frame'>;
  readonly #closes: Counter<'code' | 'by'>;
  readonly #opened: Counter;
  readonly #loopLag: Histogram;

  constructor(options: EdgeMetricsOptions = {}) {
    const registers = [(this.registry = options.registry ?? new Registry())];
    const self = this;
    // Not prom-client's collectDefaultMetrics: its event-loop monitor
    // (perf_hooks.monitorEventLoopDelay, a 10 ms libuv timer) made the edge's
    // fan-out several times slower under uWS in the routing test. The lag is
    // measured instead by the edge's one-second timer (eventLoopLag), and the
    // process metrics are read at scrape time, under their standard names.
    this.#loopLag = new Histogram({
      name: 'fanout_event_loop_lag_seconds',
      help: "Event-loop lag: how late the edge's one-second timer fired.",
      buckets: LOOP_BUCKETS,
      registers,
    });
    if (options.processMetrics !== false) registerProcessMetrics(registers);

    new Gauge({
      name: 'fanout_connections',
      help: 'Open WebSocket connections.',
      registers,
      collect() {
        this.set(self.#view?.connections() ?? 0);
      },
    });
    this.#opened = new Counter({
      name: 'fanout_connections_opened_total',
      help: 'WebSocket connections opened.',
      registers,
    });
    this.#closes = new Counter({
      name: 'fanout_connections_closed_total',
      help: 'WebSocket connections closed, by close code (other: a code the edge does not use) and by who closed (edge or client).',
      labelNames: ['code', 'by'],
      registers,
    });
    this.#sessions = new Counter({
      name: 'fanout_sessions_total',
      help: 'Sessions started on this edge: created (new) or resumed (an existing session id).',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'fanout_subscriptions',
      help: 'Subscriptions of open connections, by channel kind (topic: <topic>, key: <topic>:<key>).',
      labelNames: ['kind'],
      registers,
      collect() {
        const s = self.#view?.subscriptions() ?? { topic: 0, key: 0 };
        this.set({ kind: 'topic' }, s.topic);
        this.set({ kind: 'key' }, s.key);
      },
    });
    new Gauge({
      name: 'fanout_topic_subscribers',
      help: 'Sockets on the live uWS topic of a whole served topic (uWS numSubscribers; key channels not included).',
      labelNames: ['topic'],
      registers,
      collect() {
        const view = self.#view;
        if (!view) return;
        for (const topic of self.#highWatermarks.keys()) this.set({ topic }, view.topicSubscribers(topic));
      },
    });
    this.#deliveries = new Counter({
      name: 'fanout_deliveries_total',
      help: 'Frames handed to uWS publish (one per record and uWS topic; uWS fans each out to its sockets).',
      labelNames: ['topic'],
      registers,
    });
    this.#bytes = new Counter({
      name: 'fanout_published_bytes_total',
      help: 'Bytes handed to uWS publish (frame size per publish call, before the fan-out).',
      labelNames: ['topic'],
      registers,
    });
    this.#ingested = new Counter({
      name: 'fanout_ingested_records_total',
      help: 'Kafka records ingested and published live.',
      labelNames: ['topic'],
      registers,
    });
    new Gauge({
      name: 'fanout_kafka_consumer_lag',
      help: 'Records of a partition not yet published live: high watermark - 1 - last live offset, as of the last fetch.',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        for (const p of self.partitionLags())
          this.set({ topic: p.topic, partition: String(p.partition) }, p.lag);
      },
    });
    new Gauge({
      name: 'fanout_partition_readable',
      help: 'Whether ingest can read a partition now (1) or not (0: a batch it cannot decode, the topic gone, Kafka unreachable); see /readyz for why.',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        for (const p of self.#view?.partitions() ?? [])
          this.set({ topic: p.topic, partition: String(p.partition) }, p.health.ok ? 1 : 0);
      },
    });
    this.#partitionErrors = new Counter({
      name: 'fanout_partition_errors_total',
      help: 'Times a partition became unreadable, by reason (undecodable: a record batch that cannot be decoded; unavailable; topic-changed).',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'fanout_record_latency_seconds',
      help: 'From the Kafka record timestamp to its frame handed to uWS publish.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#resumes = new Counter({
      name: 'fanout_resume_outcomes_total',
      help: 'Catch-ups of a subscription that replayed records, by the deepest source used: window (memory), kafka, or continuity_lost (part of the range was gone).',
      labelNames: ['outcome'],
      registers,
    });
    this.#replayed = new Counter({
      name: 'fanout_replayed_records_total',
      help: 'Records read for catch-ups, by the outcome of the catch-up.',
      labelNames: ['outcome'],
      registers,
    });
    new Counter({
      name: 'fanout_replay_scans_total',
      help: 'Shared Kafka scans started for replays.',
      labelNames: ['topic'],
      registers,
      collect() {
        this.reset();
        for (const s of self.#view?.scans() ?? []) this.inc({ topic: s.topic }, s.scansStarted);
      },
    });
    new Counter({
      name: 'fanout_replay_scan_records_total',
      help: 'Records read from Kafka by shared replay scans (one read serves every waiting client).',
      labelNames: ['topic'],
      registers,
      collect() {
        this.reset();
        for (const s of self.#view?.scans() ?? []) this.inc({ topic: s.topic }, s.recordsRead);
      },
    });
    new Gauge({
      name: 'fanout_replay_active_scans',
      help: 'Shared Kafka scans running now.',
      labelNames: ['topic'],
      registers,
      collect() {
        for (const s of self.#view?.scans() ?? []) this.set({ topic: s.topic }, s.activeScans);
      },
    });
    this.#acksPersisted = new Counter({
      name: 'fanout_acks_persisted_total',
      help: 'Coalesced acks (session, channel, partition entries) written to the session store.',
      registers,
    });
    this.#ackWriteFailures = new Counter({
      name: 'fanout_ack_write_failures_total',
      help: 'Ack batch writes to the session store that failed (retried).',
      registers,
    });
    new Gauge({
      name: 'fanout_acks_pending',
      help: 'Coalesced acks waiting for a store write.',
      registers,
      collect() {
        this.set(self.#view?.acksPending() ?? 0);
      },
    });
    this.#storeWrite = new Histogram({
      name: 'fanout_store_write_duration_seconds',
      help: 'Duration of one ack batch write to the session store, by result (ok, error).',
      labelNames: ['result'],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.#slow = new Counter({
      name: 'fanout_slow_client_events_total',
      help: 'Slow clients: lagging (taken off live delivery, caught up later) or closed (4002).',
      labelNames: ['event'],
      registers,
    });
    this.#errors = new Counter({
      name: 'fanout_errors_sent_total',
      help: 'Error frames sent to clients, by protocol error code.',
      labelNames: ['code'],
      registers,
    });
    this.#controlDropped = new Counter({
      name: 'fanout_control_frames_dropped_total',
      help: 'Control frames (not publications) uWS dropped over the send buffer limit, by frame kind; each closed its connection with 4008 (the client resumes).',
      labelNames: ['frame'],
      registers,
    });
    new Gauge({
      name: 'fanout_ready',
      help: '1 while the edge is ready (Kafka and the store answer, not stopping), else 0.',
      registers,
      collect() {
        this.set(self.#view?.ready() ? 1 : 0);
      },
    });
    for (const outcome of ['created', 'resumed']) this.#sessions.inc({ outcome }, 0);
    for (const outcome of ['window', 'kafka', 'continuity_lost']) {
      this.#resumes.inc({ outcome }, 0);
      this.#replayed.inc({ outcome }, 0);
    }
    for (const event of ['lagging', 'closed']) this.#slow.inc({ event }, 0);
  }

  /** Binds the edge's state, read at scrape time. */
  bind(view: EdgeView): void {
    this.#view = view;
  }

  /** A served partition: its series exist from the start. */
  addPartition(topic: string, partition: number, highWatermark: number): void {
    let byPartition = this.#highWatermarks.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      this.#highWatermarks.set(topic, byPartition);
      this.#deliveries.inc({ topic }, 0);
      this.#bytes.inc({ topic }, 0);
      this.#ingested.inc({ topic }, 0);
    }
    byPartition.set(partition, highWatermark);
  }

  /** Once per ingest fetch. */
  ingested(r: IngestReport): void {
    this.#highWatermarks.get(r.topic)?.set(r.partition, r.highWatermark);
    const n = r.records.length;
    if (n === 0) return;
    const labels = { topic: r.topic };
    this.#ingested.inc(labels, n);
    this.#deliveries.inc(labels, r.publishes);
    this.#bytes.inc(labels, r.bytes);
    this.totals.ingested += n;
    this.totals.deliveries += r.publishes;
    this.totals.bytes += r.bytes;
    for (const rec of r.records) {
      if (rec.timestampMs > 0) this.#latency.observe(Math.max(0, r.publishedAtMs - rec.timestampMs) / 1000);
    }
  }

  /** A partition became unreadable (counted once per change, not per failed fetch). */
  partitionUnreadable(topic: string, reason: string): void {
    this.#partitionErrors.inc({ topic, reason });
  }

  /** Per partition: high watermark - 1 - live (never negative). */
  *partitionLags(): Iterable<{ topic: string; partition: number; lag: number }> {
    for (const p of this.#view?.partitions() ?? []) {
      const hw = this.#highWatermarks.get(p.topic)?.get(p.partition);
      if (hw === undefined) continue;
      yield { topic: p.topic, partition: p.partition, lag: Math.max(0, hw - 1 - p.live) };
    }
  }

  connectionOpened(): void {
    this.#opened.inc();
  }

  connectionClosed(code: number, byEdge: boolean): void {
    const label = KNOWN_CLOSE_CODES.has(code) ? String(code) : 'other';
    this.#closes.inc({ code: label, by: byEdge ? 'edge' : 'client' });
  }

  session(outcome: 'created' | 'resumed'): void {
    this.#sessions.inc({ outcome });
    if (outcome === 'created') this.totals.sessionsCreated++;
    else this.totals.sessionsResumed++;
  }

  resume(outcome: ResumeOutcome, records: number): void {
    this.#resumes.inc({ outcome });
    this.#replayed.inc({ outcome }, records);
    this.totals.resumes[outcome]++;
  }

  slowClient(event: SlowClientEvent): void {
    this.#slow.inc({ event });
    this.totals.slowClients[event]++;
  }

  /** How late a periodic timer fired, in ms (called once a second by the edge). */
  eventLoopLag(lateMs: number): void {
    this.#loopLag.observe(Math.max(0, lateMs) / 1000);
  }

  /** A control frame dropped by uWS (the connection is closed with CONTROL_FRAME_DROPPED). */
  controlDropped(frame: string): void {
    this.#controlDropped.inc({ frame });
  }

  errorSent(code: number): void {
    this.#errors.inc({ code: String(code) });
  }

  /** Wraps the store's ack write: duration, result, entries persisted. */
  timeAckWrite<B>(
    write: (batch: B) => Promise<void>,
    size: (batch: B) => number,
  ): (batch: B) => Promise<void> {
    return async (batch) => {
      const end = this.#storeWrite.startTimer();
      try {
        await write(batch);
        end({ result: 'ok' });
        this.#acksPersisted.inc(size(batch));
      } catch (err) {
        end({ result: 'error' });
        this.#ackWriteFailures.inc();
        throw err;
      }
    };
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** process_* and nodejs_heap_* metrics (Prometheus' standard names), read when scraped. */
function registerProcessMetrics(registers: Registry[]): void {
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    registers,
    collect() {
      const u = process.cpuUsage();
      this.reset();
      this.inc((u.user + u.system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    registers,
    collect() {
      this.set(startSeconds);
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    registers,
    collect() {
      this.set(process.memoryUsage().heapTotal);
    },
  });
}
