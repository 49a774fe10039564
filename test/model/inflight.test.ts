import { describe, expect, it } from 'vitest';
import { Inflight } from '../../src/model/inflight.js';
import type { Request } from '../../src/model/request.js';

const req = (id: number) => ({ id, inflightAt: -1 }) as unknown as Request;

describe('Inflight (the requests an instance holds)', () => {
  it('counts adds and removals, removing a request twice or one never added changes nothing, and gives the requests held in the order they were sent', () => {
    const set = new Inflight();
    const rs = [1, 2, 3, 4, 5].map(req);
    for (const r of rs) set.add(r);
    expect(set.size).toBe(5);
    set.delete(rs[1]!);
    set.delete(rs[1]!);
    set.delete(req(9));
    expect(set.size).toBe(4);
    // The last one moved into the freed place: still listed in send order.
    expect(set.inOrder().map((r) => r.id)).toEqual([1, 3, 4, 5]);
    set.delete(rs[0]!);
    set.delete(rs[4]!);
    set.add(req(6));
    expect(set.inOrder().map((r) => r.id)).toEqual([3, 4, 6]);
    for (const r of set.inOrder()) set.delete(r);
    expect(set.size).toBe(0);
    expect(rs[2]!.inflightAt).toBe(-1);
  });
});
