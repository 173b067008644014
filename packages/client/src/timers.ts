import type { Clock } from './types.js';

/** Named one-shot timers on an injectable clock; setting a name replaces its timer. */
export class Timers<N extends string> {
  private readonly handles = new Map<N, unknown>();

  constructor(private readonly clock: Clock) {}

  set(name: N, ms: number, fn: () => void): void {
    this.clear(name);
    this.handles.set(name, this.clock.setTimeout(fn, ms));
  }

  clear(name: N): void {
    const handle = this.handles.get(name);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.handles.delete(name);
  }

  clearAll(): void {
    for (const name of [...this.handles.keys()]) this.clear(name);
  }
}
