import { describe, expect, it } from 'vitest';

// The page's address as its view state (web/lib/view-state.js): what a view writes reads back as the
// same state, and values typed by hand that are not a state read as none.

type Sort = { key: string; ascending: boolean } | null;
interface State {
  timeline?: Record<string, string | number | null> | null;
  utilization?: { from: string | number; to: string | number } | null;
  host?: string | null;
  compare?: { A: string | null; B: string | null; more: string[] };
  study?: { metric?: string | null; sort?: Sort; indexSort?: Sort; contour?: string[] | null };
}
interface Address {
  view: string;
  id: string | null;
  metric: string | null;
  sort: Sort;
  sortText: string | null;
  indexSort: Sort;
  indexSortText: string | null;
  contour: string[] | null;
  contourText: string | null;
  host: string | null;
  timeline: Record<string, string | null> | null;
  utilization: { from: string | null; to: string | null } | null;
  compare: { A: string | null; B: string | null; more: string[] };
}
// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const WEB_MODULE = '../../web/lib/view-state.js';
const { readAddress, viewQuery, parseSort, formatSort, parseRange, parsePair } = (await import(
  WEB_MODULE
)) as {
  readAddress: (hash: string) => Address;
  viewQuery: (view: string, s: State) => string;
  parseSort: (text: string | null) => Sort;
  formatSort: (sort: Sort) => string;
  parseRange: (a: unknown, b: unknown) => [number, number] | null | undefined;
  parsePair: (text: string | null) => string[] | null;
};

describe('the address as view state', () => {
  it("writes a timeline's zoom, request and range, and reads them back as written", () => {
    // A range to full precision: a number's shortest text reads back as the same number.
    const s0 = 0.1 + 0.2;
    const s1 = 12.345678901234567;
    const q = viewQuery('timeline', { timeline: { t0: 1.5, t1: 3, request: 42, s0, s1 } });
    expect(q).toBe(`?t0=1.5&t1=3&request=42&s0=${s0}&s1=${s1}`);
    const back = readAddress(`#timeline/run%20a${q}`);
    expect(back.view).toBe('timeline');
    expect(back.id).toBe('run a');
    expect(back.timeline).toEqual({ t0: '1.5', t1: '3', request: '42', s0: String(s0), s1: String(s1) });
    expect(parseRange(back.timeline!.s0, back.timeline!.s1)).toEqual([s0, s1]);
  });

  it('leaves out what is at its default (a zoom or range missing one end, nothing picked)', () => {
    expect(viewQuery('timeline', { timeline: { t0: 1, t1: null, request: null, s0: null, s1: 2 } })).toBe('');
    expect(viewQuery('timeline', { timeline: null })).toBe('');
    expect(viewQuery('utilization', { utilization: null, host: null })).toBe('');
    expect(viewQuery('studies', { study: { metric: null, sort: null, contour: null } })).toBe('');
    expect(viewQuery('latency', { host: 'x|cpu', study: { metric: 'm' } })).toBe('');
    expect(readAddress('#latency/r').timeline).toBeNull();
    expect(readAddress('').view).toBe('topology');
  });

  it("writes Utilization's range and per-host pick", () => {
    const q = viewQuery('utilization', { utilization: { from: 10, to: 20 }, host: 'edge.cam|pool|workers' });
    expect(q).toBe('?from=10&to=20&host=edge.cam%7Cpool%7Cworkers');
    const back = readAddress(`#utilization/r${q}`);
    expect(back.utilization).toEqual({ from: '10', to: '20' });
    expect(back.host).toBe('edge.cam|pool|workers');
  });

  it('writes the runs compared when both A and B are set', () => {
    const q = viewQuery('runs', { compare: { A: 'a 1', B: 'b&2', more: ['c', 'd'] } });
    expect(q).toBe('?a=a+1&b=b%262&more=c,d');
    expect(readAddress(`#runs/x${q}`).compare).toEqual({ A: 'a 1', B: 'b&2', more: ['c', 'd'] });
    expect(viewQuery('runs', { compare: { A: 'a', B: null, more: ['c'] } })).toBe('');
  });

  it("writes a study's metric, table order and contour", () => {
    const study = {
      metric: 'responseTime.p95',
      sort: { key: 'm:responseTime.p95', ascending: false },
      contour: ['users', 'threads'],
    };
    const q = viewQuery('studies', { study });
    expect(q).toBe('?metric=responseTime.p95&sort=m:responseTime.p95:desc&contour=users,threads');
    const back = readAddress(`#studies/s${q}`);
    expect(back.metric).toBe(study.metric);
    expect(back.sort).toEqual(study.sort);
    expect(back.contour).toEqual(study.contour);
  });

  it("writes a sensitivity study's indices order under its own key, apart from the trials table's", () => {
    const study = {
      sort: { key: 'p:http', ascending: true },
      indexSort: { key: 'muStar:responseTime.mean', ascending: false },
    };
    const q = viewQuery('studies', { study });
    expect(q).toBe('?sort=p:http:asc&isort=muStar:responseTime.mean:desc');
    const back = readAddress(`#studies/morris${q}`);
    expect(back.sort).toEqual(study.sort);
    expect(back.indexSort).toEqual(study.indexSort);
    expect(viewQuery('studies', { study: { indexSort: { key: 'param', ascending: true } } })).toBe(
      '?isort=param:asc',
    );
    const odd = readAddress('#studies/morris?isort=muStar');
    expect(odd.indexSort).toBeNull();
    expect(odd.indexSortText).toBe('muStar');
    expect(readAddress('#studies/morris').indexSort).toBeNull();
  });

  it('reads values typed by hand that are not a state as none', () => {
    expect(parseSort('m:x:up')).toBeNull();
    expect(parseSort(':asc')).toBeNull();
    expect(parseSort('noorder')).toBeNull();
    expect(parseSort(null)).toBeNull();
    expect(parseSort('p:a:b:asc')).toEqual({ key: 'p:a:b', ascending: true });
    expect(formatSort(null)).toBe('');
    expect(parsePair('a,a')).toBeNull();
    expect(parsePair('a')).toBeNull();
    expect(parsePair('a,b,c')).toBeNull();
    expect(parsePair(',b')).toBeNull();
    expect(parseRange(null, '')).toBeNull();
    expect(parseRange('3', '1')).toBeUndefined();
    expect(parseRange('1', '1')).toBeUndefined();
    expect(parseRange('x', '2')).toBeUndefined();
    expect(parseRange('1', null)).toBeUndefined();
    expect(parseRange('Infinity', '2')).toBeUndefined();
    const odd = readAddress('#studies/%E0%A4%A?sort=bogus&contour=one');
    expect(odd.id).toBe('%E0%A4%A'); // a stray % kept as written, not thrown
    expect(odd.sort).toBeNull();
    expect(odd.sortText).toBe('bogus');
    expect(odd.contour).toBeNull();
  });
});
