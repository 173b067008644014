import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Readiness } from '../src/readiness.js';
import type { SourceReadiness } from '../src/topic-registry.js';

function setup(initiallyUp = true) {
  const store = { up: initiallyUp, beats: 0 };
  let source: SourceReadiness = { ready: true, reasons: [], unhealthyPartitions: [] };
  const readiness = new Readiness({
    nodeId: 'n1',
    store: {
      heartbeat: async () => {
        store.beats++;
        if (!store.up) throw new Error('store down');
      },
    },
    source: () => source,
  });
  return { readiness, store, setSource: (s: SourceReadiness) => (source = s) };
}

describe('readiness', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is ready while Kafka and the store answer and the edge is not stopping', async () => {
    const { readiness, store, setSource } = setup();
    await readiness.start();
    expect(readiness.ready()).toBe(true);
    expect(readiness.report()).toEqual({
      kafka: true,
      store: true,
      stopping: false,
      reasons: [],
      unhealthy_partitions: [],
    });
    store.up = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(readiness.ready()).toBe(false);
    expect(readiness.report().reasons).toEqual(['session store unreachable']);
    store.up = true;
    setSource({ ready: false, reasons: ['connecting to Kafka'], unhealthyPartitions: [] });
    await vi.advanceTimersByTimeAsync(1000);
    expect(readiness.report()).toMatchObject({ kafka: false, store: true, reasons: ['connecting to Kafka'] });
    readiness.beginStop();
  });

  it('marks the edge alive before it resolves, retrying while the store connects', async () => {
    const { readiness, store } = setup(false);
    const started = readiness.start();
    await vi.advanceTimersByTimeAsync(250);
    expect(store.beats).toBe(3);
    store.up = true;
    await vi.advanceTimersByTimeAsync(100);
    await started;
    const beats = store.beats;
    readiness.beginStop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(store.beats).toBe(beats);
  });

  it('is never ready again once stopping', async () => {
    const { readiness } = setup();
    await readiness.start();
    readiness.beginStop();
    expect(readiness.stopping).toBe(true);
    expect(readiness.ready()).toBe(false);
    expect(readiness.report().reasons).toEqual(['shutting down']);
  });
});
