import { describe, expect, it } from 'vitest';
import { type ClientOptions, FanoutClientError, createClient } from '../src/index.js';
import { FakeNetwork } from './support/fake-socket.js';

describe('options', () => {
  it('reports every invalid option in one invalid_options error', () => {
    let error: unknown;
    try {
      createClient({
        endpoints: ['http://edge', 'ws://ok'],
        backoff: { minMs: -1, maxMs: Number.NaN },
        ack: { maxBatch: 0 },
        WebSocket: 'ws' as unknown as ClientOptions['WebSocket'],
        storage: null,
        globalEvents: null,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FanoutClientError);
    expect(error).toMatchObject({ code: 'invalid_options', retriable: false });
    const message = (error as Error).message;
    for (const part of [
      '"http://edge" is not a ws://',
      'backoff.minMs',
      'backoff.maxMs',
      'ack.maxBatch',
      'WebSocket',
    ]) {
      expect(message).toContain(part);
    }
  });

  it('requires at least one endpoint', () => {
    expect(() => createClient({ endpoints: [], WebSocket: new FakeNetwork().WebSocket })).toThrow(
      /endpoints: at least one/,
    );
  });

  it('accepts a single endpoint string', () => {
    const net = new FakeNetwork();
    const client = createClient({
      endpoints: 'wss://edge',
      WebSocket: net.WebSocket,
      storage: null,
      globalEvents: null,
    });
    expect(client.state).toBe('connecting');
    void client.close();
  });
});
