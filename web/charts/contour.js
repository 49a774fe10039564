import d3 from '../vendor-d3.js';
import { colorRamp } from './color-ramp.js';
import { esc } from '../format.js';
import { describeChart } from '../lib/a11y.js';
import { contourGrid } from '../lib/contour-grid.js';
import { logTicks } from '../lib/log-scale.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { axisLabels } from './axis-labels.js';

/**
 * A contour plot of an objective over two parameters (reusable chart): the trials' values interpolated
 * on a grid (web/lib/contour-grid.js) drawn as filled bands of equal value, the trials on top as dots.
 * The bands are an interpolation between trials, not simulations: the dots are what was measured.
 *
 *   contour().width(600).height(300).xLabel('extract').yLabel('http').valueLabel('mean (s)').yLog(true)
 *     (d3.select(el).datum({ points: [{ x, y, v, html? }] }))
 */
export function contour() {
  let width = 600;
  let height = 300;
  let xLabel = '';
  let yLabel = '';
  let valueLabel = '';
  let xLog = false;
  let yLog = false;
  let interpolator = d3.interpolateYlOrRd;
  const margin = { top: 10, right: 96, bottom: 46, left: 64 };

  function chart(selection) {
    selection.each(function ({ points }) {
      const root = d3.select(this);
      root.selectAll('*').remove();
      const w = width - margin.left - margin.right;
      const nx = 48;
      const ny = 36;
      const grid = contourGrid(points, { nx, ny, xLog, yLog });
      if (!grid) {
        root.append('p').attr('class', 'empty').text('No data.');
        return;
      }
      const svg = root
        .append('svg')
        .attr('class', 'contour-chart')
        .attr('width', width)
        .attr('height', margin.top + height + margin.bottom);
      describeChart(
        svg,
        `Contour plot of ${valueLabel || 'the value'} over ${xLabel} and ${yLabel}, interpolated between ${points.length} trials`,
      );
      const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
      const x = (xLog ? d3.scaleLog() : d3.scaleLinear()).domain(grid.x).range([0, w]);
      const y = (yLog ? d3.scaleLog() : d3.scaleLinear()).domain(grid.y).range([height, 0]);
      const [lo, hi] = d3.extent(grid.values);
      const color = d3.scaleSequential(interpolator).domain([lo, hi]);
      // The lowest band starts at the minimum: every cell is inside some band (no hole shows the card).
      const thresholds = [lo, ...d3.ticks(lo, hi, 12).filter((t) => t > lo)];
      // Contour coordinates count grid cells, a value at each cell's centre (i + 0.5).
      const sx = (cx) => ((cx - 0.5) / (nx - 1)) * w;
      const sy = (cy) => height - ((cy - 0.5) / (ny - 1)) * height;
      const path = d3.geoPath(
        d3.geoTransform({
          point(px, py) {
            this.stream.point(sx(px), sy(py));
          },
        }),
      );
      const clip = `clip-${Math.random().toString(36).slice(2, 8)}`;
      svg
        .append('defs')
        .append('clipPath')
        .attr('id', clip)
        .append('rect')
        .attr('width', w)
        .attr('height', height);
      g.append('g')
        .attr('class', 'contour-bands')
        .attr('clip-path', `url(#${clip})`)
        .selectAll('path')
        .data(d3.contours().size([nx, ny]).thresholds(thresholds)(Array.from(grid.values)))
        .join('path')
        .attr('class', 'contour-band')
        .attr('d', path)
        .attr('fill', (c) => color(c.value))
        .attr('stroke', 'rgba(15, 23, 42, 0.25)')
        .attr('stroke-width', 0.5);
      g.append('g')
        .attr('class', 'axis')
        .attr('transform', `translate(0,${height})`)
        .attr('data-scale', xLog ? 'log' : 'linear')
        .call(axis(d3.axisBottom(x), xLog, Math.max(2, Math.floor(w / 80))));
      g.append('g')
        .attr('class', 'axis')
        .attr('data-scale', yLog ? 'log' : 'linear')
        .call(axis(d3.axisLeft(y), yLog, 5));
      axisLabels(g, {
        width: w,
        height: height,
        marginLeft: margin.left,
        x: `${xLabel}${xLog ? ' (log)' : ''}`,
        y: `${yLabel}${yLog ? ' (log)' : ''}`,
      });
      const fmt = d3.format('.4~g');
      g.append('g')
        .attr('class', 'contour-trials')
        .selectAll('circle')
        .data(points.filter((p) => [p.x, p.y, p.v].every(Number.isFinite)))
        .join('circle')
        .attr('cx', (p) => x(p.x))
        .attr('cy', (p) => y(p.y))
        .attr('r', 3.5)
        .attr('fill', '#0f172a')
        .attr('stroke', '#fff')
        .attr('stroke-width', 1)
        .on('mousemove', (event, p) =>
          showTooltip(
            event,
            p.html ??
              `<table><tr><th>${esc(xLabel)}</th><td>${esc(fmt(p.x))}</td></tr><tr><th>${esc(yLabel)}</th><td>${esc(fmt(p.y))}</td></tr><tr><th>${esc(valueLabel)}</th><td>${esc(fmt(p.v))}</td></tr></table>`,
          ),
        )
        .on('mouseleave', hideTooltip);
      // Colour ramp legend.
      const lg = g.append('g').attr('transform', `translate(${w + 18},0)`);
      colorRamp(svg, lg, { height, domain: [lo, hi], interpolator, tickFormat: compact, label: valueLabel });
    });
  }
  for (const [name, get, set] of [
    ['width', () => width, (v) => (width = +v)],
    ['height', () => height, (v) => (height = +v)],
    ['xLabel', () => xLabel, (v) => (xLabel = v)],
    ['yLabel', () => yLabel, (v) => (yLabel = v)],
    ['valueLabel', () => valueLabel, (v) => (valueLabel = v)],
    ['xLog', () => xLog, (v) => (xLog = !!v)],
    ['yLog', () => yLog, (v) => (yLog = !!v)],
    ['interpolator', () => interpolator, (v) => (interpolator = v)],
  ])
    chart[name] = function (_) {
      return arguments.length ? (set(_), chart) : get();
    };
  return chart;
}

// Large values with an SI suffix (208k, not 208000): the ramp's labels fit beside it.
const compact = (v) => (Math.abs(v) >= 1e4 ? d3.format('.3~s')(v) : d3.format('~g')(v));

function axis(a, log, count) {
  const f = d3.format('~g');
  return log ? a.tickValues(logTicks(a.scale().domain())).tickFormat(f) : a.ticks(count).tickFormat(f);
}
