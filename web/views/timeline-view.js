import d3 from '../vendor-d3.js';
import { api } from '../api.js';
import { timeline } from '../charts/timeline.js';
import { esc, seconds } from '../format.js';
import { cardWidth } from '../lib/layout.js';

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

/** The request timeline of a run (simulated or live: the same trace format). */
export function renderTimeline(el, { run, trace }) {
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
  const requests = new Set(spans.map((s) => s.request)).size;
  // Labelled by the run's kind (run.json): a live run's spans are wall-clock times, whatever the trace header says.
  const live = (run.run?.kind ?? run.summary?.kind) === 'live';
  head
    .append('p')
    .attr('class', 'muted')
    .html(
      `${spans.length.toLocaleString('en-US')} spans of ${header.sampledRequests.toLocaleString('en-US')} sampled requests (${requests.toLocaleString('en-US')} with spans) · ${esc(header.source)} run${header.replication !== undefined ? `, replication ${header.replication}` : ''}, the first requests after the warm-up. ` +
        'Wheel to zoom, drag to pan (or W/S and A/D on the focused chart), hover a bar for details, click one to follow its request.',
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
    .onSelect((request, list) => showRequest(detail, request, list));
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
    .on('click', () => {
      const first = spans.find((s) => s.kind === 'request') ?? spans[0];
      zoomToRequest(first.request);
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
  search.on('submit', (event) => {
    event.preventDefault();
    const text = search.select('input').property('value').trim();
    const request = Number(text);
    const ok = text !== '' && Number.isInteger(request) && zoomToRequest(request);
    found.attr('class', ok ? 'muted' : 'bad').text(ok ? '' : `no request "${text}" in this trace`);
  });
  function zoomToRequest(request) {
    const own = spans.filter((s) => s.request === request);
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
  const detail = d3.select(el).append('div').attr('class', 'card').attr('id', 'request-detail');
  showRequest(detail, null, []);
}

function showRequest(detail, request, list) {
  detail.html('');
  if (request === null) {
    detail.append('p').attr('class', 'muted').text('Click a bar to list the spans of its request here.');
    return;
  }
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
      '<tr><th>span</th><th>host</th><th>pool · thread</th><th>item</th><th>start (s after request start)</th><th>duration</th></tr>',
    );
  table
    .append('tbody')
    .selectAll('tr')
    .data(sorted)
    .join('tr')
    .html(
      (s) =>
        `<td>${esc(s.kind)} · ${esc(s.name)}${s.status ? ` (${esc(s.status)})` : ''}</td><td>${esc(s.host)}</td><td>${s.pool !== undefined ? `${esc(s.pool)}${s.lane !== undefined ? ` #${s.lane}` : ''}` : '—'}</td><td>${s.item ?? '—'}</td><td class="num">${(s.start - t0).toFixed(4)}</td><td class="num">${esc(seconds(s.end - s.start))}</td>`,
    );
}
