import {
  type ClientOptions,
  type ClientState,
  type ConnectedEvent,
  type ContinuityLostEvent,
  type FanoutClient,
  type FanoutClientError,
  type StateChange,
  createClient,
} from '@fanout/client';
import { waitFor } from '@fanout/testing';
import { onTestFinished } from 'vitest';
import type { Produced } from './kafka.js';
import { countingWebSocket } from './sdk-client.js';
import { expectedFor } from './verify.js';

/** An SDK client (Node, `ws`) in a fault test, and everything it went through. */
export interface FaultClient {
  readonly name: string;
  readonly channel: string;
  readonly client: FanoutClient;
  /** Connection attempts, by URL. */
  readonly attempts: string[];
  readonly states: Array<StateChange<ClientState>>;
  /** One per Welcome. */
  readonly connections: ConnectedEvent[];
  readonly continuityLost: ContinuityLostEvent[];
  /** Client errors and subscription errors. */
  readonly errors: FanoutClientError[];
  /** The sequence number (payload) of every record the application handler got, in order. */
  readonly seqs: number[];
}

const utf8 = new TextDecoder();

/**
 * Creates an SDK client subscribed to `channel` from `latest`, whose handler
 * records each record's sequence number (payloads written by TestKafka are
 * the sequence number as text). No storage, no global events; closed when
 * the test finishes.
 */
export function faultClient(
  name: string,
  channel: string,
  options: Partial<ClientOptions> & Pick<ClientOptions, 'endpoints'>,
): FaultClient {
  const { WebSocket, attempts } = countingWebSocket();
  const client = createClient({ storage: null, globalEvents: null, WebSocket, ...options });
  onTestFinished(() => client.close());
  const c: FaultClient = {
    name,
    channel,
    client,
    attempts,
    states: [],
    connections: [],
    continuityLost: [],
    errors: [],
    seqs: [],
  };
  client.on('state', (s) => c.states.push(s));
  client.on('connected', (e) => c.connections.push(e));
  client.on('error', (e) => c.errors.push(e));
  const sub = client.subscribe(channel, { from: 'latest' }, (record) => {
    c.seqs.push(Number.parseInt(utf8.decode(record.payload), 10));
  });
  sub.on('continuityLost', (e) => c.continuityLost.push(e));
  sub.on('error', (e) => c.errors.push(e.error));
  return c;
}

/** `n` channels of `topic`: even ones `<topic>`, odd ones `<topic>:<key>` over `keys`. */
export function mixedChannels(topic: string, keys: readonly string[], n: number): string[] {
  return Array.from({ length: n }, (_, i) =>
    i % 2 === 0 ? topic : `${topic}:${keys[Math.floor(i / 2) % keys.length]}`,
  );
}

/** Waits until every client's subscription is live. */
export async function waitSubscribed(clients: readonly FaultClient[], timeoutMs = 60_000): Promise<void> {
  const pending = () => clients.filter((c) => c.client.subscription(c.channel)?.state !== 'subscribed');
  try {
    await waitFor(() => pending().length === 0, {
      timeoutMs,
      intervalMs: 50,
      description: 'every client subscribed',
    });
  } catch (err) {
    const late = pending()
      .slice(0, 5)
      .map((c) => `${c.name} ${c.client.state}/${c.client.subscription(c.channel)?.state}`);
    throw new Error(`${(err as Error).message}; ${pending().length} not yet: ${late.join('; ')}`, {
      cause: err,
    });
  }
}

/** Waits until every client's handler got at least as many records as its channel has among `produced`. */
export async function waitDelivered(
  clients: readonly FaultClient[],
  produced: readonly Produced[],
  timeoutMs = 60_000,
): Promise<void> {
  const want = new Map<string, number>();
  for (const c of clients)
    if (!want.has(c.channel)) want.set(c.channel, expectedFor(c.channel, produced).length);
  try {
    await waitFor(() => clients.every((c) => c.seqs.length >= (want.get(c.channel) ?? 0)), {
      timeoutMs,
      intervalMs: 50,
      description: 'every record delivered to every client',
    });
  } catch (err) {
    const behind = clients
      .filter((c) => c.seqs.length < (want.get(c.channel) ?? 0))
      .slice(0, 5)
      .map(
        (c) =>
          `${c.name} ${c.channel} ${c.seqs.length}/${want.get(c.channel)} state ${c.client.state}/${c.client.subscription(c.channel)?.state}`,
      );
    throw new Error(`${(err as Error).message}; behind: ${behind.join('; ')}`, { cause: err });
  }
}

/** What a fault did to the records, summed over the clients (application level: the handlers). */
export interface FaultReport {
  fault: string;
  clients: number;
  /** Records written to Kafka. */
  produced: number;
  /** Deliveries the clients' channels call for. */
  expected: number;
  /** Handler calls. */
  delivered: number;
  /** Expected deliveries that never happened. */
  lost: number;
  /** Handler calls beyond the first for a record. */
  duplicated: number;
  /** Handler calls for records the channel does not hold. */
  unexpected: number;
  /** Connections (Welcomes) beyond each client's first. */
  reconnects: number;
  /** Clients that ended `closed`. */
  closed: number;
  continuityLost: number;
  /** A few examples of what went wrong, for the failure message. */
  examples: string[];
}

/** Compares what each client's handler got with what its channel holds among `produced`. */
export function faultReport(
  fault: string,
  clients: readonly FaultClient[],
  produced: readonly Produced[],
): FaultReport {
  const r: FaultReport = {
    fault,
    clients: clients.length,
    produced: produced.length,
    expected: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    unexpected: 0,
    reconnects: 0,
    closed: 0,
    continuityLost: 0,
    examples: [],
  };
  const expectedOf = new Map<string, number[]>();
  for (const c of clients) {
    let expected = expectedOf.get(c.channel);
    if (!expected) {
      expected = expectedFor(c.channel, produced);
      expectedOf.set(c.channel, expected);
    }
    const want = new Set(expected);
    const counts = new Map<number, number>();
    for (const s of c.seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
    const lost = expected.filter((s) => !counts.has(s));
    const dup = [...counts].filter(([, n]) => n > 1);
    const foreign = [...counts.keys()].filter((s) => !want.has(s));
    r.expected += expected.length;
    r.delivered += c.seqs.length;
    r.lost += lost.length;
    r.duplicated += dup.reduce((sum, [, n]) => sum + n - 1, 0);
    r.unexpected += foreign.length;
    r.reconnects += Math.max(0, c.connections.length - 1);
    if (c.client.state === 'closed') r.closed++;
    r.continuityLost += c.continuityLost.length;
    if ((lost.length || dup.length || foreign.length) && r.examples.length < 5)
      r.examples.push(
        `${c.name} ${c.channel}: lost [${lost.slice(0, 5)}] duplicated [${dup.slice(0, 5).map(([s]) => s)}] unexpected [${foreign.slice(0, 5)}]`,
      );
  }
  return r;
}

/** The report as one line (written to stderr by {@link printReport}). */
export function describeReport(r: FaultReport): string {
  return `produced ${r.produced} records, ${r.clients} clients expected ${r.expected} deliveries: delivered ${r.delivered}, lost ${r.lost}, duplicated ${r.duplicated}, unexpected ${r.unexpected}; reconnects ${r.reconnects}, closed ${r.closed}, continuity lost ${r.continuityLost}`;
}

/** Writes `[fault] <name>: <report> <extra>` on stderr (shown in the run's output). */
export function printReport(r: FaultReport, extra = ''): void {
  process.stderr.write(`[fault] ${r.fault}: ${describeReport(r)}${extra ? `; ${extra}` : ''}\n`);
}
