import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { describeChart } from '../lib/a11y.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';

/**
 * Prediction intervals against measurements (reusable chart): one row per configuration, its interval
 * drawn as a band with the point prediction as a tick, the measured value as a dot, green inside the
 * band and red outside. `.relative(true)` draws each row relative to its point prediction (value/point − 1),
 * so that configurations an order of magnitude apart are read on one axis. A row with `outerLo`/`outerHi`
 * also gets a wider, paler band behind (`.outerLabel()`): e.g. the interval of a measurement around the
 * twin's interval; the dot's colour still says inside or outside the inner band.
 *
 *   intervals().width(600).xLabel('mean response time (s)').levelLabel('90 % prediction interval')
 *     (d3.select(el).datum({ rows: [{ name, lo, hi, point, measured }] }))
 */
export function intervals() {
  let width = 600;
  let xLabel = '';
  let title = '';
  let levelLabel = 'prediction interval';
  let relative = false;
  let outerLabel = 'wider interval';
  const rowH = 26;
  const margin = { top: 8, right: 24, bottom: 42, left: 120 };

  function chart(selection) {
    selection.each(function ({ rows }) {
      const root = d3.select(this);
      root.selectAll('*').remove();
      if (title) root.append('h3').attr('class', 'chart-title').text(title);
      const ok = rows.filter(
        (r) => [r.lo, r.hi, r.measured].every(Number.isFinite) && (!relative || r.point > 0),
      );
      if (!ok.length) {
        root.append('p').attr('class', 'empty').text('No data.');
        return;
      }
      const inside = (r) => r.measured >= r.lo && r.measured <= r.hi;
      const svg = root.append('svg').attr('class', 'intervals-chart').attr('width', width);
      describeChart(
        svg,
        `${title || 'Prediction intervals'}: ${ok.filter(inside).length} of ${ok.length} measured values inside their ${levelLabel}`,
      );
      const hasOuter = (r) => Number.isFinite(r.outerLo) && Number.isFinite(r.outerHi);
      const anyOuter = ok.some(hasOuter);
      const leg = legend()
        .width(width - margin.left)
        .items([
          ...(anyOuter ? [{ label: outerLabel, color: '#dbeafe' }] : []),
          { label: levelLabel, color: '#93c5fd' },
          { label: 'point prediction', color: '#1d4ed8', shape: 'line' },
          { label: 'measured, inside', color: '#15803d' },
          { label: 'measured, outside', color: '#dc2626' },
        ]);
      leg(svg.append('g').attr('transform', `translate(${margin.left},10)`));
      const top = leg.height() + 12 + margin.top;
      const h = ok.length * rowH;
      svg.attr('height', top + h + margin.bottom);
      const w = width - margin.left - margin.right;
      // Positions: absolute, or relative to the row's point prediction.
      const at = (r, v) => (relative ? v / r.point - 1 : v);
      const [x0, x1] = d3.extent(
        ok
          .flatMap((r) => [r.lo, r.hi, r.measured, r.point, r.outerLo, r.outerHi].map((v) => at(r, v)))
          .filter(Number.isFinite),
      );
      const pad = (x1 - x0) * 0.06 || Math.abs(x1) * 0.05 || 1;
      const x = d3
        .scaleLinear()
        .domain([x0 - pad, x1 + pad])
        .nice()
        .range([0, w]);
      const y = d3
        .scaleBand()
        .domain(ok.map((r) => r.name))
        .range([0, h])
        .padding(0.25);
      const g = svg.append('g').attr('transform', `translate(${margin.left},${top})`);
      g.append('g')
        .attr('class', 'grid')
        .attr('transform', `translate(0,${h})`)
        .call(d3.axisBottom(x).ticks(5).tickSize(-h).tickFormat(''));
      g.append('g')
        .attr('class', 'axis')
        .attr('transform', `translate(0,${h})`)
        .call(
          d3
            .axisBottom(x)
            .ticks(5)
            .tickFormat(d3.format(relative ? '+.0%' : '~g')),
        );
      g.append('g').attr('class', 'axis').call(d3.axisLeft(y).tickSize(0).tickPadding(8));
      g.append('text')
        .attr('class', 'axis-label')
        .attr('x', w / 2)
        .attr('y', h + 36)
        .attr('text-anchor', 'middle')
        .text(xLabel);
      const fmt = d3.format('.4~g');
      const row = g
        .selectAll('g.interval')
        .data(ok)
        .join('g')
        .attr('class', (r) => `interval ${inside(r) ? 'inside' : 'outside'}`)
        .attr('data-name', (r) => r.name)
        .attr('transform', (r) => `translate(0,${y(r.name)})`)
        .on('mousemove', (event, r) =>
          showTooltip(
            event,
            `<div class="tt-title">${esc(r.name)}</div><table>${hasOuter(r) ? `<tr><th>${esc(outerLabel)}</th><td>${esc(fmt(r.outerLo))} – ${esc(fmt(r.outerHi))}</td></tr>` : ''}<tr><th>${esc(levelLabel)}</th><td>${esc(fmt(r.lo))} – ${esc(fmt(r.hi))}</td></tr><tr><th>point prediction</th><td>${esc(fmt(r.point))}</td></tr><tr><th>measured</th><td>${esc(fmt(r.measured))} (${inside(r) ? 'inside' : 'outside'})</td></tr></table>`,
          ),
        )
        .on('mouseleave', hideTooltip);
      row
        .filter(hasOuter)
        .append('rect')
        .attr('class', 'outer-band')
        .attr('x', (r) => x(at(r, r.outerLo)))
        .attr('width', (r) => Math.max(1, x(at(r, r.outerHi)) - x(at(r, r.outerLo))))
        .attr('height', y.bandwidth())
        .attr('rx', 3)
        .attr('fill', '#dbeafe');
      row
        .append('rect')
        .attr('class', 'band')
        .attr('x', (r) => x(at(r, r.lo)))
        .attr('width', (r) => Math.max(1, x(at(r, r.hi)) - x(at(r, r.lo))))
        .attr('height', y.bandwidth())
        .attr('rx', 3)
        .attr('fill', '#93c5fd')
        .attr('fill-opacity', 0.55);
      row
        .filter((r) => Number.isFinite(r.point))
        .append('line')
        .attr('class', 'point')
        .attr('x1', (r) => x(at(r, r.point)))
        .attr('x2', (r) => x(at(r, r.point)))
        .attr('y2', y.bandwidth())
        .attr('stroke', '#1d4ed8')
        .attr('stroke-width', 2);
      row
        .append('circle')
        .attr('class', 'measured')
        .attr('cx', (r) => x(at(r, r.measured)))
        .attr('cy', y.bandwidth() / 2)
        .attr('r', 5)
        .attr('fill', (r) => (inside(r) ? '#15803d' : '#dc2626'))
        .attr('stroke', '#fff');
    });
  }
  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  chart.xLabel = function (_) {
    return arguments.length ? ((xLabel = _), chart) : xLabel;
  };
  chart.title = function (_) {
    return arguments.length ? ((title = _), chart) : title;
  };
  chart.relative = function (_) {
    return arguments.length ? ((relative = !!_), chart) : relative;
  };
  chart.outerLabel = function (_) {
    return arguments.length ? ((outerLabel = _), chart) : outerLabel;
  };
  chart.levelLabel = function (_) {
    return arguments.length ? ((levelLabel = _), chart) : levelLabel;
  };
  return chart;
}
