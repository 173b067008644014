import { describe, expect, it } from 'vitest';
import { EdgeMetrics, type EdgeView } from '../src/metrics.js';
import { StatusSampler } from '../src/status.js';

function view(overrides: Partial<EdgeView> = {}): EdgeView {
  return {
    connections: () => 3,
    subscriptions: () => ({ topic: 2, key: 5 }),
    partitions: () => [
      { topic: 'prices', partition: 0, live: 9, health: { ok: true } },
      { topic: 'prices', partition: 1, live: 4, health: { ok: false, reason: 'undecodable' } },
    ],
    scans: () => [{ topic: 'prices', scansStarted: 2, recordsRead: 150, activeScans: 1 }],
    topicSubscribers: () => 2,
    acksPending: () => 7,
    ready: () => true,
    ...overrides,
  };
}

/** The value of one sample line (`name{labels} value`) of an exposition. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (line.slice(0, space) === series) return Number(line.slice(space + 1));
  }
  return undefined;
}

describe('EdgeMetrics', () => {
  it('exposes state gauges read from the edge at scrape time', async () => {
    const m = new EdgeMetrics({ processMetrics: false });
    m.bind(view());
    m.addPartition('prices', 0, 10);
    m.addPartition('prices', 1, 5);
    m.ingested({
      topic: 'prices',
      partition: 1,
      records: [],
      publishes: 0,
      bytes: 0,
      highWatermark: 12,
      publishedAtMs: 0,
    });
    const { body, contentType } = await m.exposition();
    expect(contentType).toMatch(/^text\/plain/);
    expect(sample(body, 'fanout_connections')).toBe(3);
    expect(sample(body, 'fanout_subscriptions{kind="topic"}')).toBe(2);
    expect(sample(body, 'fanout_subscriptions{kind="key"}')).toBe(5);
    expect(sample(body, 'fanout_kafka_consumer_lag{topic="prices",partition="0"}')).toBe(0);
    // high watermark 12 (next offset to write), live 4: offsets 5..11 are behind.
    expect(sample(body, 'fanout_kafka_consumer_lag{topic="prices",partition="1"}')).toBe(7);
    expect(sample(body, 'fanout_partition_readable{topic="prices",partition="0"}')).toBe(1);
    expect(sample(body, 'fanout_partition_readable{topic="prices",partition="1"}')).toBe(0);
    expect(sample(body, 'fanout_replay_scans_total{topic="prices"}')).toBe(2);
    expect(sample(body, 'fanout_replay_scan_records_total{topic="prices"}')).toBe(150);
    expect(sample(body, 'fanout_topic_subscribers{topic="prices"}')).toBe(2);
    expect(sample(body, 'fanout_acks_pending')).toBe(7);
    expect(sample(body, 'fanout_ready')).toBe(1);
    // Every labelled series exists from the start, at 0.
    expect(sample(body, 'fanout_resume_outcomes_total{outcome="continuity_lost"}')).toBe(0);
    expect(sample(body, 'fanout_slow_client_events_total{event="closed"}')).toBe(0);
    expect(sample(body, 'fanout_deliveries_total{topic="prices"}')).toBe(0);
  });

  it('counts an ingest fetch once: records, publish calls, bytes and the latency of each record', async () => {
    const m = new EdgeMetrics({ processMetrics: false });
    m.bind(view());
    m.addPartition('prices', 0, 0);
    m.ingested({
      topic: 'prices',
      partition: 0,
      records: [{ timestampMs: 1000 }, { timestampMs: 1990 }, { timestampMs: 1998 }],
      publishes: 5,
      bytes: 500,
      highWatermark: 3,
      publishedAtMs: 2000,
    });
    const { body } = await m.exposition();
    expect(sample(body, 'fanout_ingested_records_total{topic="prices"}')).toBe(3);
    expect(sample(body, 'fanout_deliveries_total{topic="prices"}')).toBe(5);
    expect(sample(body, 'fanout_published_bytes_total{topic="prices"}')).toBe(500);
    expect(sample(body, 'fanout_record_latency_seconds_count')).toBe(3);
    expect(sample(body, 'fanout_record_latency_seconds_bucket{le="0.0025"}')).toBe(1);
    expect(sample(body, 'fanout_record_latency_seconds_bucket{le="0.01"}')).toBe(2);
    expect(sample(body, 'fanout_record_latency_seconds_bucket{le="1"}')).toBe(3);
    expect(m.totals).toMatchObject({ ingested: 3, deliveries: 5, bytes: 500 });
  });

  it('counts sessions, resumes, slow clients, errors and closes with bounded labels', async () => {
    const m = new EdgeMetrics({ processMetrics: false });
    m.bind(view());
    m.session('created');
    m.session('resumed');
    m.session('resumed');
    m.resume('window', 10);
    m.resume('kafka', 2000);
    m.resume('continuity_lost', 0);
    m.slowClient('lagging');
    m.errorSent(301);
    m.connectionOpened();
    m.connectionClosed(4002, true);
    m.connectionClosed(1000, false);
    m.connectionClosed(4999, false);
    const { body } = await m.exposition();
    expect(sample(body, 'fanout_sessions_total{outcome="created"}')).toBe(1);
    expect(sample(body, 'fanout_sessions_total{outcome="resumed"}')).toBe(2);
    expect(sample(body, 'fanout_resume_outcomes_total{outcome="kafka"}')).toBe(1);
    expect(sample(body, 'fanout_replayed_records_total{outcome="kafka"}')).toBe(2000);
    expect(sample(body, 'fanout_slow_client_events_total{event="lagging"}')).toBe(1);
    expect(sample(body, 'fanout_errors_sent_total{code="301"}')).toBe(1);
    expect(sample(body, 'fanout_connections_opened_total')).toBe(1);
    expect(sample(body, 'fanout_connections_closed_total{code="4002",by="edge"}')).toBe(1);
    expect(sample(body, 'fanout_connections_closed_total{code="1000",by="client"}')).toBe(1);
    // A code the edge does not use is not a label value of its own.
    expect(sample(body, 'fanout_connections_closed_total{code="other",by="client"}')).toBe(1);
    expect(body).not.toContain('4999');
  });

  it('times ack writes and counts the entries persisted, failures apart', async () => {
    const m = new EdgeMetrics({ processMetrics: false });
    let fail = false;
    const write = m.timeAckWrite(
      async (batch: number[]) => {
        if (fail) throw new Error('store down');
        void batch;
      },
      (batch) => batch.length,
    );
    await write([1, 2, 3]);
    fail = true;
    await expect(write([4])).rejects.toThrow('store down');
    const { body } = await m.exposition();
    expect(sample(body, 'fanout_acks_persisted_total')).toBe(3);
    expect(sample(body, 'fanout_ack_write_failures_total')).toBe(1);
    expect(sample(body, 'fanout_store_write_duration_seconds_count{result="ok"}')).toBe(1);
    expect(sample(body, 'fanout_store_write_duration_seconds_count{result="error"}')).toBe(1);
  });

  it('two edges in one process keep separate registries, each with the process metrics', async () => {
    const a = new EdgeMetrics();
    const b = new EdgeMetrics();
    a.session('created');
    a.eventLoopLag(30);
    const [ea, eb] = await Promise.all([a.exposition(), b.exposition()]);
    expect(sample(ea.body, 'fanout_sessions_total{outcome="created"}')).toBe(1);
    expect(sample(eb.body, 'fanout_sessions_total{outcome="created"}')).toBe(0);
    expect(sample(ea.body, 'fanout_event_loop_lag_seconds_bucket{le="0.025"}')).toBe(0);
    expect(sample(ea.body, 'fanout_event_loop_lag_seconds_bucket{le="0.05"}')).toBe(1);
    expect(sample(eb.body, 'fanout_event_loop_lag_seconds_count')).toBe(0);
    for (const body of [ea.body, eb.body]) {
      expect(sample(body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(sample(body, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    }
  });
});

describe('StatusSampler', () => {
  it('keeps per-second rates and lag per partition, two minutes of them', () => {
    const m = new EdgeMetrics({ processMetrics: false });
    m.bind(view());
    m.addPartition('prices', 0, 10);
    m.addPartition('prices', 1, 5);
    let now = 10_000;
    const sampler = new StatusSampler(m, {
      nodeId: 'edge-a',
      startedAtMs: 0,
      now: () => now,
      connections: () => 3,
      subscriptions: () => ({ topic: 2, key: 5 }),
      ready: () => true,
    });
    sampler.sample();
    m.ingested({
      topic: 'prices',
      partition: 0,
      records: Array.from({ length: 40 }, () => ({ timestampMs: 0 })),
      publishes: 80,
      bytes: 4000,
      highWatermark: 10,
      publishedAtMs: now,
    });
    now += 2000;
    sampler.sample();
    const s = sampler.snapshot();
    expect(s).toMatchObject({
      nodeId: 'edge-a',
      uptimeSeconds: 12,
      connections: 3,
      deliveriesPerSecond: 40,
      ingestPerSecond: 20,
      bytesPerSecond: 2000,
      lag: [
        { topic: 'prices', partition: 0, lag: 0 },
        { topic: 'prices', partition: 1, lag: 0 },
      ],
    });
    expect(s.history).toHaveLength(2);
    expect(s.history[1]?.lag).toEqual({ 'prices/0': 0, 'prices/1': 0 });
    for (let i = 0; i < 200; i++) {
      now += 1000;
      sampler.sample();
    }
    expect(sampler.snapshot().history).toHaveLength(120);
  });
});
