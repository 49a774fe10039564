import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';
import { axisLabels } from './axis-labels.js';
import { EVENT_ROW_PX, eventRows, eventRules } from './event-rules.js';
import { countByCategory } from '../lib/event-markers.js';

/**
 * Lines over a shared x axis (reusable chart), with a legend, labelled axes and a hover rule that
 * reads every series at the nearest x. Shaded `bands` mark a span of x (e.g. the warm-up, not measured).
 * With `.sync(group)` (charts/chart-sync.js) the panels of a dashboard share a crosshair (hovering one
 * draws the rule at the same x on all) and a time range (drag across one to show that range on all;
 * double-click to show everything again). With `.events(list)` (lib/event-markers.js describeMarkers) a
 * run's events are vertical rules across the plot with labelled flags above it (charts/event-rules.js).
 *
 *   lineChart().width(600).height(240).xLabel('time (s)').yLabel('busy threads (%)').yFormat(fmt)
 *     (d3.select(el).datum({ series: [{ key, label, points: [{x, y}], color?, dash? }], refs: [{ y, label }],
 *       bands: [{ x0, x1, label }] }))
 */
/** Clip-path ids of the page's line charts. */
let clips = 0;

export function lineChart() {
  let width = 600;
  let height = 240;
  let title = '';
  let xLabel = '';
  let yLabel = '';
  let xFormat = d3.format('~g');
  let yFormat = d3.format('~g');
  let yTickFormat = null;
  let yDomain = null;
  let xDomain = null;
  let curve = d3.curveMonotoneX;
  let color = d3.scaleOrdinal(d3.schemeTableau10);
  let sync = null;
  let events = [];
  let eventLabelRows = 2;
  const margin = { top: 8, right: 18, bottom: 42, left: 58 };

  function chart(selection) {
    selection.each(function (data) {
      draw(this, data);
    });
  }

  function draw(node, data) {
    const root = d3.select(node);
    // Drawn again (a synced range): the card's export buttons (lib/export.js, first in it) stay.
    root.selectAll(':scope > :not(.export-bar)').remove();
    const series = data.series.filter((s) => s.points.length > 0);
    const refs = data.refs ?? [];
    if (title) root.append('h3').attr('class', 'chart-title').text(title);
    if (!series.length) {
      root
        .append('p')
        .attr('class', 'empty')
        .text(data.empty ?? 'No data.');
      return;
    }
    const leg = legend()
      .width(width - margin.left)
      .items([
        ...series.map((s) => ({
          label: s.label,
          color: s.color ?? color(s.key),
          shape: s.dash ? 'dash' : 'line',
        })),
        ...refs
          .filter((r) => r.legend)
          .map((r) => ({ label: r.label, color: r.color ?? '#64748b', shape: 'dash' })),
      ]);
    const svg = root.append('svg').attr('width', width);
    describeChart(
      svg,
      `${title || 'Line chart'}: ${series.map((s) => s.label ?? s.key).join('; ')}${refs.length ? `; reference ${refs.map((r) => r.label).join(', ')}` : ''}${events.length ? `; ${events.length} event${events.length === 1 ? '' : 's'} marked (${countByCategory(events).join(', ')})` : ''}`,
    );
    const lg = svg.append('g').attr('transform', `translate(${margin.left},10)`);
    leg(lg);
    // The events' flags and labels take a strip between the legend and the plot.
    const stripH = events.length ? eventLabelRows * EVENT_ROW_PX + 8 : 0;
    const top = leg.height() + 12 + margin.top + stripH;
    svg.attr('height', top + height + margin.bottom);
    const w = width - margin.left - margin.right;
    const all = series.flatMap((s) => s.points);
    const bands = data.bands ?? [];
    const whole = xDomain ?? d3.extent(all, (p) => p.x);
    const x = d3
      .scaleLinear()
      .domain(sync?.range() ?? whole)
      .range([0, w]);
    svg.attr(
      'data-x-domain',
      x
        .domain()
        .map((v) => +v.toPrecision(6))
        .join(','),
    );
    const yMax = d3.max([...all.map((p) => p.y), ...refs.map((r) => r.y)].filter(Number.isFinite)) ?? 1;
    const y = d3
      .scaleLinear()
      .domain(yDomain ?? [0, yMax > 0 ? yMax * 1.08 : 1])
      .nice()
      .range([height, 0]);
    const g = svg.append('g').attr('transform', `translate(${margin.left},${top})`);
    // Lines and bands are clipped to the plot: a brushed range leaves parts of them outside.
    const clipId = `line-clip-${++clips}`;
    g.append('clipPath').attr('id', clipId).append('rect').attr('width', w).attr('height', height);
    const plot = g.append('g').attr('clip-path', `url(#${clipId})`);
    for (const b of bands) {
      const band = plot.append('g').attr('class', 'x-band');
      band
        .append('rect')
        .attr('x', x(b.x0))
        .attr('width', Math.max(0, x(b.x1) - x(b.x0)))
        .attr('height', height)
        .attr('fill', b.color ?? '#94a3b8')
        .attr('fill-opacity', 0.18);
      // Labelled where it shows (a brushed range may leave little or none of it in view).
      const [from, to] = [Math.max(0, x(b.x0)), Math.min(w, x(b.x1))];
      if (to - from >= 60)
        band
          .append('text')
          .attr('class', 'ref-label')
          .attr('x', from + 4)
          .attr('y', 12)
          .text(b.label);
    }
    g.append('g').attr('class', 'grid').call(d3.axisLeft(y).ticks(5).tickSize(-w).tickFormat(''));
    g.append('g')
      .attr('class', 'axis')
      .attr('transform', `translate(0,${height})`)
      .call(
        d3
          .axisBottom(x)
          .ticks(Math.max(2, Math.floor(w / 80)))
          .tickFormat(xFormat),
      );
    g.append('g')
      .attr('class', 'axis')
      .call(
        d3
          .axisLeft(y)
          .ticks(5)
          .tickFormat(yTickFormat ?? yFormat),
      );
    axisLabels(g, { width: w, height: height, marginLeft: margin.left, x: xLabel, y: yLabel });
    for (const r of refs) {
      g.append('line')
        .attr('class', 'ref-line')
        .attr('x1', 0)
        .attr('x2', w)
        .attr('y1', y(r.y))
        .attr('y2', y(r.y))
        .attr('stroke', r.color ?? '#64748b');
      if (!r.legend)
        g.append('text')
          .attr('class', 'ref-label')
          .attr('x', w - 4)
          .attr('y', y(r.y) - 4)
          .attr('text-anchor', 'end')
          .text(r.label);
    }
    const line = d3
      .line()
      .defined((p) => Number.isFinite(p.y))
      .x((p) => x(p.x))
      .y((p) => y(p.y))
      .curve(curve);
    plot
      .selectAll('path.series')
      .data(series)
      .join('path')
      .attr('class', 'series')
      .attr('fill', 'none')
      .attr('stroke', (s) => s.color ?? color(s.key))
      .attr('stroke-width', 2)
      .attr('stroke-dasharray', (s) => (s.dash ? '6,4' : null))
      .attr('d', (s) => line(s.points));
    const eventGroups = events.length
      ? eventRules({
          plot,
          strip: svg.append('g').attr('transform', `translate(${margin.left},${top - stripH})`),
          x,
          width: w,
          height,
          markers: events,
          rows: eventLabelRows,
        })
      : [];
    svg.attr('data-events', events.length ? d3.sum(eventGroups, (e) => e.markers.length) : null);

    // Hover: a vertical rule and every series' value at the nearest x; with a sync group, the same
    // rule on the group's other panels, and a drag across the plot sets the group's time range.
    const rule = g
      .append('line')
      .attr('class', 'hover-rule')
      .attr('y1', 0)
      .attr('y2', height)
      .style('display', 'none');
    const showRule = (xv) => {
      const inside = xv !== null && xv >= x.domain()[0] && xv <= x.domain()[1];
      rule
        .style('display', inside ? null : 'none')
        .attr('x1', inside ? x(xv) : 0)
        .attr('x2', inside ? x(xv) : 0)
        .attr('data-x', inside ? xv : null);
    };
    const surface = sync ? g.append('g').attr('class', 'hover-surface x-brush') : g.append('rect');
    if (sync) {
      const key = (node.__syncKey ??= sync.key());
      sync.on('hover', key, (xv, from) => from !== key && showRule(xv));
      sync.on('range', key, () => draw(node, data));
      const brush = d3
        .brushX()
        .extent([
          [0, 0],
          [w, height],
        ])
        .on('end', (event) => {
          if (!event.selection) return;
          const [a, b] = event.selection.map((px) => x.invert(px));
          if (b - a > 0) sync.range([a, b]);
        });
      surface.call(brush);
      // selectAll, not select: select would give the overlay the chart's data, and the brush reads its own there.
      surface.selectAll('.overlay').attr('fill', 'none');
      surface.on('dblclick', () => sync.range(null));
    } else surface.attr('class', 'hover-surface').attr('width', w).attr('height', height);
    surface
      .on('mousemove.hover', (event) => {
        const [mx] = d3.pointer(event, g.node());
        const xv = x.invert(mx);
        showRule(xv);
        if (sync) sync.hover(xv, node.__syncKey);
        const rows = series.map((s) => {
          const i = d3.minIndex(s.points, (p) => Math.abs(p.x - xv));
          const p = s.points[i];
          return `<tr><th><span class="swatch" style="background:${s.color ?? color(s.key)}"></span>${esc(s.label)}</th><td>${esc(p ? yFormat(p.y) : '—')}</td></tr>`;
        });
        showTooltip(
          event,
          `<div class="tt-title">${esc(xLabel)}: ${esc(xFormat(xv))}</div><table>${rows.join('')}</table>${eventRows(eventGroups, mx)}`,
        );
      })
      .on('mouseleave.hover', () => {
        showRule(null);
        if (sync) sync.hover(null, node.__syncKey);
        hideTooltip();
      });
  }

  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  chart.height = function (_) {
    return arguments.length ? ((height = +_), chart) : height;
  };
  chart.title = function (_) {
    return arguments.length ? ((title = _), chart) : title;
  };
  chart.xLabel = function (_) {
    return arguments.length ? ((xLabel = _), chart) : xLabel;
  };
  chart.yLabel = function (_) {
    return arguments.length ? ((yLabel = _), chart) : yLabel;
  };
  chart.xFormat = function (_) {
    return arguments.length ? ((xFormat = _), chart) : xFormat;
  };
  chart.yFormat = function (_) {
    return arguments.length ? ((yFormat = _), chart) : yFormat;
  };
  /** The y axis's tick labels, when not yFormat (the tooltip keeps yFormat). */
  chart.yTickFormat = function (_) {
    return arguments.length ? ((yTickFormat = _), chart) : yTickFormat;
  };
  chart.xDomain = function (_) {
    return arguments.length ? ((xDomain = _), chart) : xDomain;
  };
  chart.yDomain = function (_) {
    return arguments.length ? ((yDomain = _), chart) : yDomain;
  };
  chart.curve = function (_) {
    return arguments.length ? ((curve = _), chart) : curve;
  };
  chart.sync = function (_) {
    return arguments.length ? ((sync = _), chart) : sync;
  };
  /** The run's events to mark (lib/event-markers.js describeMarkers), [] for none. */
  chart.events = function (_) {
    return arguments.length ? ((events = _ ?? []), chart) : events;
  };
  /** Rows of event labels above the plot (a label that fits in none is left out; its flag stays). */
  chart.eventLabelRows = function (_) {
    return arguments.length ? ((eventLabelRows = +_), chart) : eventLabelRows;
  };
  chart.color = function (_) {
    return arguments.length ? ((color = _), chart) : color;
  };
  return chart;
}
