import type { ClientFrameInput, ErrorFrame, GoAway, Welcome } from '@fanout/protocol';
import { ErrorCode, closeAction, decodeServerFrame, encodeClientFrame } from '@fanout/protocol';
import { EndpointPicker, backoffCap, backoffDelay } from './backoff.js';
import type { Emitter } from './emitter.js';
import { FanoutClientError } from './errors.js';
import type { ConnectionHost } from './hosts.js';
import type { ResolvedOptions } from './options.js';
import { clientReasonText } from './reasons.js';
import { Timers } from './timers.js';
import { MIN_REFRESH_DELAY_MS, refreshDelay } from './token.js';
import type {
  ClientEvents,
  ClientState,
  ClientStateReason,
  StateChange,
  WebSocketCtor,
  WebSocketLike,
} from './types.js';

// Client-side close codes: 4000 "leaving, will resume", 4001 heartbeat timeout.
const LEAVING = 4000;
const HEARTBEAT_TIMEOUT = 4001;

type TimerName = 'retry' | 'connect' | 'heartbeat' | 'refresh';

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/**
 * One logical connection over successive WebSockets: the client state
 * machine, backoff, endpoint failover, heartbeat watchdog and token refresh.
 */
export class Connection {
  state: ClientState;
  endpoint = '';
  private ws: WebSocketLike | undefined;
  private welcomed = false;
  private opening = false;
  private offline = false;
  private attempt = 0;
  private token: string;
  private lastError: ErrorFrame | undefined;
  private lastFrameAt = 0;
  private readonly timers: Timers<TimerName>;
  private readonly picker: EndpointPicker;

  constructor(
    private readonly o: ResolvedOptions,
    private readonly host: ConnectionHost,
    private readonly events: Emitter<ClientEvents>,
  ) {
    this.state = o.autoConnect ? 'connecting' : 'idle';
    this.token = o.token;
    this.picker = new EndpointPicker(o.endpoints);
    this.timers = new Timers(o.clock);
  }

  /** True once Welcome arrived on the current socket. */
  get ready(): boolean {
    return this.welcomed;
  }

  start(): void {
    if (this.state === 'closed') return;
    if (this.state === 'idle') this.setState('connecting', { type: 'connect' });
    this.o.globalEvents?.addEventListener('offline', this.onOffline);
    this.o.globalEvents?.addEventListener('online', this.onOnline);
    void this.open();
  }

  send(frame: ClientFrameInput): void {
    try {
      this.ws?.send(encodeClientFrame(frame));
    } catch (error) {
      // A socket that cannot send is closing; its close event follows.
      this.log('warn', { err: error }, 'send failed');
    }
  }

  /** Drops the current socket (if any) and connects again at once, resuming the session. */
  reconnect(): void {
    if (this.state === 'closed' || this.state === 'idle') return;
    const reason: ClientStateReason = { type: 'manual', action: 'reconnect' };
    if (this.ws) {
      this.drop(LEAVING, clientReasonText(reason));
      this.host.lost('resume');
    }
    this.retry(reason, 0);
  }

  /** Closes for good with 1000. */
  close(): void {
    this.finish({ type: 'manual', action: 'close' }, undefined);
  }

  private async open(): Promise<void> {
    this.timers.clear('retry');
    if (this.state === 'closed' || this.offline || this.ws || this.opening) return;
    this.opening = true;
    let Ctor: WebSocketCtor | undefined;
    try {
      if (this.o.getToken) {
        try {
          this.token = await this.o.getToken();
        } catch (cause) {
          if (this.isClosed()) return;
          this.events.emit(
            'error',
            new FanoutClientError('token_failed', 'getToken() failed', { cause, retriable: true }),
          );
          this.retry({ type: 'token-failed' });
          return;
        }
        if (this.isClosed() || this.offline || this.ws) return;
      }
      // Synchronous when one is at hand: the socket opens in the same tick.
      Ctor = this.o.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
      Ctor ??= await this.loadWebSocket();
    } finally {
      this.opening = false;
    }
    if (!Ctor || this.isClosed() || this.offline || this.ws) return;
    const url = this.picker.pick(this.o.clock.now(), this.window());
    this.endpoint = url;
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch (error) {
      this.picker.failed(url, this.o.clock.now());
      this.log('warn', { err: error, endpoint: url }, 'cannot create WebSocket');
      this.retry({ type: 'unreachable' });
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    this.lastError = undefined;
    const token = this.token;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => this.ws === ws && this.send({ hello: this.host.hello(token) });
    ws.onmessage = (event) => this.ws === ws && this.message(event.data);
    ws.onclose = (event) => this.ws === ws && this.closed(event.code, event.reason);
    // Errors are always followed by close; `ws` needs a listener or it throws.
    ws.onerror = () => {};
    this.timers.set('connect', this.o.connectTimeoutMs, () =>
      this.abandon({ type: 'connect-timeout' }, LEAVING),
    );
  }

  private message(data: unknown): void {
    const bytes = toBytes(data);
    const result = bytes ? decodeServerFrame(bytes) : undefined;
    if (!result?.ok) {
      // A frame kind from a newer edge is skipped; anything else may have cost a record: resume.
      if (result?.error.code === ErrorCode.UNKNOWN_FRAME) return;
      const cause = result?.error;
      this.events.emit(
        'error',
        new FanoutClientError('malformed_frame', 'the edge sent an invalid frame', { cause }),
      );
      this.abandon({ type: 'malformed-frame' }, LEAVING);
      return;
    }
    this.lastFrameAt = this.o.clock.now();
    const frame = result.frame;
    switch (frame.kind) {
      case 'ping':
        this.send({ pong: {} });
        return;
      case 'pong':
        return;
      case 'welcome':
        this.welcome(frame.welcome);
        return;
      case 'goAway':
        this.goAway(frame.goAway);
        return;
      case 'error':
        // The connection-level error a close may follow (not one about a request or a channel).
        if (frame.error.requestId === 0 && !frame.error.channel) this.lastError = frame.error;
        break;
    }
    if (this.welcomed) this.host.frame(frame);
  }

  private welcome(welcome: Welcome): void {
    if (this.welcomed) return;
    this.welcomed = true;
    this.attempt = 0;
    this.timers.clear('connect');
    const interval = welcome.heartbeatIntervalMs;
    if (interval > 0) this.watch(interval + (this.o.heartbeatGraceMs ?? Math.max(interval / 2, 2000)));
    this.scheduleRefresh(refreshDelay(this.token, this.o.clock.now()));
    this.host.welcome(welcome);
    this.setState('connected', { type: 'welcome', resumed: welcome.resumed });
    const { sessionId, resumed, nodeId } = welcome;
    this.events.emit('connected', { sessionId, resumed, nodeId, endpoint: this.endpoint });
  }

  // No frame for `deadMs` means a dead or stalled network, which may never close by itself.
  private watch(deadMs: number): void {
    const check = (): void => {
      const idle = this.o.clock.now() - this.lastFrameAt;
      if (idle >= deadMs) this.abandon({ type: 'heartbeat-timeout' }, HEARTBEAT_TIMEOUT);
      else this.timers.set('heartbeat', deadMs - idle, check);
    };
    this.timers.set('heartbeat', deadMs, check);
  }

  private scheduleRefresh(delay: number | undefined): void {
    const getToken = this.o.getToken;
    if (!getToken || delay === undefined) return;
    const ws = this.ws;
    this.timers.set('refresh', delay, async () => {
      let token: string;
      try {
        token = await getToken();
      } catch (cause) {
        if (this.ws !== ws) return;
        this.events.emit(
          'error',
          new FanoutClientError('token_failed', 'getToken() failed', { cause, retriable: true }),
        );
        this.scheduleRefresh(MIN_REFRESH_DELAY_MS);
        return;
      }
      if (this.ws !== ws || !this.welcomed) return;
      this.token = token;
      this.send({ refresh: { token } });
      this.scheduleRefresh(refreshDelay(token, this.o.clock.now()));
    });
  }

  private goAway(goAway: GoAway): void {
    const delay =
      goAway.reconnectAfterMs + backoffDelay(this.attempt, this.o.minMs, this.o.maxMs, this.o.random);
    this.abandon({ type: 'go-away', message: goAway.message }, LEAVING, delay);
  }

  /** We give up on the current socket (timeout, stall, go away, bad frame): mark its endpoint and move on. */
  private abandon(reason: ClientStateReason, code: number, delay?: number): void {
    this.picker.failed(this.endpoint, this.o.clock.now());
    this.drop(code, clientReasonText(reason));
    this.host.lost('resume');
    this.retry(reason, delay);
  }

  /** The socket closed (by the edge, or the network). */
  private closed(code: number, reason: string): void {
    const action = closeAction(code);
    const error = this.lastError;
    this.drop();
    const why: ClientStateReason = { type: 'closed', code, reason };
    const text = clientReasonText(why);
    if (action === 'closed') {
      this.finish(why, undefined);
    } else if (action === 'stop' || (action === 'refresh-token' && !this.o.getToken)) {
      const message = error
        ? `${error.message || 'connection refused'} (error ${error.code}, ${text})`
        : text;
      const detail = { closeCode: code, ...(error ? { serverCode: error.code } : {}) };
      this.finish(why, new FanoutClientError('connection_stopped', message, detail));
    } else {
      if (action === 'resume') this.picker.failed(this.endpoint, this.o.clock.now());
      this.host.lost(action);
      this.retry(why);
    }
  }

  private retry(reason: ClientStateReason, delay?: number): void {
    if (this.state === 'closed') return;
    this.setState('reconnecting', reason);
    if (this.offline) return;
    const ms = delay ?? backoffDelay(this.attempt, this.o.minMs, this.o.maxMs, this.o.random);
    this.attempt++;
    this.timers.set('retry', ms, () => void this.open());
  }

  private finish(reason: ClientStateReason, error: FanoutClientError | undefined): void {
    if (this.state === 'closed') return;
    this.timers.clearAll();
    this.o.globalEvents?.removeEventListener('offline', this.onOffline);
    this.o.globalEvents?.removeEventListener('online', this.onOnline);
    this.drop(1000, clientReasonText(reason));
    this.setState('closed', reason, error);
    this.host.stopped(error);
  }

  /** Detaches the current socket and closes it without waiting: a stalled socket may never report its close. */
  private drop(code?: number, reason?: string): void {
    const ws = this.ws;
    this.ws = undefined;
    this.welcomed = false;
    this.timers.clear('connect');
    this.timers.clear('heartbeat');
    this.timers.clear('refresh');
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    if (code === undefined) return;
    try {
      // A close reason is at most 123 UTF-8 bytes; 40 UTF-16 units never exceed it.
      ws.close(code, reason?.slice(0, 40));
    } catch {
      try {
        ws.close();
      } catch {
        // Already closed.
      }
    }
  }

  private readonly onOffline = (): void => {
    this.offline = true;
    if (this.state === 'closed') return;
    this.timers.clear('retry');
    if (this.ws) {
      this.drop(LEAVING, 'offline');
      this.host.lost('resume');
    }
    this.setState('reconnecting', { type: 'offline' });
  };

  private readonly onOnline = (): void => {
    this.offline = false;
    if (this.state === 'reconnecting' && !this.ws) void this.open();
  };

  /** With no WebSocket option nor global: the entry's fallback (`ws` in Node); else the client stops. */
  private async loadWebSocket(): Promise<WebSocketCtor | undefined> {
    let cause: unknown;
    try {
      const loaded = await this.o.loadWebSocket?.();
      if (loaded) return loaded;
    } catch (error) {
      cause = error;
    }
    const error = new FanoutClientError(
      'no_websocket',
      'no WebSocket implementation: pass `WebSocket` in the options (in Node 20: `import { WebSocket } from "ws"`), or install `ws` next to @fanout/client',
      { cause },
    );
    this.events.emit('error', error);
    this.finish({ type: 'no-websocket' }, error);
    return undefined;
  }

  // A method, so TypeScript does not carry the narrowing of `state` across an await.
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private window(): number {
    return backoffCap(this.attempt, this.o.minMs, this.o.maxMs);
  }

  private setState(to: ClientState, reason: ClientStateReason, error?: FanoutClientError): void {
    if (this.state === to) return;
    const message = clientReasonText(reason);
    const change: StateChange<ClientState> = { from: this.state, to, reason, message };
    if (error) change.error = error;
    this.state = to;
    this.log(
      to === 'closed' && error ? 'error' : 'info',
      { from: change.from, to, reason: message },
      'connection state',
    );
    this.events.emit('state', change);
  }

  private log(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    this.o.logger[level]?.({ ...fields, endpoint: this.endpoint }, message);
  }
}
