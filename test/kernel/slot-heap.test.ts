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

describe.each([false, true])('SlotHeap (lazyPop: %s)', (lazyPop) => {
  it('pops slots in (key, first, second) order, through pushes, removals and moves, growing past its first capacity', () => {
    const rng = lcg(7);
    const heap = new SlotHeap(4, 2 ** 30, { lazyPop });
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
        // Not always read first: a pop right after a pop, or a push right after a pop, meets an empty root.
        if (rng() < 0.5) expect(heap.topKey).toBe(smallest.key);
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
    const heap = new SlotHeap(2, 4, { lazyPop });
    expect([heap.take(), heap.take(), heap.take(), heap.take(), heap.take()]).toEqual([0, 1, 2, 3, -1]);
    heap.give(2);
    expect(heap.take()).toBe(2);
    expect(heap.topKey).toBe(Infinity);
  });
});

describe('SlotHeap lazyPop', () => {
  // An event loop's pattern: pop the next entry, push one or two later ones (mostly soon, some late), now and
  // then a move or a removal; the two heaps must give out the same slots in the same order.
  it('gives the same pops as the plain heap in a pop-then-push loop', () => {
    const heaps = [new SlotHeap(4, 2 ** 30), new SlotHeap(4, 2 ** 30, { lazyPop: true })];
    const rng = lcg(11);
    const pops: number[][] = [[], []];
    let seq = 0;
    let now = 0;
    const live: number[] = [];
    const push = (key: number): void => {
      const slots = heaps.map((h) => h.take());
      expect(slots[1]).toBe(slots[0]);
      for (const h of heaps) h.push(slots[0]!, key, 0, seq);
      seq++;
      live.push(slots[0]!);
    };
    for (let i = 0; i < 100; i++) push(rng() * 20);
    for (let step = 0; step < 20000; step++) {
      const slots = heaps.map((h) => h.pop());
      expect(slots[1]).toBe(slots[0]);
      pops[0]!.push(slots[0]!);
      live.splice(live.indexOf(slots[0]!), 1);
      for (const h of heaps) h.give(slots[0]!);
      const u = rng();
      if (u < 0.85) push(now + (rng() < 0.8 ? rng() * 0.5 : 10 + rng() * 20));
      if (u < 0.1) push(now + rng());
      if (u > 0.95 && live.length > 1) {
        const slot = live[Math.floor(rng() * live.length)]!;
        const key = now + rng() * 5;
        for (const h of heaps) h.move(slot, key, seq);
        seq++;
      }
      if (live.length < 20) for (let i = 0; i < 20; i++) push(now + rng() * 20);
      now = heaps[0]!.topKey;
      expect(heaps[1]!.topKey).toBe(now);
      expect(heaps[1]!.size).toBe(heaps[0]!.size);
    }
    expect(pops[0]!.length).toBe(20000);
  });
});
