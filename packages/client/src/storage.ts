import type { Position } from '@fanout/protocol';
import type { Clock, SessionStorage } from './types.js';

/** The Web Storage API subset `webStorage` needs (`localStorage`, `sessionStorage`). */
export interface WebStorageArea {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A `SessionStorage` over a Web Storage area, e.g. `webStorage(localStorage)`. */
export function webStorage(area: WebStorageArea): SessionStorage {
  return {
    get: (key) => area.getItem(key),
    set: (key, value) => area.setItem(key, value),
    remove: (key) => area.removeItem(key),
  };
}

/**
 * `sessionStorage` when the environment has one: it survives reloads and is
 * per tab. A duplicated tab starts with a copy of it, so two tabs can present
 * the same session: the edge then keeps one owner and closes the older one
 * with 4101, which forks a new session from its own delivered positions.
 * Undefined in Node.
 */
export function defaultStorage(): SessionStorage | undefined {
  try {
    const area = (globalThis as { sessionStorage?: WebStorageArea }).sessionStorage;
    return area ? webStorage(area) : undefined;
  } catch {
    // Sandboxed iframes throw on access.
    return undefined;
  }
}

/** What a channel persists: its delivered positions, and whether they cover every partition. */
export interface PersistedChannel {
  positions: Position[];
  /** True once the subscription was live, so its positions cover every partition of the channel. */
  complete: boolean;
}

/** The persisted state of one client. */
export interface PersistedSession {
  sessionId: string;
  channels: Map<string, PersistedChannel>;
}

/** Serializes a session (format version 1). */
export function encodeSession(session: PersistedSession): string {
  const channels: Record<string, { p: [number, number][]; c: boolean }> = {};
  for (const [channel, c] of session.channels) {
    channels[channel] = { p: c.positions.map((p) => [p.partition, p.offset]), c: c.complete };
  }
  return JSON.stringify({ v: 1, sessionId: session.sessionId, channels });
}

const isOffset = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= -1;

/** Parses what `encodeSession` wrote; undefined for anything else (never throws). */
export function decodeSession(text: string | null): PersistedSession | undefined {
  if (!text) return undefined;
  try {
    const raw = JSON.parse(text) as { v?: unknown; sessionId?: unknown; channels?: unknown };
    if (
      raw.v !== 1 ||
      typeof raw.sessionId !== 'string' ||
      typeof raw.channels !== 'object' ||
      !raw.channels
    ) {
      return undefined;
    }
    const channels = new Map<string, PersistedChannel>();
    for (const [channel, value] of Object.entries(
      raw.channels as Record<string, { p?: unknown; c?: unknown }>,
    )) {
      if (!Array.isArray(value?.p)) continue;
      const positions = (value.p as unknown[])
        .filter(
          (e): e is [number, number] => Array.isArray(e) && isOffset(e[0]) && e[0] >= 0 && isOffset(e[1]),
        )
        .map(([partition, offset]) => ({ partition, offset }));
      channels.set(channel, { positions, complete: value.c === true });
    }
    return { sessionId: raw.sessionId, channels };
  } catch {
    return undefined;
  }
}

/**
 * Writes the client's state to storage, coalesced: at most one write per
 * `delayMs` while records flow, plus immediate writes on `flush()` (session
 * change, `pagehide`, close). Writes never overlap; the latest state wins.
 */
export class Persister {
  private timer: unknown;
  private inflight: Promise<void> | undefined;
  private again = false;
  private last: string | undefined;

  constructor(
    private readonly storage: SessionStorage,
    private readonly key: string,
    private readonly delayMs: number,
    private readonly clock: Clock,
    private readonly snapshot: () => PersistedSession | undefined,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Reads the stored session, if any. */
  async load(): Promise<PersistedSession | undefined> {
    try {
      return decodeSession(await this.storage.get(this.key));
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }

  /** Something changed: write within `delayMs`. */
  schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.delayMs);
  }

  /** Writes now (synchronously for synchronous storage). */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inflight) {
      this.again = true;
      return;
    }
    const session = this.snapshot();
    const value = session ? encodeSession(session) : undefined;
    if (value === this.last) return;
    this.last = value;
    try {
      const result = value === undefined ? this.storage.remove(this.key) : this.storage.set(this.key, value);
      if (result) {
        this.inflight = result.then(
          () => this.settled(),
          (error: unknown) => this.settled(error),
        );
      }
    } catch (error) {
      this.onError(error);
    }
  }

  /** Resolves once every write issued so far has completed. */
  async flushed(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  private settled(error?: unknown): void {
    this.inflight = undefined;
    if (error !== undefined) this.onError(error);
    if (this.again) {
      this.again = false;
      this.flush();
    }
  }
}
