import d3 from '../vendor-d3.js';
import { api } from '../api.js';
import { timeline } from '../charts/timeline.js';
import { esc, seconds } from '../format.js';
import { criticalPath } from '../lib/critical-path.js';
import { addExports } from '../lib/export.js';
import { lanesOf } from '../lib/lanes.js';
import { cardWidth } from '../lib/layout.js';
import { parseRange } from '../lib/view-state.js';
import { traceWindows } from '../lib/span-windows.js';

/** The most spans a zoomed-to window brings (past that the server merges them, finer than the overview). */
const WINDOW_SPANS = 40_000;
/** How long the zoom must rest before the window shown is fetched. */
const WINDOW_DELAY_MS = 250;

/** Stage colours shared by the views: the scenario's stage names in order, then the trace's others. */
export function stageColor(scenario, spans = []) {
  const names = [];
  for (const s of scenario?.services ?? [])
    for (const st of s.app?.stages ?? []) if (!names.includes(st.name)) names.push(st.name);
  for (const sp of spans)
    if ((sp.kind === 'stage' || sp.kind === 'network') && !names.includes(sp.name)) names.push(sp.name);
  const palette = [
    '#4e79a7',
    '#f28e2b',
    '#59a14f',
    '#b07aa1',
    '#76b7b2',
    '#edc948',
    '#ff9da7',
    '#9c755f',
    '#e15759',
    '#bab0ac',
  ];
  return d3.scaleOrdinal(names, palette);
}

/** A time of a zoom `width` seconds wide, for the address: to a millionth of the width (it round-trips to well under a pixel). */
export const addrTime = (t, width) =>
  Number(t.toFixed(Math.min(20, Math.max(0, Math.ceil(-Math.log10(width || 1)) + 6))));

/**
 * The request timeline of a run (simulated or live: the same trace format).
 * `view` ({t0, t1, request, s0, s1}: strings from the address, each optional) is the zoom, request and
 * time range selected to show first; `onView` is told them as the user changes them (the address follows them), and
 * `onBadView` a message for a value of `view` that does not fit this run.
 */
export function renderTimeline(el, { run, trace, view = null, onView = () => {}, onBadView = () => {} }) {
  el.innerHTML = '';
  const head = d3.select(el).append('div').attr('class', 'view-head');
  head.append('h2').text('Request timeline');
  if (!run) {
    head
      .append('p')
      .attr('class', 'muted')
      .text('Open a run (Runs tab, or run a simulation) to see its requests.');
    return;
  }
  const { header, spans } = trace;
  const merged = trace.detail === 'merged';
  const total = trace.totalSpans ?? spans.length;
  const requests = merged ? 0 : new Set(spans.map((s) => s.request)).size;
  const windows = traceWindows({
    overview: trace,
    fetchWindow: (q) => api.traceWindow(run.id, q),
    maxSpans: WINDOW_SPANS,
  });
  // Labelled by the run's kind (run.json): a live run's spans are wall-clock times, whatever the trace header says.
  const live = (run.run?.kind ?? run.summary?.kind) === 'live';
  head
    .append('p')
    .attr('class', 'muted')
    .html(
      `${total.toLocaleString('en-US')} spans of ${header.sampledRequests.toLocaleString('en-US')} sampled requests${merged ? '' : ` (${requests.toLocaleString('en-US')} with spans)`} · ${esc(header.source)} run${header.replication !== undefined ? `, replication ${header.replication}` : ''}, the first requests after the warm-up. ` +
        (merged
          ? `Drawn from the server's overview (${spans.length.toLocaleString('en-US')} bars: spans merged per thread and time); zooming in fetches the spans of the time shown. `
          : '') +
        'Wheel to zoom, drag to pan (or W/S and A/D on the focused chart), hover a bar for details, click one to follow its request (critical path outlined in red, arrows between hosts), Shift+drag to select a time range (or R on the focused chart, then Left/Right to move it, Shift+Left/Right to move its end, Escape to clear it).',
    );
  const bar = head.append('div').attr('class', 'toolbar');
  const chart = timeline()
    .width(cardWidth(el, 1, 640))
    .maxPlotHeight(Math.max(360, window.innerHeight - 330))
    .scenario(run.scenario)
    .color(stageColor(run.scenario, spans))
    .timeLabel(
      live
        ? 'time since the start of the run (s, wall clock)'
        : 'time since the start of the run (s, simulated)',
    )
    .extent(trace.extent ? [trace.extent.from, trace.extent.to] : null)
    .totalSpans(trace.totalSpans ?? null)
    // The overview's threads: every window keeps their rows (a window may use only some of them).
    .lanes(merged ? lanesOf(spans) : null)
    .onSelect((request, list) => {
      picked = request;
      showRequest(detail, request, list);
      tellView();
    })
    // data-detail says at what detail the spans drawn serve the time shown: unset from the moment the
    // user zooms until the spans of the new time are drawn (a test waiting for it must not read the
    // window drawn before).
    .onZoomStart(() => {
      zooms++;
      box.attr('data-detail', null);
    })
    .onZoomEnd(() => {
      // Asked once the zooming has paused (each end puts it off): drawing a window's spans anew takes
      // a frame or more, which a train of wheel steps should not wait for.
      clearTimeout(windowTimer);
      windowTimer = setTimeout(() => showWindow(chart.domain()), WINDOW_DELAY_MS);
      tellView();
    })
    .onRange((range) => {
      // Written to the address in full (a number's shortest text reads back as the same number), so
      // that the card shows the same figures after a reload.
      selected = range;
      void showRange(rangeCard, run.id, range);
      tellView();
    });
  let windowTimer = 0;
  let zooms = 0;
  let picked = null;
  let selected = null; // the time range selected, [s0, s1] as in the address
  // The whole trace's time span: a zoom from the address must lie in it.
  const extent = trace.extent
    ? [trace.extent.from, trace.extent.to]
    : [d3.min(spans, (s) => s.start) ?? 0, d3.max(spans, (s) => s.end) ?? 0];
  /** The zoom (null: the whole run) and the request picked, for the address. */
  function tellView() {
    const [t0, t1] = chart.domain() ?? extent;
    const whole = t0 <= extent[0] + 1e-9 * (extent[1] - extent[0]) && t1 >= extent[1] * (1 - 1e-9);
    onView({
      t0: whole ? null : addrTime(t0, t1 - t0),
      t1: whole ? null : addrTime(t1, t1 - t0),
      request: picked,
      s0: selected?.[0] ?? null,
      s1: selected?.[1] ?? null,
    });
  }
  function showWindow(domain) {
    if (!box.node().isConnected) return;
    const next = windows.need(domain);
    if (!next) {
      box.attr('data-detail', windows.current().detail ?? 'spans');
      return;
    }
    box.attr('data-loading', 'yes');
    const at = zooms;
    next
      .then((data) => {
        if (!data || !box.node().isConnected) return;
        chart(box.datum({ spans: data.spans }));
        // Drawing anew emptied the card: its export buttons, for the spans now drawn.
        addExports(el, run.id);
        box.attr('data-loading', null);
        // Zoomed again meanwhile: the time shown is not this window's any more (the next end says).
        if (at === zooms) box.attr('data-detail', data.detail ?? 'spans');
      })
      .catch((err) => {
        box.attr('data-loading', null);
        found.attr('class', 'bad').text(`could not fetch the spans of this window: ${err.message}`);
      });
  }
  bar
    .append('button')
    .attr('class', 'secondary')
    .attr('id', 'timeline-reset')
    .text('Reset zoom')
    .on('click', () => chart.resetZoom());
  bar
    .append('button')
    .attr('class', 'secondary')
    .attr('id', 'timeline-first')
    .text('Zoom to first request')
    .on('click', async () => {
      // The overview may hold no request of its own: the spans at the very start of the run do.
      const at = merged
        ? (await api.traceWindow(run.id, { from: trace.extent.from, to: trace.extent.from })).spans
        : spans;
      const first = at.find((s) => s.kind === 'request' && !(s.merged > 1)) ?? at[0];
      if (first) await zoomToRequest(first.request);
    });
  // Search by request id: zooms to the request and selects it.
  const search = bar.append('form').attr('class', 'timeline-search').attr('role', 'search');
  search.append('label').attr('for', 'timeline-search').attr('class', 'muted').text('Request id');
  search
    .append('input')
    .attr('id', 'timeline-search')
    .attr('type', 'text')
    .attr('inputmode', 'numeric')
    .attr('autocomplete', 'off')
    .attr('placeholder', 'e.g. 42');
  search.append('button').attr('class', 'secondary').attr('type', 'submit').text('Find');
  const found = search.append('span').attr('id', 'timeline-search-status').attr('role', 'status');
  search.on('submit', async (event) => {
    event.preventDefault();
    const text = search.select('input').property('value').trim();
    const request = Number(text);
    const ok = text !== '' && Number.isInteger(request) && (await zoomToRequest(request));
    found.attr('class', ok ? 'muted' : 'bad').text(ok ? '' : `no request "${text}" in this trace`);
  });
  /** Zooms to a request's spans and selects it; false when the trace has none. */
  async function zoomToRequest(request) {
    let own = windows.current().spans.filter((s) => s.request === request);
    // Not in the spans drawn (an overview, or a window elsewhere): the server has them.
    if (!own.length && merged) own = (await api.traceRequest(run.id, request)).spans;
    if (!own.length) return false;
    const [t0, t1] = [d3.min(own, (s) => s.start), d3.max(own, (s) => s.end)];
    const pad = (t1 - t0) * 0.04 || 1e-3;
    chart.zoomTo(t0 - pad, t1 + pad);
    chart.select(request);
    return true;
  }
  bar
    .append('a')
    .attr('class', 'button primary')
    .attr('id', 'export-chrome-trace')
    .attr('href', api.chromeTraceUrl(run.id))
    .attr('download', `${run.id}.chrome-trace.json`)
    .attr('title', 'Chrome trace event format: open in ui.perfetto.dev or chrome://tracing')
    .text('Export Chrome trace');
  const box = d3.select(el).append('div').attr('class', 'card chart-card').attr('id', 'timeline');
  chart(box.datum({ spans }));
  const rangeCard = d3.select(el).append('div').attr('class', 'card').attr('id', 'range-stats');
  const detail = d3.select(el).append('div').attr('class', 'card').attr('id', 'request-detail');
  void showRange(rangeCard, run.id, null);
  showRequest(detail, null, []);
  if (view) void restoreView(view);

  /** The zoom, request and range of the address, drawn; a value that does not fit is said, the rest still shown. */
  async function restoreView({ t0, t1, request, s0, s1 }) {
    const bad = [];
    const zoom = [t0, t1].map((v) => (v == null || v === '' ? null : Number(v)));
    const anyZoom = zoom[0] !== null || zoom[1] !== null;
    const eps = 1e-6 * Math.max(1, extent[1] - extent[0]);
    if (anyZoom) {
      const [a, b] = zoom;
      if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || !(a < b))
        bad.push(`the zoom t0=${t0 ?? ''}&t1=${t1 ?? ''} is not a time range (two numbers, t0 < t1)`);
      else if (a < extent[0] - eps || b > extent[1] + eps)
        bad.push(
          `the zoom ${a} s to ${b} s is outside this run's trace (${addrTime(extent[0], extent[1] - extent[0])} s to ${addrTime(extent[1], extent[1] - extent[0])} s)`,
        );
      else chart.zoomTo(a, b);
    }
    const zoomRefused = bad.length > 0;
    // The range selected: its statistics asked for while the request is looked up.
    const range = parseRange(s0, s1);
    if (range === undefined)
      bad.push(`the time range s0=${s0 ?? ''}&s1=${s1 ?? ''} is not a time range (two numbers, s0 < s1)`);
    else if (range && (range[1] < extent[0] || range[0] > extent[1]))
      bad.push(`the time range ${range[0]} s to ${range[1]} s does not overlap this run's trace`);
    else if (range) chart.range(range);
    if (request != null && request !== '') {
      const id = Number(request);
      let ok = false;
      if (Number.isInteger(id)) {
        if (zoomRefused || !anyZoom) ok = await zoomToRequest(id).catch(() => false);
        else {
          let own = windows.current().spans.some((s) => s.request === id);
          if (!own && merged)
            own = (await api.traceRequest(run.id, id).catch(() => ({ spans: [] }))).spans.length > 0;
          if (own && box.node().isConnected) chart.select(id);
          ok = own;
        }
      }
      if (!ok) bad.push(`no request "${request}" in this run's trace`);
    }
    if (bad.length && box.node().isConnected) {
      onBadView(`Cannot show this address exactly: ${bad.join('; ')}.`);
      // The address then says what is shown (not the values refused, which would be refused again on a resize).
      tellView();
    }
  }
}

let rangeAsked = 0;
/** Statistics of the selected time range, computed by the server over every span of the trace. */
async function showRange(card, id, range) {
  const mine = ++rangeAsked;
  card.html('');
  if (!range) {
    card
      .attr('data-state', 'none')
      .append('p')
      .attr('class', 'muted')
      .text(
        'Shift+drag across the chart (or press R on it) to select a time range and see its statistics here.',
      );
    return;
  }
  const [t0, t1] = range;
  card
    .attr('data-state', 'loading')
    .append('p')
    .attr('class', 'muted')
    .text('Counting the spans of the range…');
  let st;
  try {
    st = await api.traceStats(id, t0, t1);
  } catch (err) {
    if (mine === rangeAsked)
      card.attr('data-state', 'failed').html('').append('p').attr('class', 'bad').text(err.message);
    return;
  }
  if (mine !== rangeAsked) return;
  card.html('').attr('data-state', 'done').attr('data-from', st.from).attr('data-to', st.to);
  card
    .append('h3')
    .attr('class', 'chart-title')
    .text(`Time range ${t0.toFixed(4)} s to ${t1.toFixed(4)} s (${seconds(t1 - t0)})`);
  const n = (v) => v.toLocaleString('en-US');
  const cd = st.completedDurations;
  card
    .append('p')
    .html(
      `<strong data-stat="spans">${n(st.spans)}</strong> spans overlap it · <strong data-stat="started">${n(st.requestsStarted)}</strong> requests started in it · <strong data-stat="completed">${n(st.requestsCompleted)}</strong> answered in it (ended with status ok)${
        cd?.count
          ? `, taking <strong data-stat="completed-mean" data-value="${cd.meanS}">${esc(seconds(cd.meanS))}</strong> on average, p95 <strong data-stat="completed-p95" data-value="${cd.p95S}">${esc(seconds(cd.p95S))}</strong>`
          : ''
      }. Durations below: the spans that start in the range.`,
    );
  // How busy each host's threads were, as a bar per host (only the traced requests' stages count).
  if (st.hosts?.length) {
    const hosts = card.append('div').attr('class', 'range-hosts');
    hosts
      .append('p')
      .attr('class', 'muted small')
      .text(
        "Busy per host: the share of its threads' time in the range spent running the traced requests' stages, out of the threads the traced requests ran on anywhere in the trace (requests outside the traced sample are not counted).",
      );
    const row = hosts
      .append('ul')
      .attr('class', 'range-busy')
      .selectAll('li')
      .data(st.hosts)
      .join('li')
      .attr('data-host', (h) => h.host)
      .attr('data-busy', (h) => h.busyFraction)
      .attr('data-lanes', (h) => h.lanes);
    row
      .append('span')
      .attr('class', 'range-busy-host')
      .text((h) => h.host);
    row
      .append('span')
      .attr('class', 'range-busy-bar')
      .attr('role', 'img')
      .attr('aria-label', (h) => `${h.host}: ${(100 * h.busyFraction).toFixed(1)} % busy`)
      .append('span')
      .style('width', (h) => `${Math.min(100, 100 * h.busyFraction).toFixed(2)}%`);
    row
      .append('span')
      .attr('class', 'num')
      .text(
        (h) =>
          `${(100 * h.busyFraction).toFixed(1)} % of the ${h.lanes} thread${h.lanes === 1 ? '' : 's'} the trace shows it using`,
      );
  }
  const table = card.append('table').attr('class', 'data');
  table
    .append('thead')
    .html('<tr><th>stage</th><th>spans</th><th>mean duration</th><th>p95 duration</th></tr>');
  table
    .append('tbody')
    .selectAll('tr')
    .data(st.stages)
    .join('tr')
    .attr('data-stage', (g) => `${g.kind}/${g.name}`)
    .attr('data-count', (g) => g.count)
    .attr('data-mean', (g) => g.meanS)
    .attr('data-p95', (g) => g.p95S)
    .html(
      (g) =>
        `<td>${esc(g.kind)} · ${esc(g.name)}</td><td class="num">${n(g.count)}</td><td class="num">${esc(seconds(g.meanS))}</td><td class="num">${esc(seconds(g.p95S))}</td>`,
    );
}

function showRequest(detail, request, list) {
  detail.html('');
  if (request === null) {
    detail.append('p').attr('class', 'muted').text('Click a bar to list the spans of its request here.');
    return;
  }
  if (!list.length) {
    detail.append('p').attr('class', 'muted').text(`Request ${request}: fetching its spans…`);
    return;
  }
  const critical = new Set(criticalPath(list));
  const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
  const t0 = d3.min(sorted, (s) => s.start);
  const end = d3.max(sorted, (s) => s.end);
  detail
    .append('h3')
    .attr('class', 'chart-title')
    .text(`Request ${request}: ${seconds(end - t0)} from first to last span`);
  const table = detail.append('table').attr('class', 'data');
  table
    .append('thead')
    .html(
      '<tr><th>span</th><th>host</th><th>pool · thread</th><th>item</th><th>start (s after request start)</th><th>duration</th><th>critical path</th></tr>',
    );
  table
    .append('tbody')
    .selectAll('tr')
    .data(sorted)
    .join('tr')
    .html(
      (s) =>
        `<td>${esc(s.kind)} · ${esc(s.name)}${s.status ? ` (${esc(s.status)})` : ''}</td><td>${esc(s.host)}</td><td>${s.pool !== undefined ? `${esc(s.pool)}${s.lane !== undefined ? ` #${s.lane}` : ''}` : '—'}</td><td>${s.item ?? '—'}</td><td class="num">${(s.start - t0).toFixed(4)}</td><td class="num">${esc(seconds(s.end - s.start))}</td><td>${critical.has(s) ? '● on it' : ''}</td>`,
    );
}
