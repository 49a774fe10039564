import { describe, expect, it } from 'vitest';

// A request's critical path and flow, read from its spans' times (hand-made span sets whose answer is
// known by construction).

type Link = { from: Span; to: Span; toEnd: boolean; crossHost: boolean };
// A path the type checker does not follow (web/ is plain JavaScript, without declarations).
const WEB_MODULE = '../../web/lib/critical-path.js';
const { criticalPath, flowLinks } = (await import(WEB_MODULE)) as {
  criticalPath: (spans: Span[]) => Span[];
  flowLinks: (spans: Span[]) => Link[];
};

type Span = { kind: string; name: string; host: string; start: number; end: number; item?: number };
const span = (kind: string, name: string, host: string, start: number, end: number, item?: number): Span => ({
  kind,
  name,
  host,
  start,
  end,
  ...(item !== undefined ? { item } : {}),
});
const names = (list: Span[]) => list.map((s) => (s.item !== undefined ? `${s.name}[${s.item}]` : s.name));

describe('criticalPath(spans)', () => {
  it('criticalPath(chain) is the whole chain in time order, without the request span', () => {
    const spans = [
      span('stage', 'infer', 'api#0', 0.3, 0.9),
      span('request', 'request', 'c#1', 0, 1),
      span('network', 'upload', 'c#1', 0, 0.2),
      span('wait', 'infer', 'api#0', 0.2, 0.3),
      span('network', 'response', 'api#0', 0.9, 1),
    ];
    expect(names(criticalPath(spans))).toEqual(['upload', 'infer', 'infer', 'response']);
    expect(criticalPath(spans).map((s: Span) => s.kind)).toEqual(['network', 'wait', 'stage', 'network']);
  });

  it('criticalPath(fork-join) goes through the item that finished last, not the others', () => {
    // Three downloads in parallel, each followed by its extract; the join waits for the slowest chain
    // (item 1: a short download but a long extract).
    const spans = [
      span('stage', 'http', 'api#0', 0, 1),
      span('network', 'download', 'api#0', 1, 3, 0),
      span('network', 'download', 'api#0', 1, 2, 1),
      span('network', 'download', 'api#0', 1, 4, 2),
      span('stage', 'extract', 'api#0', 3, 5, 0),
      span('stage', 'extract', 'api#0', 2, 7, 1),
      span('stage', 'extract', 'api#0', 4, 6, 2),
      span('stage', 'search', 'api#0', 7, 8),
    ];
    expect(names(criticalPath(spans))).toEqual(['http', 'download[1]', 'extract[1]', 'search']);
  });

  it('criticalPath(spans with a gap) jumps the gap to the span that ended last before it', () => {
    const spans = [
      span('stage', 'a', 'h', 0, 1),
      span('stage', 'b', 'h', 0, 2),
      span('stage', 'c', 'h', 3, 4),
    ];
    expect(names(criticalPath(spans))).toEqual(['b', 'c']);
  });

  it('criticalPath(ties) takes the span that started first; [] for no spans or only the request span', () => {
    const spans = [
      span('stage', 'short', 'h', 1, 2),
      span('stage', 'long', 'h', 0, 2),
      span('stage', 'next', 'h', 2, 3),
    ];
    expect(names(criticalPath(spans))).toEqual(['long', 'next']);
    expect(criticalPath([])).toEqual([]);
    expect(criticalPath([span('request', 'request', 'c', 0, 1)])).toEqual([]);
  });

  it('criticalPath(zero-length spans) ends, each span taken once', () => {
    const instant = [span('stage', 'x', 'h', 1, 1), span('stage', 'y', 'h', 1, 1)];
    expect(names(criticalPath(instant)).sort()).toEqual(['x', 'y']);
    const spans = [span('stage', 'a', 'h', 0, 1), ...instant, span('stage', 'b', 'h', 1, 2)];
    expect(names(criticalPath(spans))).toEqual(['a', 'b']);
  });
});

describe('flowLinks(spans)', () => {
  it('links each span to the one it follows, marks the links between hosts, and ends at the request end', () => {
    const spans = [
      span('request', 'request', 'c#1', 0, 1),
      span('network', 'upload', 'c#1', 0, 0.2),
      span('stage', 'infer', 'api#0', 0.2, 0.9),
      span('network', 'response', 'api#0', 0.9, 1),
    ];
    const links = flowLinks(spans).map(
      (l: { from: Span; to: Span; toEnd: boolean; crossHost: boolean }) =>
        `${l.from.name}->${l.to.name}${l.toEnd ? '(end)' : ''}${l.crossHost ? ' x' : ''}`,
    );
    expect(links).toEqual(['upload->infer x', 'infer->response', 'response->request(end) x']);
  });

  it('links every parallel item to the span before the fork', () => {
    const spans = [
      span('stage', 'http', 'a', 0, 1),
      span('network', 'download', 'b', 1, 2, 0),
      span('network', 'download', 'b', 1, 3, 1),
    ];
    const links = flowLinks(spans);
    expect(links.map((l: { from: Span; to: Span }) => `${l.from.name}->${names([l.to])[0]}`)).toEqual([
      'http->download[0]',
      'http->download[1]',
    ]);
    expect(links.every((l: { crossHost: boolean }) => l.crossHost)).toBe(true);
  });
});
