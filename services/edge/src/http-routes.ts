import type { WriteBehind } from '@fanout/core';
import type { Logger } from 'pino';
import type { HttpResponse } from 'uWebSockets.js';
import type { EdgeMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import type { EdgeApp } from './server-app.js';
import { STATUS_PAGE_HTML } from './status-page.js';
import { StatusSampler } from './status.js';
import type { TopicState } from './topic-state.js';

/** Options of {@link HttpRoutes}. */
export interface HttpRoutesOptions {
  app: EdgeApp;
  config: { nodeId: string; metricsEnabled: boolean };
  metrics: EdgeMetrics;
  readiness: Readiness;
  /** The served topics (the topic registry's map, read only). */
  topics: Map<string, TopicState>;
  connections: { readonly size: number; countSubscriptions(): { topic: number; key: number } };
  acks: Pick<WriteBehind, 'pending'>;
  logger: Logger;
  startedAtMs: number;
}

function json(res: HttpResponse, status: string, body: unknown): void {
  res.cork(() =>
    res.writeStatus(status).writeHeader('content-type', 'application/json').end(JSON.stringify(body)),
  );
}

/**
 * The edge's HTTP side on its WebSocket port: `/healthz`, `/readyz` (over
 * the one readiness object), and unless METRICS_ENABLED=false `/metrics`,
 * `/status` and `/status.json`; the metrics' scrape-time view of the edge.
 *
 * State and its one writer (this module): the status sampler's history and
 * its one-second timer (which also measures the event-loop lag).
 */
export class HttpRoutes {
  readonly #status: StatusSampler;
  readonly #o: HttpRoutesOptions;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: HttpRoutesOptions) {
    this.#o = options;
    const { app, config, metrics, readiness, topics, connections, acks, logger } = options;
    const isReady = () => readiness.ready();
    app.get('/healthz', (res) => json(res, '200 OK', { ok: true }));
    app.get('/readyz', (res) =>
      json(res, isReady() ? '200 OK' : '503 Service Unavailable', readiness.report()),
    );
    metrics.bind({
      connections: () => connections.size,
      subscriptions: () => connections.countSubscriptions(),
      *partitions() {
        for (const t of topics.values()) yield* t.partitions.values();
      },
      *scans() {
        for (const t of topics.values()) yield { topic: t.name, ...t.scans.stats };
      },
      topicSubscribers: (topic) => app.numSubscribers(topic),
      acksPending: () => acks.pending,
      ready: isReady,
    });
    const status = new StatusSampler(metrics, {
      nodeId: config.nodeId,
      startedAtMs: options.startedAtMs,
      now: () => Date.now(),
      connections: () => connections.size,
      subscriptions: () => connections.countSubscriptions(),
      ready: isReady,
    });
    this.#status = status;
    status.sample();
    if (!config.metricsEnabled) return;
    app.get('/metrics', (res) => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      metrics.exposition().then(
        ({ contentType, body }) => {
          if (!aborted)
            res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', contentType).end(body));
        },
        (err: unknown) => {
          logger.error({ err }, 'metrics exposition failed');
          if (!aborted) res.cork(() => res.writeStatus('500 Internal Server Error').end());
        },
      );
    });
    app.get('/status', (res) => {
      res.cork(() => {
        res
          .writeStatus('200 OK')
          .writeHeader('content-type', 'text/html; charset=utf-8')
          .writeHeader('cache-control', 'no-store')
          .end(STATUS_PAGE_HTML);
      });
    });
    app.get('/status.json', (res) => json(res, '200 OK', status.snapshot()));
  }

  /** Starts the one-second status sample (and event-loop lag measure). */
  start(): void {
    let lastTick = Date.now();
    this.#timer = setInterval(() => {
      const now = Date.now();
      this.#o.metrics.eventLoopLag(now - lastTick - 1000);
      lastTick = now;
      this.#status.sample();
    }, 1000);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
