import d3 from '../vendor-d3.js';
import { esc, seconds } from '../format.js';
import { layoutLanes, poolOrderOf } from '../lib/lanes.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';

const STATUS_COLOR = { ok: '#94a3b8', abandoned: '#f97316', rejected: '#dc2626' };

/**
 * A Gantt chart of trace spans (reusable chart): one bar per span, rows from layoutLanes (hosts, pool
 * threads, queues, requests, network), wheel to zoom and drag to pan the time axis, hover for the
 * span's details, click a bar to highlight its request.
 *
 *   timeline().width(1000).maxPlotHeight(560).scenario(resolved).color(scale)(d3.select(el).datum({spans}))
 */
export function timeline() {
  let width = 960;
  let maxPlotHeight = 560;
  let scenario = null;
  let color = d3.scaleOrdinal(d3.schemeTableau10);
  let timeLabel = 'time since the start of the run (s, simulated)';
  let onSelect = () => {};
  const margin = { top: 30, right: 18, bottom: 44, left: 190 };
  const groupHeader = 17;
  let zoomBehavior = null;
  let zoomTarget = null;
  let x0 = null;
  let selectRequest = () => {};

  function chart(selection) {
    selection.each(function (data) {
      render(d3.select(this), data);
    });
  }

  function render(root, { spans }) {
    root.selectAll('*').remove();
    if (!spans.length) {
      root
        .append('p')
        .attr('class', 'empty')
        .text('This run has no spans (run.spanSample = 0, or nothing was sampled).');
      return;
    }
    const layout = layoutLanes(spans, poolOrderOf(scenario));
    const services = new Map((scenario?.services ?? []).map((sv) => [sv.id, sv]));
    const nRows = layout.rows.length;
    const rowH = Math.max(
      3,
      Math.min(16, Math.floor((maxPlotHeight - layout.groups.length * groupHeader) / nRows)),
    );
    const rowY = new Float64Array(nRows);
    const groupY = [];
    let y = 0;
    for (const g of layout.groups) {
      groupY.push(y);
      y += groupHeader;
      for (const r of g.rows) {
        rowY[r] = y;
        y += rowH;
      }
    }
    const plotH = y;
    const plotW = Math.max(200, width - margin.left - margin.right);

    const lo = d3.min(spans, (s) => s.start);
    const hi = d3.max(spans, (s) => s.end);
    const pad = (hi - lo) * 0.01 || 0.001;
    x0 = d3
      .scaleLinear()
      .domain([lo - pad, hi + pad])
      .range([0, plotW]);
    let x = x0;

    const names = [
      ...new Set(spans.filter((s) => s.kind === 'stage' || s.kind === 'network').map((s) => s.name)),
    ];
    const statuses = [...new Set(spans.filter((s) => s.kind === 'request').map((s) => s.status ?? 'ok'))];
    const leg = legend()
      .width(width - 20)
      .items([
        ...names.map((n) => ({ label: n, color: color(n) })),
        ...(spans.some((s) => s.kind === 'wait')
          ? [{ label: 'waiting for a thread', shape: 'hatch', stroke: '#64748b' }]
          : []),
        ...statuses.map((st) => ({ label: `request (${st})`, color: STATUS_COLOR[st] ?? '#94a3b8' })),
      ]);

    const svg = root.append('svg').attr('class', 'timeline-chart').attr('width', width);
    describeChart(
      svg,
      `Request timeline: ${spans.length} spans of the traced requests, by host and track, over time`,
    );
    const legendG = svg.append('g').attr('transform', 'translate(10,12)');
    leg(legendG);
    const top = leg.height() + 14;
    svg.attr('height', top + margin.top + plotH + margin.bottom);
    const clipId = `tl-clip-${Math.random().toString(36).slice(2, 8)}`;
    svg
      .append('defs')
      .append('clipPath')
      .attr('id', clipId)
      .append('rect')
      .attr('width', plotW)
      .attr('height', plotH);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${top + margin.top})`);

    // Group bands and labels.
    const bands = g.append('g').attr('class', 'bands');
    layout.groups.forEach((grp, i) => {
      const h = grp.rows.length * rowH + groupHeader;
      bands
        .append('rect')
        .attr('class', i % 2 ? 'band odd' : 'band')
        .attr('x', -margin.left)
        .attr('y', groupY[i])
        .attr('width', margin.left + plotW)
        .attr('height', h);
      const svc = services.get(grp.service);
      const label =
        grp.pooled || !svc
          ? grp.label
          : `${grp.key} (${grp.hosts} of its ${svc.quantity.toLocaleString('en-US')} hosts in the sample)`;
      bands
        .append('text')
        .attr('class', 'group-label')
        .attr('x', -margin.left + 6)
        .attr('y', groupY[i] + 12)
        .text(label);
    });
    // Track labels (pool with its thread count, queue, requests, network), centred on the track's rows.
    const tracks = d3.groups(
      layout.rows.map((r, i) => ({ ...r, i })),
      (r) => `${r.group}\u0000${r.track}`,
    );
    const labels = g.append('g').attr('class', 'track-labels');
    for (const [, rows] of tracks) {
      const first = rows[0].i;
      const last = rows.at(-1).i;
      const mid = (rowY[first] + rowY[last] + rowH) / 2;
      const t = rows[0].track;
      const lanes = rows.filter((r) => r.lane !== undefined).length;
      const size = services.get(layout.groups.find((gr) => gr.key === rows[0].group)?.service)?.app?.pools?.[
        t
      ]?.size;
      const text = lanes
        ? `${t} · ${lanes}${size ? ` of ${size}` : ''} thread${(size ?? lanes) === 1 ? '' : 's'}`
        : t;
      labels
        .append('text')
        .attr('x', -8)
        .attr('y', mid)
        .attr('dy', '0.35em')
        .attr('text-anchor', 'end')
        .text(text);
      labels
        .append('line')
        .attr('class', 'track-sep')
        .attr('x1', -margin.left + 6)
        .attr('x2', plotW)
        .attr('y1', rowY[first])
        .attr('y2', rowY[first]);
    }

    const plot = g.append('g').attr('class', 'plot');
    plot.append('rect').attr('class', 'zoom-surface').attr('width', plotW).attr('height', plotH);
    const grid = plot.append('g').attr('class', 'grid').attr('clip-path', `url(#${clipId})`);
    const bars = plot.append('g').attr('clip-path', `url(#${clipId})`);
    const axisTop = g.append('g').attr('class', 'axis');
    const axisBottom = g.append('g').attr('class', 'axis').attr('transform', `translate(0,${plotH})`);
    g.append('text')
      .attr('class', 'axis-label')
      .attr('x', plotW / 2)
      .attr('y', plotH + 36)
      .attr('text-anchor', 'middle')
      .text(timeLabel);

    const barH = Math.max(2, rowH - (rowH > 6 ? 2 : 1));
    const rects = bars
      .selectAll('rect.span')
      .data(spans)
      .join('rect')
      .attr('class', (d) => `span ${d.kind}`)
      .attr('data-request', (d) => d.request)
      .attr('data-kind', (d) => d.kind)
      .attr('y', (_d, i) => rowY[layout.rowOf[i]] + (rowH - barH) / 2)
      .attr('height', barH)
      .attr('fill', (d) =>
        d.kind === 'wait'
          ? 'url(#hatch)'
          : d.kind === 'request'
            ? (STATUS_COLOR[d.status ?? 'ok'] ?? '#94a3b8')
            : color(d.name),
      )
      .on('mousemove', (event, d) => showTooltip(event, spanHtml(d)))
      .on('mouseleave', hideTooltip)
      .on('click', (event, d) => {
        event.stopPropagation();
        select(d.request);
      });
    plot.on('click', () => select(null));

    selectRequest = select;
    function select(request) {
      rects.classed('dim', request === null ? false : (d) => d.request !== request);
      rects.classed('picked', request === null ? false : (d) => d.request === request);
      onSelect(request, request === null ? [] : spans.filter((s) => s.request === request));
    }

    function draw() {
      rects.attr('x', (d) => x(d.start)).attr('width', (d) => Math.max(1, x(d.end) - x(d.start)));
      const ticks = Math.max(2, Math.floor(plotW / 90));
      const fmt = tickFormat(x.domain());
      axisTop.call(d3.axisTop(x).ticks(ticks).tickFormat(fmt));
      axisBottom.call(d3.axisBottom(x).ticks(ticks).tickFormat(fmt));
      grid.selectAll('line').data(x.ticks(ticks)).join('line').attr('x1', x).attr('x2', x).attr('y2', plotH);
    }
    draw();

    zoomBehavior = d3
      .zoom()
      .scaleExtent([1, 1e5])
      .extent([
        [0, 0],
        [plotW, plotH],
      ])
      .translateExtent([
        [0, 0],
        [plotW, plotH],
      ])
      .on('zoom', (event) => {
        x = event.transform.rescaleX(x0);
        hideTooltip();
        draw();
      });
    zoomTarget = plot;
    plot.call(zoomBehavior).on('dblclick.zoom', null);
  }

  /** Back to the whole run. */
  chart.resetZoom = () => {
    if (zoomTarget) zoomTarget.transition().duration(250).call(zoomBehavior.transform, d3.zoomIdentity);
  };
  /** Zooms to the time interval [t0, t1] (seconds). */
  chart.zoomTo = (t0, t1) => {
    if (!zoomTarget) return;
    const [a, b] = [x0(t0), x0(t1)];
    const k = Math.min(1e5, (x0.range()[1] - x0.range()[0]) / Math.max(1e-9, b - a));
    zoomTarget.call(zoomBehavior.transform, d3.zoomIdentity.scale(k).translate(-a, 0));
  };

  /** Highlights the spans of `request` (null: none) and calls onSelect. */
  chart.select = (request) => selectRequest(request);

  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  chart.maxPlotHeight = function (_) {
    return arguments.length ? ((maxPlotHeight = +_), chart) : maxPlotHeight;
  };
  /** The run's resolved scenario: pool order and sizes, host counts (optional). */
  chart.scenario = function (_) {
    return arguments.length ? ((scenario = _), chart) : scenario;
  };
  chart.color = function (_) {
    return arguments.length ? ((color = _), chart) : color;
  };
  chart.timeLabel = function (_) {
    return arguments.length ? ((timeLabel = _), chart) : timeLabel;
  };
  chart.onSelect = function (_) {
    return arguments.length ? ((onSelect = _), chart) : onSelect;
  };
  return chart;
}

/** Tick labels with as many decimals as the visible span needs ("300.25"). */
function tickFormat([a, b]) {
  const step = (b - a) / 8;
  const digits = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step || 1)) + 1));
  return (v) => v.toFixed(digits);
}

function spanHtml(d) {
  const rows = [
    ['request', d.request],
    ['span', `${d.kind} · ${d.name}`],
    ['service', d.service],
    ['host', d.host],
    d.pool !== undefined ? ['pool', `${d.pool}${d.lane !== undefined ? ` · thread #${d.lane}` : ''}`] : null,
    d.item !== undefined ? ['item', d.item] : null,
    ['start', `${d.start.toFixed(4)} s`],
    ['end', `${d.end.toFixed(4)} s`],
    ['duration', seconds(d.end - d.start)],
    d.status ? ['status', d.status] : null,
  ].filter(Boolean);
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}
