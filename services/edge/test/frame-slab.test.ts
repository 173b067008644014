import { describe, expect, it } from 'vitest';
import { FrameSlab, LARGEST_SLAB_FRAME, SLAB_BYTES } from '../src/frame-slab.js';

describe('frame slab', () => {
  it('hands out disjoint views of one slab, in order, then a fresh slab when one is full', () => {
    const slab = new FrameSlab();
    const a = slab.alloc(100);
    const b = slab.alloc(200);
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 100);
    expect([a.length, b.length]).toEqual([100, 200]);
    let last = b;
    while (last.buffer === a.buffer) last = slab.alloc(LARGEST_SLAB_FRAME);
    expect(last.byteOffset).toBe(0);
    expect(last.buffer.byteLength).toBe(SLAB_BYTES);
  });

  it('gives a large frame its own memory and keeps filling the slab after it', () => {
    const slab = new FrameSlab();
    const a = slab.alloc(10);
    const big = slab.alloc(LARGEST_SLAB_FRAME + 1);
    const b = slab.alloc(10);
    expect(big.buffer).not.toBe(a.buffer);
    expect(big.buffer.byteLength).toBe(LARGEST_SLAB_FRAME + 1);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(10);
  });
});
