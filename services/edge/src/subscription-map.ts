/**
 * A connection's subscriptions by channel name: a Map's interface (the part
 * the edge uses), holding the first subscription inline. Most connections
 * hold one subscription, and a Map for it is 184 bytes of heap per
 * connection; this object is 40. A Map is made on the second entry and kept
 * from then on. Iteration is in insertion order, as with a Map; deleting
 * entries while iterating is safe (entries added meanwhile may be missed).
 */
export class SubscriptionMap<V> {
  #oneKey: string | undefined;
  #one: V | undefined;
  #many: Map<string, V> | undefined;

  get size(): number {
    if (this.#many) return this.#many.size;
    return this.#oneKey === undefined ? 0 : 1;
  }

  get(key: string): V | undefined {
    if (this.#many) return this.#many.get(key);
    return key === this.#oneKey ? this.#one : undefined;
  }

  has(key: string): boolean {
    if (this.#many) return this.#many.has(key);
    return key === this.#oneKey;
  }

  set(key: string, value: V): this {
    if (this.#many) this.#many.set(key, value);
    else if (this.#oneKey === undefined || this.#oneKey === key) {
      this.#oneKey = key;
      this.#one = value;
    } else {
      this.#many = new Map([[this.#oneKey, this.#one as V]]);
      this.#many.set(key, value);
      this.#oneKey = undefined;
      this.#one = undefined;
    }
    return this;
  }

  delete(key: string): boolean {
    if (this.#many) return this.#many.delete(key);
    if (key !== this.#oneKey) return false;
    this.#oneKey = undefined;
    this.#one = undefined;
    return true;
  }

  clear(): void {
    this.#many?.clear();
    this.#oneKey = undefined;
    this.#one = undefined;
  }

  *entries(): IterableIterator<[string, V]> {
    if (this.#many) {
      yield* this.#many.entries();
      return;
    }
    const key = this.#oneKey;
    if (key !== undefined) yield [key, this.#one as V];
  }

  *keys(): IterableIterator<string> {
    if (this.#many) {
      yield* this.#many.keys();
      return;
    }
    const key = this.#oneKey;
    if (key !== undefined) yield key;
  }

  *values(): IterableIterator<V> {
    if (this.#many) {
      yield* this.#many.values();
      return;
    }
    if (this.#oneKey !== undefined) yield this.#one as V;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
