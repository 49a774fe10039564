// The page's address as its view state: `#<view>/<run or study>?<what the user picked in the view>`,
// read and written here (pure functions, no DOM) so that a copied or reloaded address opens the same view.
// Values are read as the address writes them (strings); a view checks them against what it draws and
// shows its default for a value it does not have (saying so above the views).

/** A sort as the address writes it: `key:asc` or `key:desc` (the key may hold colons: `m:responseTime.mean`). */
export function formatSort(sort) {
  return sort?.key ? `${sort.key}:${sort.ascending ? 'asc' : 'desc'}` : '';
}

/** `key:asc|desc` → {key, ascending}; null for anything else (empty, no key, another direction). */
export function parseSort(text) {
  if (typeof text !== 'string') return null;
  const cut = text.lastIndexOf(':');
  const dir = text.slice(cut + 1);
  if (cut <= 0 || (dir !== 'asc' && dir !== 'desc')) return null;
  return { key: text.slice(0, cut), ascending: dir === 'asc' };
}

/**
 * A time range from two values of the address: [a, b] when both are finite numbers with a < b, null
 * when neither is given, and `undefined` when they are given but not a range (the caller says so).
 */
export function parseRange(a, b) {
  const given = (v) => v !== null && v !== undefined && v !== '';
  if (!given(a) && !given(b)) return null;
  const [x, y] = [a, b].map((v) => (given(v) ? Number(v) : Number.NaN));
  return Number.isFinite(x) && Number.isFinite(y) && x < y ? [x, y] : undefined;
}

/** Two distinct names from `x,y` (a contour's parameters); null otherwise. */
export function parsePair(text) {
  const parts = typeof text === 'string' ? text.split(',') : [];
  return parts.length === 2 && parts[0] && parts[1] && parts[0] !== parts[1] ? parts : null;
}

/**
 * The address read: `{view, id, metric, sort, indexSort, contour, host, timeline, utilization, compare}`,
 * each value a string as written (or null), `sort`, `indexSort` and `contour` as parsed (null when absent
 * or malformed; `…Text` as written).
 */
export function readAddress(hash) {
  const text = String(hash ?? '').replace(/^#/, '');
  const q = text.indexOf('?');
  const path = q < 0 ? text : text.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : text.slice(q + 1));
  const [view, id] = path.split('/');
  let decoded = null;
  try {
    decoded = id ? decodeURIComponent(id) : null;
  } catch {
    decoded = id; // a stray % in an address typed by hand: the id as written (not found, said so)
  }
  const has = (...names) => names.some((n) => params.has(n));
  return {
    view: view || 'topology',
    id: decoded,
    metric: params.get('metric'),
    sortText: params.get('sort'),
    sort: parseSort(params.get('sort')),
    // A sensitivity study's indices table has an order of its own (`isort`), beside its trials table's.
    indexSortText: params.get('isort'),
    indexSort: parseSort(params.get('isort')),
    contourText: params.get('contour'),
    contour: parsePair(params.get('contour')),
    host: params.get('host'),
    timeline: has('t0', 't1', 'request', 's0', 's1')
      ? {
          t0: params.get('t0'),
          t1: params.get('t1'),
          request: params.get('request'),
          s0: params.get('s0'),
          s1: params.get('s1'),
        }
      : null,
    utilization: has('from', 'to') ? { from: params.get('from'), to: params.get('to') } : null,
    compare: {
      A: params.get('a'),
      B: params.get('b'),
      more: (params.get('more') ?? '').split(',').filter(Boolean),
    },
  };
}

/**
 * The query of what the user did in `view`, `?…` or '' (nothing beyond the defaults):
 * - timeline: `t0`, `t1` (zoom), `request` (picked), `s0`, `s1` (time range selected): `s.timeline`;
 * - utilization: `from`, `to` (time range brushed, `s.utilization`), `host` (the per-host chart's pick, `s.host`);
 * - runs: `a`, `b`, `more` (`s.compare`, written when both A and B are set);
 * - studies: `metric`, `sort` (the trials table's `key:asc|desc`), `isort` (the indices table's, a
 *   sensitivity study's), `contour` (`x,y`): `s.study`.
 */
export function viewQuery(view, s = {}) {
  const q = new URLSearchParams();
  const set = (name, v) => {
    if (v !== null && v !== undefined && v !== '') q.set(name, String(v));
  };
  if (view === 'timeline' && s.timeline) {
    const v = s.timeline;
    if (v.t0 != null && v.t1 != null) {
      set('t0', v.t0);
      set('t1', v.t1);
    }
    set('request', v.request);
    if (v.s0 != null && v.s1 != null) {
      set('s0', v.s0);
      set('s1', v.s1);
    }
  }
  if (view === 'utilization') {
    if (s.utilization) {
      set('from', s.utilization.from);
      set('to', s.utilization.to);
    }
    set('host', s.host);
  }
  if (view === 'runs' && s.compare?.A && s.compare?.B) {
    set('a', s.compare.A);
    set('b', s.compare.B);
    if (s.compare.more?.length) set('more', s.compare.more.join(','));
  }
  if (view === 'studies' && s.study) {
    set('metric', s.study.metric);
    set('sort', formatSort(s.study.sort));
    set('isort', formatSort(s.study.indexSort));
    if (s.study.contour) set('contour', s.study.contour.join(','));
  }
  // Commas and colons kept readable (they need no escaping in a fragment's query).
  const text = q.toString().replace(/%2C/g, ',').replace(/%3A/g, ':');
  return text ? `?${text}` : '';
}
