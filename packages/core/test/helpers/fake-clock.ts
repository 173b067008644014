import type { TimerFunctions } from '../../src/write-behind.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** A deterministic clock with injectable timers; `advance` runs due timers in time order. */
export class FakeClock implements TimerFunctions {
  nowMs = 0;
  #timers: Timer[] = [];
  #nextId = 1;

  readonly now = (): number => this.nowMs;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const t: Timer = { id: this.#nextId++, at: this.nowMs + ms, fn };
    this.#timers.push(t);
    return t.id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  };

  /** Pending timers' due times, sorted. */
  get pendingAt(): number[] {
    return this.#timers.map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves time forward, running each due timer (and flushing microtasks after each). */
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.nowMs = due.at;
      due.fn();
    }
    this.nowMs = end;
    await flushMicrotasks();
  }
}

/** Lets pending promise callbacks run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
