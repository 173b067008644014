import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isSupervisorRequest, isWorkerMessage, workerIndexOf } from '../../src/workers/ipc.js';
import { restartDelayMs } from '../../src/workers/supervisor.js';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  EDGE_TOPICS: 'prices',
  SESSION_STORE: 'memory',
  AUTH_MODE: 'insecure',
};
const load = (env: Record<string, string>) =>
  loadConfig({ ...base, ...env }, { nodeId: 'node-1', cores: 16 });

describe('EDGE_WORKERS', () => {
  it('defaults to one worker (no supervisor) and no admin port', () => {
    const config = load({});
    expect(config.workers).toBe(1);
    expect(config.adminPort).toBeUndefined();
  });

  it("reads a number, or 'auto' as the cores, and the admin port", () => {
    expect(load({ EDGE_WORKERS: '4' }).workers).toBe(4);
    expect(load({ EDGE_WORKERS: 'auto' }).workers).toBe(16);
    expect(load({ EDGE_WORKERS: '2', EDGE_ADMIN_PORT: '9100' }).adminPort).toBe(9100);
  });

  it('rejects zero, negative, fractional and unknown values with a clear message', () => {
    for (const bad of ['0', '-1', '1.5', 'all', 'AUTO'])
      expect(() => load({ EDGE_WORKERS: bad }), bad).toThrow(/EDGE_WORKERS: must be 'auto' or a number/);
    expect(() => load({ EDGE_ADMIN_PORT: '70000' })).toThrow(/EDGE_ADMIN_PORT: must be <= 65535/);
  });
});

describe('the supervisor', () => {
  it('restarts a worker after a stable run at once, and backs off on quick exits in a row', () => {
    expect(restartDelayMs(0)).toBe(0);
    expect([1, 2, 3, 4].map(restartDelayMs)).toEqual([250, 500, 1000, 2000]);
    expect(restartDelayMs(20)).toBe(10_000);
  });

  it('tells a worker by its argument, and rejects a bad index', () => {
    expect(workerIndexOf(['node', 'main.ts'])).toBeUndefined();
    expect(workerIndexOf(['node', 'main.ts', '--edge-worker', '3'])).toBe(3);
    expect(() => workerIndexOf(['node', 'main.ts', '--edge-worker', 'x'])).toThrow(/worker index/);
  });

  it('accepts only well-formed IPC messages', () => {
    expect(isSupervisorRequest({ type: 'metrics', id: 1 })).toBe(true);
    expect(isSupervisorRequest({ type: 'metrics' })).toBe(false);
    expect(isSupervisorRequest('metrics')).toBe(false);
    expect(isWorkerMessage({ type: 'listening', port: 1, nodeId: 'n' })).toBe(true);
    expect(isWorkerMessage({ type: 'other' })).toBe(false);
    expect(isWorkerMessage(null)).toBe(false);
  });
});
