/** A listener of event `K` of event map `M`. */
export type Listener<M, K extends keyof M> = (payload: M[K]) => void;

/**
 * A tiny typed event emitter. A throwing listener never breaks the SDK: its
 * error is passed to `onListenerError`.
 */
export class Emitter<M> {
  private readonly listeners = new Map<keyof M, Set<Listener<M, keyof M>>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof M>(event: K, listener: Listener<M, K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = listener as Listener<M, keyof M>;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  /** Whether anyone listens to `event`. */
  has(event: keyof M): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  /** Calls the listeners of `event` in order. */
  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
