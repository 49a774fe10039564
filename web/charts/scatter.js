import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';
import { logTicks } from '../lib/log-scale.js';
import { axisLabels, yAxisMargin } from './axis-labels.js';

/**
 * Points and lines over two linear axes (reusable chart): e.g. the objective of each optimizer
 * evaluation with the best-so-far line, or a Pareto front over all evaluations.
 *
 *   scatter().width(600).height(260).xLabel('evaluation').yLabel('mean response time (s)')
 *     (d3.select(el).datum({ groups: [{ key, label, color, points: [{ x, y, html? }], line?: 'step' | 'straight', dots?: true }] }))
 *
 * A point may carry error bars: `xLo`/`xHi` and `yLo`/`yHi` (e.g. 95 % confidence intervals).
 * `.xLog(true)` draws x on a log scale (a parameter spanning decades); points at x ≤ 0 are then left out.
 */
export function scatter() {
  let width = 600;
  let height = 260;
  let title = '';
  let xLabel = '';
  let yLabel = '';
  let xFormat = d3.format('~g');
  let yFormat = d3.format('~g');
  let xLog = false;
  const base = { top: 8, right: 18, bottom: 44, left: 64 };

  function chart(selection) {
    selection.each(function ({ groups }) {
      const root = d3.select(this);
      root.selectAll('*').remove();
      if (title) root.append('h3').attr('class', 'chart-title').text(title);
      const all = groups
        .flatMap((gr) => gr.points)
        .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!xLog || p.x > 0));
      if (!all.length) {
        root.append('p').attr('class', 'empty').text('No data.');
        return;
      }
      const pad = (lo, hi) => (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
      const [y0, y1] = d3.extent(all.flatMap((p) => [p.y, p.yLo, p.yHi]).filter(Number.isFinite));
      const y = d3
        .scaleLinear()
        .domain([y0 - pad(y0, y1), y1 + pad(y0, y1)])
        .nice()
        .range([height, 0]);
      const margin = { ...base, left: yAxisMargin(y.ticks(5).map(yFormat), base.left) };
      const leg = legend()
        .width(width - margin.left)
        .items(groups.map((gr) => ({ label: gr.label, color: gr.color, shape: gr.line ? 'line' : 'rect' })));
      const svg = root.append('svg').attr('width', width);
      describeChart(
        svg,
        `${title || 'Scatter plot'}: ${groups.map((g) => `${g.label ?? g.key} (${g.points.length} points)`).join('; ')}`,
      );
      const lg = svg.append('g').attr('transform', `translate(${margin.left},10)`);
      leg(lg);
      const top = leg.height() + 12 + margin.top;
      svg.attr('height', top + height + margin.bottom);
      const w = width - margin.left - margin.right;
      const [x0, x1] = d3.extent(all.flatMap((p) => [p.x, p.xLo, p.xHi]).filter(Number.isFinite));
      const x = xLog
        ? d3
            .scaleLog()
            .domain([x0 / (x1 / x0) ** 0.05, x1 * (x1 / x0) ** 0.05])
            .range([0, w])
        : d3
            .scaleLinear()
            .domain([x0 - pad(x0, x1), x1 + pad(x0, x1)])
            .nice()
            .range([0, w]);
      const g = svg.append('g').attr('transform', `translate(${margin.left},${top})`);
      g.append('g').attr('class', 'grid').call(d3.axisLeft(y).ticks(5).tickSize(-w).tickFormat(''));
      g.append('g')
        .attr('class', 'axis')
        .attr('transform', `translate(0,${height})`)
        .attr('data-scale', xLog ? 'log' : 'linear')
        .call(
          xLog
            ? d3
                .axisBottom(x)
                .tickValues(logTicks(x.domain(), Math.max(2, Math.floor(w / 45))))
                .tickFormat(xFormat)
            : d3
                .axisBottom(x)
                .ticks(Math.max(2, Math.floor(w / 80)))
                .tickFormat(xFormat),
        );
      g.append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(5).tickFormat(yFormat));
      axisLabels(g, { width: w, height: height, marginLeft: margin.left, x: xLabel, y: yLabel });
      for (const gr of groups) {
        const pts = gr.points.filter(
          (p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!xLog || p.x > 0),
        );
        if (gr.line) {
          g.append('path')
            .attr('class', 'series')
            .attr('fill', 'none')
            .attr('stroke', gr.color)
            .attr('stroke-width', 2)
            .attr(
              'd',
              d3
                .line()
                .curve(gr.line === 'step' ? d3.curveStepAfter : d3.curveLinear)
                .x((p) => x(p.x))
                .y((p) => y(p.y))(pts),
            );
        }
        const bars = pts.flatMap((p) => [
          ...(Number.isFinite(p.xLo) && Number.isFinite(p.xHi) ? [[p.xLo, p.y, p.xHi, p.y]] : []),
          ...(Number.isFinite(p.yLo) && Number.isFinite(p.yHi) ? [[p.x, p.yLo, p.x, p.yHi]] : []),
        ]);
        if (bars.length) {
          g.append('g')
            .attr('class', `error-bars error-bars-${gr.key}`)
            .selectAll('line')
            .data(bars)
            .join('line')
            .attr('x1', (b) => x(b[0]))
            .attr('y1', (b) => y(b[1]))
            .attr('x2', (b) => x(b[2]))
            .attr('y2', (b) => y(b[3]))
            .attr('stroke', gr.color)
            .attr('stroke-opacity', 0.6)
            .attr('stroke-width', 1.5);
        }
        if (gr.dots !== false) {
          g.append('g')
            .attr('class', `dots dots-${gr.key}`)
            .selectAll('circle')
            .data(pts)
            .join('circle')
            .attr('cx', (p) => x(p.x))
            .attr('cy', (p) => y(p.y))
            .attr('r', gr.r ?? 4)
            .attr('fill', gr.fill ?? gr.color)
            .attr('stroke', gr.color)
            .attr('fill-opacity', gr.fillOpacity ?? 0.75)
            .on('mousemove', (event, p) =>
              showTooltip(
                event,
                p.html ??
                  `<table><tr><th>${esc(xLabel)}</th><td>${esc(xFormat(p.x))}</td></tr><tr><th>${esc(yLabel)}</th><td>${esc(yFormat(p.y))}</td></tr></table>`,
              ),
            )
            .on('mouseleave', hideTooltip);
        }
      }
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
  chart.xLog = function (_) {
    return arguments.length ? ((xLog = !!_), chart) : xLog;
  };
  chart.yFormat = function (_) {
    return arguments.length ? ((yFormat = _), chart) : yFormat;
  };
  return chart;
}
