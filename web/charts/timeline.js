import d3 from '../vendor-d3.js';
import { criticalPath, flowLinks } from '../lib/critical-path.js';
import { poolOrderOf } from '../lib/lanes.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';
import { lowerBound, slotAt, visitRow } from '../lib/span-index.js';
import { keyedRange, paintOverlay, rangeDrag } from './timeline-overlay.js';
import { hatchPattern, prepared, rowLabels, spanHtml, tickFormat } from './timeline-parts.js';

const STATUS_COLOR = { ok: '#94a3b8', abandoned: '#f97316', rejected: '#dc2626' };

/**
 * A Gantt chart of trace spans (reusable chart): one bar per span, rows from layoutLanes (hosts, pool
 * threads, queues, requests, network), wheel to zoom and drag to pan the time axis (or W/S and A/D when
 * the bars have the focus), hover for the span's details, click a bar to highlight its request (its
 * critical path outlined, arrows where it goes from one host to another), Shift+drag to select a time range
 * (or from the keyboard: R selects the time shown, Left/Right move the range, Shift+Left/Right its end,
 * Escape clears it; said in a live region, `.timeline-status`).
 *
 * The spans may be a window or an overview of a larger trace (the server merges spans past a limit: a
 * span with `merged` = n stands for n): `extent` then gives the whole trace's time span, so that the
 * zoom means the same from one set of spans to the next, and drawing new spans of the same extent keeps
 * the zoom, the request picked and the range selected.
 *
 * The bars are painted on a canvas over the SVG of labels and axes, with level of detail: spans narrower
 * than a pixel are merged per row and pixel column (lib/span-index.js), so a frame costs O(pixels) and
 * a trace of 250,000 spans zooms as smoothly as one of 5,000. What the last frame drew is in the
 * canvas's data attributes and chart.drawn() (for tests), and in its aria-label.
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
  // Options for spans that are part of a trace (see the accessors below).
  const part = {
    onZoomStart: () => {},
    onZoomEnd: () => {},
    onRange: () => {},
    extent: null,
    totalSpans: null,
    lanes: null,
  };
  // Kept from one render to the next (same extent): the zoom, the request picked, the range selected.
  let lastView = null;
  let lastKey = '';
  let picked = null;
  let range = null;
  let flowOf = () => ({ links: [], critical: [] });
  let setRange = () => {};
  const margin = { top: 30, right: 18, bottom: 44, left: 190 };
  const groupHeader = 17;
  let zoomBehavior = null;
  let zoomTarget = null;
  let x0 = null;
  let selectRequest = () => {};
  let drawnStats = () => null;
  let laidOutSpans = () => [];
  let boxOfSpan = () => null;
  let currentDomain = () => null;

  function chart(selection) {
    selection.each(function (data) {
      render(d3.select(this), data);
    });
  }

  function render(root, { spans }) {
    const began = performance.now();
    root.selectAll('*').remove();
    zoomTarget = null; // until this render has a canvas to zoom
    if (!spans.length) {
      root
        .append('p')
        .attr('class', 'empty')
        .text('This run has no spans (run.spanSample = 0, or nothing was sampled).');
      return;
    }
    const { layout, index } = prepared(spans, poolOrderOf(scenario), part.lanes);
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

    const lo = part.extent ? part.extent[0] : d3.min(spans, (s) => s.start);
    const hi = part.extent ? part.extent[1] : d3.max(spans, (s) => s.end);
    const viewKey = `${lo}\u0000${hi}\u0000${width}`;
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

    // The SVG holds legend, bands, labels, grid and axes; the canvas over its plot area holds the bars.
    const wrap = root.append('div').attr('class', 'timeline-wrap').style('width', `${width}px`);
    const svg = wrap.append('svg').attr('class', 'timeline-chart').attr('width', width);
    describeChart(
      svg,
      `Request timeline: ${spans.length} spans of the traced requests, by host and track, over time`,
    );
    const legendG = svg.append('g').attr('transform', 'translate(10,12)');
    leg(legendG);
    const top = leg.height() + 14;
    svg.attr('height', top + margin.top + plotH + margin.bottom);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${top + margin.top})`);

    rowLabels(g, { layout, services, rowY, groupY, rowH, groupHeader, margin, plotW });

    const plot = g.append('g').attr('class', 'plot');
    const grid = plot.append('g').attr('class', 'grid');
    const axisTop = g.append('g').attr('class', 'axis');
    const axisBottom = g.append('g').attr('class', 'axis').attr('transform', `translate(0,${plotH})`);
    g.append('text')
      .attr('class', 'axis-label')
      .attr('x', plotW / 2)
      .attr('y', plotH + 36)
      .attr('text-anchor', 'middle')
      .text(timeLabel);

    const dpr = window.devicePixelRatio || 1;
    const canvas = wrap
      .append('canvas')
      .attr('class', 'timeline-canvas')
      .attr('role', 'img')
      .attr('tabindex', 0)
      .attr('width', Math.round(plotW * dpr))
      .attr('height', Math.round(plotH * dpr))
      .attr('data-spans', part.totalSpans ?? spans.length)
      .attr('data-merged', spans.some((s) => s.merged > 1) ? 'yes' : 'no')
      .style('left', `${margin.left}px`)
      .style('top', `${top + margin.top}px`)
      .style('width', `${plotW}px`)
      .style('height', `${plotH}px`);
    const node = canvas.node();
    const ctx = node.getContext('2d');
    // What a key did, read out by screen readers (the canvas's own label changes silently).
    const status = wrap
      .append('p')
      .attr('class', 'timeline-status sr-only')
      .attr('role', 'status')
      .attr('aria-live', 'polite');
    const css = getComputedStyle(root.node());
    const ink = css.getPropertyValue('--ink').trim() || '#0f172a';

    // One fill per span, as an index into a few styles (colours and the hatch of waits).
    const styles = [];
    const styleOf = new Map();
    const styleId = (key) => {
      if (!styleOf.has(key)) {
        styleOf.set(key, styles.length);
        styles.push(key === 'hatch' ? hatchPattern(ctx) : key);
      }
      return styleOf.get(key);
    };
    const slotStyle = new Uint16Array(spans.length);
    for (let k = 0; k < spans.length; k++) {
      const d = spans[index.order[k]];
      slotStyle[k] = styleId(
        d.kind === 'wait'
          ? 'hatch'
          : d.kind === 'request'
            ? (STATUS_COLOR[d.status ?? 'ok'] ?? '#94a3b8')
            : color(d.name),
      );
    }
    const rowOfSlot = (k) => lowerBound(index.rowStart, 0, nRows + 1, k + 1) - 1;
    const wb = index.weightBefore;

    const barH = Math.max(2, rowH - (rowH > 6 ? 2 : 1));
    const barOff = (rowH - barH) / 2;
    let pickedSlots = [];
    let flow = { links: [], critical: [] };
    const slotOfSpan = new Map();
    const stats = { bars: 0, columns: 0, covered: 0, frames: 0, drawMs: 0, renderMs: 0 };

    function paint() {
      const began = performance.now();
      const [d0, d1] = x.domain();
      const kx = plotW / (d1 - d0);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, plotW, plotH);
      const paths = styles.map(() => new Path2D());
      const outline = new Path2D();
      let bars = 0;
      let columns = 0;
      let covered = 0;
      // Adjacent merged columns of one style in a row go out as one rectangle (a dense stretch of a row
      // is one rectangle, not hundreds).
      let run = { style: -1, from: 0, to: 0, y: 0 };
      const flush = () => {
        if (run.style >= 0) paths[run.style].rect(run.from, run.y, run.to - run.from, barH);
        run.style = -1;
      };
      const draw = {
        bar: (k, p0, p1, r) => {
          flush();
          const a = Math.max(p0, -1);
          const w = Math.min(p1, plotW + 1) - a;
          paths[slotStyle[k]].rect(a, rowY[r] + barOff, w, barH);
          // Merged spans (an overview's blocks) go without outline: stroking thousands costs more than filling.
          if (w >= 4 && !(wb && wb[k + 1] - wb[k] > 1)) outline.rect(a, rowY[r] + barOff, w, barH);
          bars++;
        },
        column: (k, col, _count, r) => {
          const from = Math.max(0, col);
          if (run.style === slotStyle[k] && run.to === from) run.to = from + 1;
          else {
            flush();
            run = { style: slotStyle[k], from, to: from + 1, y: rowY[r] + barOff };
          }
          columns++;
        },
      };
      const view = { d0, d1, kx };
      for (let r = 0; r < nRows; r++) {
        covered += visitRow(index, r, view, draw);
        flush();
      }
      ctx.globalAlpha = picked === null ? 1 : 0.12;
      styles.forEach((style, i) => {
        ctx.fillStyle = style;
        ctx.fill(paths[i]);
      });
      ctx.strokeStyle = 'rgba(15, 23, 42, 0.25)';
      ctx.lineWidth = 0.5;
      ctx.stroke(outline);
      ctx.globalAlpha = 1;
      // The picked request's spans on top, each at least a pixel wide, outlined.
      ctx.strokeStyle = ink;
      ctx.lineWidth = 0.8;
      for (const k of pickedSlots) {
        const box = slotBox(k);
        if (box.x + box.width < 0 || box.x > plotW) continue;
        ctx.fillStyle = styles[slotStyle[k]];
        ctx.fillRect(box.x, box.y, box.width, box.height);
        ctx.strokeRect(box.x, box.y, box.width, box.height);
      }
      const over = paintOverlay(ctx, {
        range,
        x,
        plotW,
        plotH,
        ...flow,
        boxOf: (s) => (slotOfSpan.has(s) ? slotBox(slotOfSpan.get(s)) : null),
        ink,
      });
      Object.assign(stats, { bars, columns, covered, frames: stats.frames + 1 });
      stats.drawMs = performance.now() - began;
      const fmt = tickFormat([d0, d1]);
      canvas
        .attr(
          'aria-label',
          `Span bars: ${(part.totalSpans ?? spans.length).toLocaleString('en-US')} spans, ${fmt(Math.max(d0, lo))} s to ${fmt(Math.min(d1, hi))} s shown${picked === null ? '' : `, request ${picked} highlighted (${over.critical} spans on its critical path, ${over.arrows} arrows between hosts)`}${range ? `, range ${fmt(range[0])} s to ${fmt(range[1])} s selected` : ''}`,
        )
        .attr('data-bars', bars)
        .attr('data-columns', columns)
        .attr('data-covered', covered)
        .attr('data-frames', stats.frames)
        .attr('data-draw-ms', stats.drawMs.toFixed(1))
        .attr('data-flow-arrows', over.arrows)
        .attr('data-flow-links', over.links)
        .attr('data-critical-spans', over.critical)
        .attr('data-range', range ? range.join(',') : null);
    }

    /** Where slot k's bar is drawn, in canvas pixels (at least a pixel wide). */
    function slotBox(k) {
      const p0 = x(index.start[k]);
      return {
        x: p0,
        y: rowY[rowOfSlot(k)] + barOff,
        width: Math.max(1, x(index.end[k]) - p0),
        height: barH,
      };
    }

    /** The slot under canvas pixel (px, py), -1 when none. */
    function slotUnder(px, py) {
      let r = lowerBound(rowY, 0, nRows, py);
      if (r === nRows || rowY[r] > py) r--;
      if (r < 0 || py >= rowY[r] + rowH) return -1;
      const [d0, d1] = x.domain();
      return slotAt(index, r, x.invert(px), (1.5 * (d1 - d0)) / plotW);
    }

    canvas
      .on('mousemove', (event) => {
        const k = slotUnder(...d3.pointer(event));
        canvas.classed('over-span', k >= 0);
        if (k < 0) hideTooltip();
        else showTooltip(event, spanHtml(spans[index.order[k]]));
      })
      .on('mouseleave', hideTooltip)
      .on('click', (event) => {
        if (event.shiftKey) return; // the end of a range selection
        const k = slotUnder(...d3.pointer(event));
        const s = k < 0 ? null : spans[index.order[k]];
        select(s && !(s.merged > 1) ? s.request : null);
      })
      .on('mousedown.range', (event) =>
        rangeDrag(event, {
          node,
          time: (px) => x.invert(Math.max(0, Math.min(plotW, px))),
          onMove: (r) => {
            range = r;
            paint();
          },
          onEnd: () => {
            part.onRange(range);
            announceRange(range);
            // Focused (the drag's mousedown did not focus it), so that Escape clears the range at once.
            node.focus({ preventScroll: true });
          },
        }),
      )
      .on('keydown', (event) => {
        const keyed = keyedRange(event, range, x.domain(), [lo, hi]);
        if (keyed !== undefined) {
          event.preventDefault();
          setRange(keyed);
          announceRange(keyed);
          return;
        }
        if (event.key === 'Escape') return;
        const step = { w: [1.5, 0], s: [1 / 1.5, 0], a: [1, 0.1], d: [1, -0.1] }[event.key.toLowerCase()];
        if (!step || event.ctrlKey || event.metaKey || event.altKey) return;
        event.preventDefault();
        if (step[0] !== 1) zoomBehavior.scaleBy(canvas, step[0], [plotW / 2, plotH / 2]);
        else zoomBehavior.translateBy(canvas, (step[1] * plotW) / d3.zoomTransform(node).k, 0);
      });

    function announceRange(r) {
      const fmt = tickFormat(x.domain());
      status.text(
        r
          ? `Time range ${fmt(r[0])} s to ${fmt(r[1])} s selected: its statistics are below the chart`
          : 'Time range cleared',
      );
    }

    selectRequest = select;
    function select(request, { quiet = false } = {}) {
      picked = request;
      pickedSlots = [];
      slotOfSpan.clear();
      if (request !== null)
        for (let k = 0; k < spans.length; k++)
          if (spans[index.order[k]].request === request) {
            pickedSlots.push(k);
            slotOfSpan.set(spans[index.order[k]], k);
          }
      const own = pickedSlots.map((k) => spans[index.order[k]]);
      flow = { links: flowLinks(own), critical: criticalPath(own) };
      if (!quiet) paint();
      onSelect(request, own);
    }
    flowOf = () => flow;
    setRange = (r) => {
      range = r;
      paint();
      part.onRange(range);
    };

    function draw() {
      const ticks = Math.max(2, Math.floor(plotW / 90));
      const fmt = tickFormat(x.domain());
      axisTop.call(d3.axisTop(x).ticks(ticks).tickFormat(fmt));
      axisBottom.call(d3.axisBottom(x).ticks(ticks).tickFormat(fmt));
      grid.selectAll('line').data(x.ticks(ticks)).join('line').attr('x1', x).attr('x2', x).attr('y2', plotH);
      paint();
    }
    if (viewKey !== lastKey) {
      // Another trace (or width): nothing carried over.
      lastKey = viewKey;
      lastView = null;
      picked = null;
      range = null;
    }
    if (picked !== null) select(picked, { quiet: true });
    if (!lastView) draw();

    let quiet = false;
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
      .filter((event) => !event.shiftKey && (!event.ctrlKey || event.type === 'wheel') && !event.button)
      .on('zoom', (event) => {
        x = event.transform.rescaleX(x0);
        lastView = { transform: event.transform };
        hideTooltip();
        draw();
      })
      .on('start', () => {
        if (!quiet) part.onZoomStart();
      })
      .on('end', () => {
        if (!quiet) part.onZoomEnd(x.domain());
      });
    zoomTarget = canvas;
    canvas.call(zoomBehavior).on('dblclick.zoom', null);
    // New spans of the same trace (a window fetched after a zoom): drawn at the zoom the user left.
    if (lastView) {
      quiet = true;
      canvas.call(zoomBehavior.transform, lastView.transform);
      quiet = false;
    }

    // For tests and scripts: what was drawn, and where a span's bar is on the page.
    drawnStats = () => ({ ...stats });
    laidOutSpans = () => Array.from(index.order, (i) => spans[i]);
    boxOfSpan = (request, kind) => {
      let k = -1;
      for (let j = 0; j < spans.length && k < 0; j++) {
        const d = spans[index.order[j]];
        if (d.request === request && (kind === undefined || d.kind === kind)) k = j;
      }
      if (k < 0) return null;
      const box = slotBox(k);
      const at = node.getBoundingClientRect();
      const left = Math.max(0, box.x);
      const right = Math.min(plotW, box.x + box.width);
      return { x: at.left + left, y: at.top + box.y, width: right - left, height: box.height };
    };
    currentDomain = () => x.domain();
    node.timeline = chart;
    stats.renderMs = performance.now() - began;
    // performance.now() when the first frame was drawn: since the navigation, for a page opened on the timeline.
    canvas
      .attr('data-render-ms', stats.renderMs.toFixed(1))
      .attr('data-drawn-at', performance.now().toFixed(1));
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
  /** What the last frame drew: bars, merged pixel columns, spans covered by both, frames, draw and first-render ms. */
  chart.drawn = () => drawnStats();
  /** The spans as laid out in rows (each once), for tests. */
  chart.laidOut = () => laidOutSpans();
  /** The visible part of the bar of request's first span (of `kind`), in page pixels; null when none. */
  chart.boxOf = (request, kind) => boxOfSpan(request, kind);
  /** The time interval shown (seconds). */
  chart.domain = () => currentDomain();
  /** The picked request's flow links and critical path (spans), as drawn. */
  chart.flow = () => flowOf();
  /** The selected time range [t0, t1] (null: none); with an argument, selects it (and calls onRange). */
  chart.range = function (_) {
    if (!arguments.length) return range;
    setRange(_);
    return chart;
  };

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
  // onZoomStart(): a zoom or pan by the user began; onZoomEnd(domain): it ended (to fetch the spans shown); onRange([t0, t1] | null): a time
  // range was selected (Shift+drag) or cleared (Escape); extent: the whole trace's [start, end] when the
  // spans given are a window or an overview of it; totalSpans: the whole trace's spans (data-spans);
  // lanes: the threads to give rows to in any window (layoutLanes' knownLanes).
  for (const name of Object.keys(part))
    chart[name] = function (_) {
      return arguments.length ? ((part[name] = _), chart) : part[name];
    };
  return chart;
}
