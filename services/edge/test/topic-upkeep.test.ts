import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KafkaLog } from '../src/kafka/kafka-log.js';
import { type EdgeRecord, PartitionState, TopicState } from '../src/topic-state.js';
import { TopicUpkeep } from '../src/topic-upkeep.js';

describe('topic upkeep', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('evicts window records past their age on its timer, and stops', () => {
    const topic = new TopicState('t', 'id-1', {} as KafkaLog, 1024);
    const ps = new PartitionState('t', 0, -1, { maxRecords: 100, maxBytes: 1 << 20, maxAgeMs: 1000 }, () =>
      Date.now(),
    );
    topic.partitions.set(0, ps);
    ps.window.append({ offset: 0, bytes: 10 } as EdgeRecord);
    const upkeep = new TopicUpkeep(new Map([['t', topic]]), pino({ level: 'silent' }));
    upkeep.start();
    vi.advanceTimersByTime(500);
    ps.window.append({ offset: 1, bytes: 10 } as EdgeRecord);
    vi.advanceTimersByTime(750);
    expect(ps.window.readFrom(0).map((r) => r.offset)).toEqual([1]);
    upkeep.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
