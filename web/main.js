// The e2ctwin browser view: a sidebar to pick, edit, check and run scenarios, and five views of a run
// (topology, request timeline, queues and utilization, response-time distribution, runs side by side).
import { api } from './api.js';
import { hideTooltip } from './charts/tooltip.js';
import { dateTime, esc, seconds } from './format.js';
import { addExports } from './lib/export.js';
import { readAddress, viewQuery as queryOf } from './lib/view-state.js';
import { renderLatency } from './views/latency-view.js';
import { renderCompare, renderRuns } from './views/runs-view.js';
import { scenarioPanel } from './views/scenario-panel.js';
import { addrTime, renderTimeline } from './views/timeline-view.js';
import { studiesPage } from './views/studies-page.js';
import { renderTopology } from './views/topology-view.js';
import { renderUtilization } from './views/utilization-view.js';

const VIEWS = ['topology', 'timeline', 'utilization', 'latency', 'studies', 'runs'];
const state = {
  view: 'topology',
  runs: [],
  runsDir: '',
  run: null, // the open run: {id, summary, run, metrics, scenario, series}
  trace: null,
  checked: null, // {scenario, summary} from the sidebar's last good check
  problems: null, // the located issues of the sidebar's last check, when it failed
  topologyFrom: 'editor',
  compare: { A: null, B: null, more: [] }, // more: runs overlaid on the comparison's charts
  // The timeline's zoom, request picked and time range selected ({t0, t1, request, s0, s1}, null: the whole
  // run, none), as in the address (`#timeline/<run>?t0=&t1=&request=&s0=&s1=`): drawn again from here
  // after a reload, a resize or a tab switch.
  timeline: null,
  // Utilization's time range brushed ({from, to}, null: the whole run), as in the address (`#utilization/<run>?from=&to=`).
  utilization: null,
  // Utilization's per-host chart: the service and metric picked (its option's value, `?host=`), null: the first.
  host: null,
  study: null, // id of the open study (Studies view)
  studyMetric: null, // the metric its charts show when it has a choice of them (`?metric=`), else null
  studySort: null, // the trial table's order picked ({key, ascending}, `?sort=key:asc|desc`), null: by the metric
  studyIndexSort: null, // a sensitivity study's indices table's order (`?isort=key:asc|desc`), null: by importance
  studyContour: null, // the contour plot's two parameters picked (`?contour=x,y`), null: the two most important
  live: null, // the open study while it runs: its trials so far (views/study-live.js)
  cache: new Map(), // run id → promise of its metrics, scenario and series
  traces: new Map(), // run id → promise of its trace
};

/** Whether a run's folder has the response times of every measured request (series.json). */
const hasSeries = (run) => !!run.series?.responseTime?.count;

/**
 * A run's trace (trace.jsonl or .gz), fetched once: its overview (the whole trace when small) for the
 * timeline; `whole` for the distributions of folders without series.json, which count every span.
 */
function loadTrace(id, { whole = false } = {}) {
  const none = () => ({ header: { source: 'none', sampledRequests: 0 }, spans: [] });
  if (!state.traces.has(id))
    state.traces.set(
      id,
      api
        .traceOverview(id)
        // When it was in and parsed (the timeline test splits its first frame's time with this mark).
        .then((t) => {
          performance.mark('e2ctwin:trace-overview');
          return t;
        })
        .catch(none),
    );
  const overview = state.traces.get(id);
  return whole ? overview.then((t) => (t.detail === 'merged' ? api.trace(id).catch(none) : t)) : overview;
}

/** A run's metrics, scenario and series; its trace too when `withTrace` or the folder has no series.json. */
async function loadRun(id, withTrace = false) {
  // The timeline's trace asked for at once, beside the run (not after it: one round trip less).
  if (withTrace) void loadTrace(id);
  if (!state.cache.has(id)) {
    const p = api.run(id);
    state.cache.set(id, p);
    p.catch(() => state.cache.delete(id));
  }
  const run = await state.cache.get(id);
  return {
    run,
    trace: withTrace || !hasSeries(run) ? await loadTrace(id, { whole: !hasSeries(run) }) : null,
  };
}

/** Opens run `id` in `view`; `timeline`, `utilization`, `host`: what to show in them (from the address). */
async function openRun(id, view, { timeline = null, utilization = null, host = null } = {}) {
  const { run, trace } = await loadRun(id, (view ?? state.view) === 'timeline');
  state.run = run;
  state.timeline = timeline;
  state.utilization = utilization;
  state.host = host;
  state.trace = trace;
  state.topologyFrom = 'run';
  const sm = run.summary;
  document.getElementById('current-run').innerHTML =
    `<span class="muted">${esc(sm.kind)} run</span> <strong>${esc(run.id)}</strong> <span class="muted">· ${esc(sm.scenario)}${sm.replications != null ? ` · ${sm.replications} rep` : ''}${sm.responseTime.mean != null ? ` · mean ${esc(seconds(sm.responseTime.mean))}` : ''}</span>`;
  highlightRecent();
  show(view ?? state.view, true);
}

/** Opens run `id` from a link or the address; a run that cannot be opened is said on the page. */
async function openRunFromRoute(id, view, shown = {}) {
  try {
    await openRun(id, view, shown);
  } catch (err) {
    routeMessage(
      err.code === 'E2C_ERR_SERVER_RUN_NOT_FOUND' || err.code === 'E2C_ERR_SERVER_BAD_RUN_ID'
        ? `Cannot open this address: run "${id}" not found in the runs folder.`
        : `Cannot open this address: run "${id}" could not be opened (${err.message}).`,
    );
    show(view);
  }
}

/** A message above the views (a run not found, an unknown address); cleared by the next navigation. */
function routeMessage(text) {
  const box = document.getElementById('route-message');
  box.textContent = text;
  box.hidden = false;
}

async function refreshRuns() {
  const { runs, runsDir } = await api.runs();
  state.runs = runs;
  state.runsDir = runsDir;
  if (!state.compare.A || !runs.some((r) => r.id === state.compare.A))
    state.compare.A = runs[1]?.id ?? runs[0]?.id ?? null;
  if (!state.compare.B || !runs.some((r) => r.id === state.compare.B)) state.compare.B = runs[0]?.id ?? null;
  const ul = document.getElementById('recent-runs');
  ul.innerHTML =
    runs
      .slice(0, 8)
      .map(
        (r) =>
          `<li><a href="#${state.view === 'runs' || state.view === 'topology' ? 'timeline' : state.view}/${encodeURIComponent(r.id)}" data-run="${esc(r.id)}">${esc(r.id)}</a><span class="muted small">${esc(dateTime(r.finishedAt))} · mean ${esc(seconds(r.responseTime.mean))}</span></li>`,
      )
      .join('') || '<li class="muted small">No runs yet: run a simulation.</li>';
  highlightRecent();
}

function highlightRecent() {
  document
    .querySelectorAll('#recent-runs a')
    .forEach((a) => a.classList.toggle('active', a.dataset.run === state.run?.id));
}

function show(view, push = false) {
  if (!VIEWS.includes(view))
    routeMessage(`Cannot open this address: unknown page "#${view}", showing the topology.`);
  state.view = VIEWS.includes(view) ? view : 'topology';
  for (const v of VIEWS) document.getElementById(`view-${v}`).hidden = v !== state.view;
  updateTabs();
  if (push) syncHash();
  render();
}

/** The tabs: the open one marked, each linking to its view of the open run (or study). */
function updateTabs() {
  document.querySelectorAll('#tabs a').forEach((a) => {
    a.classList.toggle('active', a.dataset.view === state.view);
    a.href =
      a.dataset.view === 'studies'
        ? `#studies${state.study ? `/${encodeURIComponent(state.study)}` : ''}`
        : `#${a.dataset.view}${state.run ? `/${encodeURIComponent(state.run.id)}${viewQuery(a.dataset.view)}` : ''}`;
  });
}

/**
 * The address of what is shown: `#<view>/<run>`, `#studies/<study>`, and for Runs the runs compared
 * (`?a=<run>&b=<run>`), for a study the metric its charts show (`?metric=`): copied or reloaded, it opens
 * the same view.
 */
function currentHash() {
  if (state.view === 'studies')
    return `#studies${state.study ? `/${encodeURIComponent(state.study)}${viewQuery('studies')}` : ''}`;
  return `#${state.view}${state.run ? `/${encodeURIComponent(state.run.id)}` : ''}${state.run || state.view === 'runs' ? viewQuery(state.view) : ''}`;
}

/**
 * What the user did in a view, as the address's query (`lib/view-state.js`): the timeline's zoom, request
 * and range, Utilization's time range and per-host pick, the runs compared, a study's metric, table order
 * and contour; empty for the defaults.
 */
function viewQuery(view) {
  return queryOf(view, {
    timeline: state.timeline,
    utilization: state.utilization,
    host: state.host,
    compare: state.compare,
    study: {
      metric: state.studyMetric,
      sort: state.studySort,
      indexSort: state.studyIndexSort,
      contour: state.studyContour,
    },
  });
}

/** How long the timeline's zoom must rest before the address follows it (a train of wheel steps writes it once). */
const ADDRESS_DELAY_MS = 300;
let addressTimer = 0;

/** The address made to follow what the user changed in a view, once the changes pause. */
function syncHashSoon() {
  clearTimeout(addressTimer);
  // An address changed meanwhile (typed, a link followed) wins: its hashchange may not have run yet when
  // the timer fires, and writing this view's address over it would lose it — the handler would then read
  // the old address back and draw nothing (a CI run: an out-of-range address set 0.3 s after a brushed
  // range was drawn never showed its message).
  const at = location.hash;
  addressTimer = setTimeout(() => {
    if (location.hash !== at) return;
    syncHash();
    // The tab links carry the timeline's zoom too (back to it from another tab).
    updateTabs();
  }, ADDRESS_DELAY_MS);
}

function syncHash() {
  const hash = currentHash();
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

/**
 * Drawings of the page, counted: `rendering` (what a test waits on) is cleared only by the latest one,
 * so that a drawing still waiting for the server is never taken for done because an older or another
 * one finished meanwhile (a view drawn at 1280 px read at 1024 px, a comparison of the runs picked
 * before).
 */
let drawings = 0;

/** Starts a drawing: `rendering` set; returns whether it is still the latest, and its end. */
function beginDrawing() {
  const mine = ++drawings;
  document.body.dataset.rendering = 'yes';
  const latest = () => mine === drawings;
  return {
    latest,
    done: () => {
      if (latest()) document.body.dataset.rendering = '';
    },
  };
}

function render() {
  const el = document.getElementById(`view-${state.view}`);
  const drawing = beginDrawing();
  hideTooltip();
  const { run, trace } = state;
  if (state.view === 'timeline' && run && !trace) {
    // The trace is fetched when the timeline first needs it (the distributions read series.json).
    el.innerHTML = '<p class="muted">Loading the trace…</p>';
    const id = run.id;
    void loadTrace(id).then((t) => {
      if (state.run?.id !== id) return;
      state.trace = t;
      if (state.view === 'timeline' && drawing.latest()) render();
    });
    return;
  }
  if (state.view === 'topology') {
    const fromRun = state.topologyFrom === 'run' && run;
    renderTopology(
      el,
      fromRun
        ? { scenario: run.scenario, sourceLabel: `as simulated in run ${run.id} (scenario.resolved.json)` }
        : {
            scenario: state.checked?.scenario,
            summary: state.checked?.summary,
            problems: state.problems,
            sourceLabel: `as checked from the sidebar (${document.getElementById('scenario-select').value})`,
          },
    );
  } else if (state.view === 'timeline')
    renderTimeline(el, {
      run,
      trace,
      view: state.timeline,
      onView: (v) => {
        state.timeline = v.t0 === null && v.request === null && v.s0 === null ? null : v;
        syncHashSoon();
      },
      onBadView: routeMessage,
    });
  else if (state.view === 'utilization')
    renderUtilization(el, {
      run,
      range: state.utilization,
      host: state.host,
      onHost: (value) => {
        state.host = value;
        syncHash();
        updateTabs();
      },
      onRange: (r) => {
        state.utilization = r ? { from: addrTime(r[0], r[1] - r[0]), to: addrTime(r[1], r[1] - r[0]) } : null;
        syncHashSoon();
      },
      onBadRange: routeMessage,
    });
  else if (state.view === 'latency') renderLatency(el, { run, trace });
  else if (state.view === 'studies') {
    // Drawn once the server answers: `rendering` stays set until then (the view's previous drawing, made
    // at another window size, is still in the page meanwhile).
    document.body.dataset.view = state.view;
    document.body.dataset.run = run?.id ?? '';
    return void studies.draw(el, drawing);
  } else if (state.view === 'runs') {
    renderRuns(el, {
      runs: state.runs,
      runsDir: state.runsDir,
      compare: state.compare,
      onPick: (slot, id) => {
        state.compare[slot] = id;
        syncHash();
        void renderComparison();
      },
      onMore: (ids) => {
        state.compare.more = ids;
        syncHash();
        void renderComparison();
      },
      onOpen: (id) => void openRunFromRoute(id, 'timeline'),
    });
  }
  addExports(el, run?.id ?? '');
  document.body.dataset.view = state.view;
  document.body.dataset.run = run?.id ?? '';
  // The comparison is drawn once both runs are loaded: `rendering` stays set until then.
  if (state.view === 'runs') void renderComparison();
  else drawing.done();
}

/**
 * The two runs picked, side by side (with the runs ticked to overlay them). `compare` names them once
 * drawn (cleared meanwhile: the runs picked before are no longer what it shows) and `rendering` stays set
 * until then; a comparison asked for later wins over one still loading.
 */
async function renderComparison() {
  const el = document.getElementById('compare');
  const drawing = beginDrawing();
  delete document.body.dataset.compare;
  delete document.body.dataset.compareMore;
  const { A, B } = state.compare;
  try {
    if (!el) return;
    if (!A || !B || A === B) {
      el.innerHTML = '<p class="muted">Pick two different runs as A and B to see them side by side.</p>';
      return;
    }
    el.innerHTML = '<p class="muted">Loading…</p>';
    const ids = state.compare.more.filter(
      (id) => id !== A && id !== B && state.runs.some((r) => r.id === id),
    );
    let a;
    let b;
    let more;
    try {
      [a, b, ...more] = await Promise.all([A, B, ...ids].map((id) => loadRun(id)));
    } catch (err) {
      if (drawing.latest()) el.innerHTML = `<div class="card error">${esc(err.message)}</div>`;
      return;
    }
    if (!drawing.latest() || !el.isConnected) return;
    renderCompare(el, a, b, more);
    addExports(el, `${A}-vs-${B}`);
    document.body.dataset.compare = `${A}|${B}`;
    document.body.dataset.compareMore = ids.join('|');
  } finally {
    drawing.done();
  }
}

const studies = studiesPage({ state, show, syncHash, routeMessage, beginDrawing });

const panel = scenarioPanel({
  onChecked: (scenario, summary) => {
    state.checked = { scenario, summary };
    state.problems = null;
    state.topologyFrom = 'editor';
    if (state.view === 'topology') render();
  },
  onProblems: (err) => {
    state.problems = err;
    state.topologyFrom = 'editor';
    if (state.view === 'topology') render();
  },
  onRunDone: async (runId) => {
    await refreshRuns();
    await openRun(runId, 'timeline');
  },
});

/** The address read (`lib/view-state.js`). */
const fromHash = () => readAddress(location.hash);

/** Whether the address's zoom, request and range are those shown (numbers compared as the address writes them). */
function sameTimeline(t) {
  const key = (v) =>
    v ? [v.t0, v.t1, v.request, v.s0, v.s1].map((x) => (x == null ? '' : String(x))).join('|') : '||||';
  return key(t) === key(state.timeline);
}

/** Whether the address's time range for Utilization is the one shown. */
function sameRange(r) {
  const key = (v) => (v ? `${v.from ?? ''}|${v.to ?? ''}` : '|');
  return key(r) === key(state.utilization);
}

/**
 * The runs compared, from the address (kept when both are given); once the runs are listed, a run the
 * runs folder does not have is left out (A or B: the one compared before stays).
 */
function compareFromHash({ compare }) {
  if (!compare.A || !compare.B) return;
  const known = (id) => !state.runs.length || state.runs.some((r) => r.id === id);
  const missing = [compare.A, compare.B, ...compare.more].filter((id) => !known(id));
  if (missing.length)
    routeMessage(
      `Cannot compare ${missing.map((id) => `"${id}"`).join(', ')} from the address: not in the runs folder.`,
    );
  state.compare = {
    A: known(compare.A) ? compare.A : state.compare.A,
    B: known(compare.B) ? compare.B : state.compare.B,
    more: compare.more.filter(known),
  };
}

/** A study's state from the address: its metric, table order and contour's parameters. */
function studyFromHash(route) {
  state.study = route.id;
  state.studyMetric = route.metric;
  state.studySort = route.sort;
  state.studyIndexSort = route.indexSort;
  state.studyContour = route.contour;
  if (route.sortText && !route.sort)
    routeMessage(
      `Cannot use the table order "${route.sortText}" from the address: it is written column:asc or column:desc.`,
    );
  if (route.indexSortText && !route.indexSort)
    routeMessage(
      `Cannot use the indices order "${route.indexSortText}" from the address: it is written column:asc or column:desc.`,
    );
  if (route.contourText && !route.contour)
    routeMessage(
      `Cannot use the contour "${route.contourText}" from the address: it names two different parameters, x,y.`,
    );
}

const sameSort = (a, b) => (a ? `${a.key}:${a.ascending}` : '') === (b ? `${b.key}:${b.ascending}` : '');

window.addEventListener('hashchange', () => {
  document.getElementById('route-message').hidden = true;
  const route = fromHash();
  const { view, id, compare, metric, timeline, utilization, host } = route;
  if (
    compare.A &&
    compare.B &&
    (compare.A !== state.compare.A ||
      compare.B !== state.compare.B ||
      compare.more.join(',') !== state.compare.more.join(','))
  ) {
    compareFromHash({ compare });
    if (view === 'runs' && state.view === 'runs') syncHash(); // a run left out: the address says what is compared
    if (view === 'runs' && state.view === 'runs' && (!id || id === state.run?.id)) void renderComparison();
  }
  if (view === 'studies') {
    if (
      id !== state.study ||
      state.view !== 'studies' ||
      metric !== state.studyMetric ||
      !sameSort(route.sort, state.studySort) ||
      !sameSort(route.indexSort, state.studyIndexSort) ||
      // A malformed order typed in the address: said, and left out of it.
      (route.sortText && !route.sort) ||
      (route.indexSortText && !route.indexSort) ||
      (route.contour ?? []).join(',') !== (state.studyContour ?? []).join(',')
    ) {
      studyFromHash(route);
      show('studies');
      syncHash(); // a malformed value left out
    }
  } else if (id && id !== state.run?.id) void openRunFromRoute(id, view, { timeline, utilization, host });
  else if (view === 'timeline' && (view !== state.view || sameTimeline(timeline) === false)) {
    // The zoom or request edited in the address (or back on the timeline from another tab).
    state.timeline = timeline;
    show(view);
  } else if (
    view === 'utilization' &&
    (view !== state.view || !sameRange(utilization) || (host ?? null) !== state.host)
  ) {
    // The time range or host edited in the address (or back on Utilization from another tab).
    state.utilization = utilization;
    state.host = host;
    show(view);
  } else if (view !== state.view) show(view);
});

// Charts are sized from the window: drawn anew when it changes size, and only then. A resize event with
// no change (a screenshot, a browser's chrome showing and hiding) would otherwise redraw the view and
// lose what the user did in it (the timeline's zoom and the request picked).
let resizeTimer = 0;
let drawnAt = `${window.innerWidth}x${window.innerHeight}`;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    // Counted, so that a test can wait for the check instead of sleeping.
    document.body.dataset.resizeChecks = String(Number(document.body.dataset.resizeChecks ?? 0) + 1);
    const size = `${window.innerWidth}x${window.innerHeight}`;
    if (size === drawnAt) return;
    drawnAt = size;
    render();
  }, 150);
});

(async () => {
  const route = fromHash();
  const { view, id } = route;
  state.view = VIEWS.includes(view) ? view : 'topology';
  await Promise.all([panel.init(), refreshRuns()]);
  // After the runs are listed: a run of the address that is not among them is left out.
  compareFromHash(route);
  if (state.view === 'studies') {
    studyFromHash(route);
    show('studies');
    syncHash();
  } else if (id) await openRunFromRoute(id, state.view, route);
  else if (state.runs[0] && state.view !== 'topology') await openRun(state.runs[0].id, state.view);
  else show(state.view);
  if (!VIEWS.includes(view)) show(view);
  document.body.dataset.ready = 'yes';
})().catch((err) => {
  document.getElementById(`view-${state.view}`).innerHTML =
    `<div class="card error">The page could not start: ${esc(err.message)}</div>`;
});
