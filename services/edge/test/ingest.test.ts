import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ingestHandler } from '../src/ingest.js';
import {
  type FetchResult,
  type KafkaLog,
  KafkaUnavailableError,
  type LogRecord,
  PartitionUndecodableError,
} from '../src/kafka/kafka-log.js';
import { PartitionState, TopicState } from '../src/topic-state.js';

const utf8 = new TextDecoder();

const logger = pino({ level: 'silent' });
const WINDOW = { maxRecords: 100, maxBytes: 1 << 20, maxAgeMs: 60_000 };
const unusedLog = {} as KafkaLog; // the handler's paths here never read Kafka

function record(offset: number, key: string | null = null): LogRecord {
  return {
    topic: 't',
    partition: 0,
    offset,
    key: key === null ? null : new TextEncoder().encode(key),
    value: new TextEncoder().encode(`v${offset}`),
    headers: [],
    timestampMs: 1,
  };
}

function fetched(records: LogRecord[], nextOffset: number, logStart = 0): FetchResult {
  return { records, nextOffset, highWatermark: nextOffset, lastStableOffset: nextOffset, logStart };
}

function setup() {
  const topic = new TopicState('t', 'id-1', unusedLog, 1024);
  const ps = new PartitionState('t', 0, -1, WINDOW, () => 0);
  topic.partitions.set(0, ps);
  const published: Array<[string, number]> = [];
  const health: string[] = [];
  const handler = ingestHandler(topic, ps, {
    publisher: { publish: (channel, frame) => published.push([utf8.decode(channel), frame.length]) },
    logger,
    onBatch: () => undefined,
    onTopicChanged: () => undefined,
    onLiveGap: () => undefined,
    onHealth: (p) => health.push(p.health.ok ? 'ok' : p.health.reason),
  });
  return { topic, ps, handler, published, health };
}

describe('ingestHandler', () => {
  it('with nobody on <topic> (asked once per fetch), records go to their key channels only, and to the window', () => {
    const topic = new TopicState('t', 'id-1', unusedLog, 1024);
    const ps = new PartitionState('t', 0, -1, WINDOW, () => 0);
    const published: string[] = [];
    let onTopic = 0;
    let asked = 0;
    const handler = ingestHandler(topic, ps, {
      publisher: {
        publish: (channel) => published.push(utf8.decode(channel)),
        subscribers: (channel) => {
          asked++;
          return channel === 't' ? onTopic : 1;
        },
      },
      logger,
      onBatch: () => undefined,
      onTopicChanged: () => undefined,
      onLiveGap: () => undefined,
    });
    handler.onFetch(fetched([record(0, 'a'), record(1), record(2, 'b')], 3));
    expect(published).toEqual(['t:a', 't:b']);
    expect(asked).toBe(1);
    expect(ps.live).toBe(2);
    expect(ps.window.readFrom(0).map((r) => r.offset)).toEqual([0, 1, 2]);
    onTopic = 1;
    handler.onFetch(fetched([record(3, 'a'), record(4)], 5));
    expect(published).toEqual(['t:a', 't:b', 't', 't:a', 't']);
  });

  it('publishes each record once to <topic> and, when keyed, <topic>:<key>; progress past gaps comes from the fetch', () => {
    const { ps, handler, published } = setup();
    handler.onFetch(fetched([record(0, 'a'), record(1), record(5, 'b')], 9));
    expect(published.map(([c]) => c)).toEqual(['t', 't:a', 't', 't', 't:b']);
    expect(ps.live).toBe(8); // offsets 6..8: control markers or aborted records
    expect(ps.window.readFrom(0).map((r) => r.offset)).toEqual([0, 1, 5]);
    // A batch overlapping what was published is not published again.
    handler.onFetch(fetched([record(5, 'b'), record(9)], 10));
    expect(published).toHaveLength(6);
  });

  it('a batch that cannot be decoded marks the partition unreadable once, until it reads again', () => {
    const { ps, handler, health } = setup();
    const bad = new PartitionUndecodableError('t', 0, 3, 'zstd decompression failed');
    handler.onError(bad);
    handler.onError(bad);
    expect(ps.health).toMatchObject({ ok: false, reason: 'undecodable' });
    expect(health).toEqual(['undecodable']);
    handler.onFetch(fetched([record(3)], 4));
    expect(ps.health).toEqual({ ok: true });
    expect(health).toEqual(['undecodable', 'ok']);
  });

  it('Kafka away marks it unavailable; the log start seen in every fetch trims the window', () => {
    const { ps, handler } = setup();
    handler.onFetch(fetched([record(0), record(1), record(2)], 3));
    handler.onError(new KafkaUnavailableError('broker gone'));
    expect(ps.health).toMatchObject({ ok: false, reason: 'unavailable' });
    handler.onFetch(fetched([], 3, 2));
    expect(ps.health.ok).toBe(true);
    expect(ps.window.readFrom(0).map((r) => r.offset)).toEqual([2]);
    expect(ps.window.covers(1)).toBe(false);
  });

  it('ignores what a follow of a recreated topic still yields', () => {
    const { topic, ps, handler, published } = setup();
    topic.recreated('id-2');
    handler.onFetch(fetched([record(0)], 1));
    expect(published).toEqual([]);
    expect(ps.live).toBe(-1);
  });
});
