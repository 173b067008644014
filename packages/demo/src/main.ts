// The demo page: a live ticker of a channel (default demo.ticks) through the
// SDK. Query parameters: `url` (edge URL(s), comma-separated; default
// ws://<this host>:8080) and `channel`. The SDK's default storage
// (sessionStorage) keeps the session, so a reload resumes it. What the page
// saw is exposed as `window.fanoutDemo` for the end-to-end test.
import { type ClientState, type FanoutRecord, type SubscriptionState, createClient } from '@fanout/client';
import { PriceChart } from './chart.js';
import { DeliveryTracker, type SeenRecord, parseSnapshot } from './tracker.js';

/** What the page exposes as `window.fanoutDemo`. */
export interface DemoState {
  channel: string;
  endpoints: string[];
  state: ClientState;
  /** The subscription's state (`subscribed` once live). */
  subscription: SubscriptionState;
  sessionId: string | undefined;
  /** The endpoint of the current (or last) connection. */
  endpoint: string | undefined;
  /** Connections established (Welcome received) by this page load. */
  connections: number;
  /** Of those, the ones where the edge resumed the session. */
  resumed: number;
  received: number;
  gaps: number;
  duplicates: number;
  continuityLost: number;
  /** Records handled by this page load, oldest first (the last 5000). */
  records: SeenRecord[];
  /** Records handled by earlier loads of this tab (the last 5000), as stored. */
  previous: readonly SeenRecord[];
  /** Errors the SDK surfaced, as `code: message`. */
  errors: string[];
  /** Per partition, the SDK's delivered positions. */
  positions(): Array<{ partition: number; offset: number }>;
  /** Cuts the connection (the button). */
  cut(): void;
}

declare global {
  interface Window {
    fanoutDemo?: DemoState;
  }
}

const params = new URLSearchParams(location.search);
const channel = params.get('channel') || 'demo.ticks';
const endpoints = (params.get('url') || `ws://${location.hostname || '127.0.0.1'}:8080`)
  .split(',')
  .map((u) => u.trim())
  .filter((u) => u.length > 0);

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el;
};
const text = (id: string, value: string | number): void => {
  $(id).textContent = String(value);
};

const TRACKER_KEY = `fanout-demo:${channel}`;
const tracker = new DeliveryTracker(
  !channel.includes(':'),
  parseSnapshot(sessionStorage.getItem(TRACKER_KEY)),
);
const persistTracker = (): void => {
  try {
    sessionStorage.setItem(TRACKER_KEY, JSON.stringify(tracker.snapshot()));
  } catch {
    // Quota or disabled storage: the counters still work for this page load.
  }
};
addEventListener('pagehide', persistTracker);
setInterval(persistTracker, 1000);

const chart = new PriceChart($('chart') as unknown as SVGSVGElement, $('legend'));
const utf8 = new TextDecoder();
const logLines: string[] = [];
const log = (line: string): void => {
  logLines.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  if (logLines.length > 30) logLines.shift();
  $('log').textContent = logLines.slice().reverse().join('\n');
};

const client = createClient({ endpoints, name: `demo:${channel}` });

const demo: DemoState = {
  channel,
  endpoints,
  state: client.state,
  subscription: 'subscribing',
  sessionId: client.sessionId,
  endpoint: undefined,
  connections: 0,
  resumed: 0,
  received: 0,
  gaps: 0,
  duplicates: 0,
  continuityLost: 0,
  records: tracker.records,
  previous: tracker.previous,
  errors: [],
  positions: () => subscription.positions().map((p) => ({ partition: p.partition, offset: p.offset })),
  cut: () => {
    log('cutting the connection');
    client.reconnect();
  },
};
window.fanoutDemo = demo;

function onRecord(record: FanoutRecord): void {
  const key = record.key === null ? null : utf8.decode(record.key);
  const payload = utf8.decode(record.payload);
  const verdict = tracker.add({ partition: record.partition, offset: record.offset, key, payload });
  if (verdict !== 'ok') log(`${verdict}: partition ${record.partition} offset ${record.offset}`);
  demo.received = tracker.received;
  demo.gaps = tracker.gaps;
  demo.duplicates = tracker.duplicates;
  try {
    const tick = JSON.parse(payload) as { symbol?: unknown; price?: unknown; at?: unknown };
    const symbol = typeof tick.symbol === 'string' ? tick.symbol : (key ?? '?');
    if (typeof tick.price === 'number') chart.add(symbol, tick.price, record.timestampMs);
  } catch {
    // Not a tick: counted, not charted.
  }
  scheduleRender();
}

const subscription = client.subscribe(channel, { from: 'latest' }, onRecord);
subscription.on('continuityLost', (e) => {
  demo.continuityLost++;
  tracker.continuesAt(e.partition, e.availableOffset);
  log(`continuity lost on partition ${e.partition}: ${e.requestedOffset}..${e.availableOffset - 1}`);
  scheduleRender();
});
demo.subscription = subscription.state;
subscription.on('state', (e) => {
  demo.subscription = e.to;
  log(`subscription ${e.from} → ${e.to} (${e.message})`);
});
subscription.on('error', ({ error }) => {
  demo.errors.push(`${error.code}: ${error.message}`);
  log(`subscription error ${error.code}: ${error.message}`);
});
client.on('state', (e) => {
  demo.state = e.to;
  log(`connection ${e.from} → ${e.to} (${e.message})`);
  if (e.error) {
    demo.errors.push(`${e.error.code}: ${e.error.message}`);
    log(`error ${e.error.code}: ${e.error.message}`);
  }
  scheduleRender();
});
client.on('connected', (e) => {
  demo.connections++;
  if (e.resumed) demo.resumed++;
  demo.sessionId = e.sessionId;
  demo.endpoint = e.endpoint;
  log(`connected to ${e.endpoint} (node ${e.nodeId}), session ${e.sessionId}${e.resumed ? ' resumed' : ''}`);
  scheduleRender();
});
client.on('error', (e) => {
  demo.errors.push(`${e.code}: ${e.message}`);
  log(`error ${e.code}: ${e.message}`);
});
$('cut').addEventListener('click', () => demo.cut());

let renderTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRender(): void {
  if (renderTimer === undefined) renderTimer = setTimeout(render, 100);
}

function render(): void {
  renderTimer = undefined;
  demo.sessionId = client.sessionId ?? demo.sessionId;
  const state = $('state');
  state.textContent = demo.state;
  state.className = `value state-${demo.state}`;
  text('received', demo.received);
  text('gaps', demo.gaps);
  text('duplicates', demo.duplicates);
  $('gaps').classList.toggle('bad', demo.gaps > 0);
  $('duplicates').classList.toggle('bad', demo.duplicates > 0);
  text('lost', demo.continuityLost);
  text('session', demo.sessionId ?? '-');
  text('edge', demo.endpoint ?? '-');
  text('connections', `${demo.connections} (${demo.resumed} resumed)`);
  $('positions').replaceChildren(
    ...demo.positions().map((p) => {
      const row = document.createElement('tr');
      for (const v of [p.partition, p.offset]) {
        const cell = document.createElement('td');
        cell.textContent = String(v);
        row.appendChild(cell);
      }
      return row;
    }),
  );
  chart.render();
}

text('channel', channel);
text('endpoints', endpoints.join(', '));
setInterval(scheduleRender, 1000);
render();
