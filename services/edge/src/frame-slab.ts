/** Frames of one partition are carved out of blocks of this size. */
export const SLAB_BYTES = 16 * 1024;
/** Frames above this get an allocation of their own. */
export const LARGEST_SLAB_FRAME = 2 * 1024;

/**
 * The live frames of ONE partition, allocated as views into 16 KiB slabs: a
 * fresh typed array per record (its own backing store) costs about 1 µs and
 * GC work, a view about a fifth of that. One slab per partition, because the
 * window drops a partition's records in offset order: a slab is freed with
 * its last frame, so a partition retains at most one slab beyond what its
 * window holds. A slab shared by partitions would be held by the slowest
 * one (a quiet partition's few records keeping a busy one's slabs alive).
 * uWS copies what it publishes or sends, so nothing outside the window keeps
 * a view.
 */
export class FrameSlab {
  #slab: Uint8Array | undefined;
  #at = 0;

  readonly alloc = (bytes: number): Uint8Array => {
    if (bytes > LARGEST_SLAB_FRAME) return new Uint8Array(bytes);
    let slab = this.#slab;
    if (!slab || this.#at + bytes > SLAB_BYTES) {
      slab = new Uint8Array(SLAB_BYTES);
      this.#slab = slab;
      this.#at = 0;
    }
    const out = slab.subarray(this.#at, this.#at + bytes);
    this.#at += bytes;
    return out;
  };
}
