import { describe, expect, it } from 'vitest';
import { SlotHeap } from '../../src/kernel/index.js';

// A small deterministic generator, so that the test is the same on every run.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Entry {
  slot: number;
  key: number;
  first: number;
  second: number;
}
const order = (a: Entry, b: Entry) => a.key - b.key || a.first - b.first || a.second - b.second;

describe('SlotHeap', () => {
  it('pops slots in (key, first, second) order, through pushes, removals and moves, growing past its first capacity', () => {
    const rng = lcg(7);
    const heap = new SlotHeap(4);
    const live = new Map<number, Entry>();
    const popped: Entry[] = [];
    const expected: Entry[] = [];
    let seq = 0;
    for (let step = 0; step < 5000; step++) {
      const u = rng();
      if (u < 0.5 || live.size === 0) {
        const slot = heap.take();
        // Few distinct keys and firsts: ties are common and must be broken by the next number.
        const e = { slot, key: Math.floor(rng() * 20), first: Math.floor(rng() * 3) - 1, second: seq++ };
        heap.push(slot, e.key, e.first, e.second);
        live.set(slot, e);
      } else if (u < 0.65) {
        const e = [...live.values()][Math.floor(rng() * live.size)]!;
        heap.remove(e.slot);
        heap.give(e.slot);
        live.delete(e.slot);
      } else if (u < 0.8) {
        const e = [...live.values()][Math.floor(rng() * live.size)]!;
        e.key = Math.floor(rng() * 20);
        e.second = seq++;
        heap.move(e.slot, e.key, e.second);
      } else {
        const smallest = [...live.values()].sort(order)[0]!;
        expect(heap.topKey).toBe(smallest.key);
        const slot = heap.pop();
        popped.push(live.get(slot)!);
        expected.push(smallest);
        live.delete(slot);
        heap.give(slot);
      }
      expect(heap.size).toBe(live.size);
    }
    expect(popped.length).toBeGreaterThan(500);
    expect(popped).toEqual(expected);
    expect(heap.capacity).toBeGreaterThan(4);
  });

  it('take() gives −1 beyond its most slots, and given-back slots are taken again first', () => {
    const heap = new SlotHeap(2, 4);
    expect([heap.take(), heap.take(), heap.take(), heap.take(), heap.take()]).toEqual([0, 1, 2, 3, -1]);
    heap.give(2);
    expect(heap.take()).toBe(2);
    expect(heap.topKey).toBe(Infinity);
  });
});
