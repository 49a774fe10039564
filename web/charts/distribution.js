import d3 from '../vendor-d3.js';
import { esc, percent, seconds } from '../format.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';
import { axisLabels } from './axis-labels.js';

const MARKER_COLOR = { p50: '#0f766e', p95: '#7c3aed', p99: '#be185d' };

/**
 * Response-time histogram (bars, left axis: share of requests per bin) with its CDF (line, right axis:
 * cumulative share), percentile markers and the abandonment threshold (reusable chart).
 *
 *   distribution().width(900).height(360)(d3.select(el).datum({ bins, cdf, count, markers: [{key, value, label}], threshold: {value, label} }))
 */
export function distribution() {
  let width = 900;
  let height = 360;
  let xLabel = 'response time (s)';
  const margin = { top: 46, right: 64, bottom: 44, left: 64 };

  function chart(selection) {
    selection.each(function (data) {
      const root = d3.select(this);
      root.selectAll('*').remove();
      const { bins, cdf, count, markers = [], threshold } = data;
      if (!count) {
        root.append('p').attr('class', 'empty').text('No completed requests in this run.');
        return;
      }
      const leg = legend()
        .width(width - margin.left)
        .items([
          { label: `requests per bin (${data.sourceLabel})`, color: '#93c5fd', stroke: '#3b82f6' },
          { label: 'cumulative share (CDF)', color: '#1e3a8a', shape: 'line' },
          ...markers.map((m) => ({
            label: m.legend,
            color: MARKER_COLOR[m.key] ?? '#334155',
            shape: 'line',
          })),
          ...(threshold ? [{ label: threshold.legend, color: '#dc2626', shape: 'dash' }] : []),
        ]);
      const svg = root.append('svg').attr('class', 'distribution-chart').attr('width', width);
      describeChart(
        svg,
        `Response-time histogram and cumulative distribution of ${data.sourceLabel}; ${markers.map((m) => m.label).join(', ')}${threshold ? `; ${threshold.label}` : ''}`,
      );
      const lg = svg.append('g').attr('transform', `translate(${margin.left},10)`);
      leg(lg);
      const top = leg.height() + 10 + margin.top;
      svg.attr('height', top + height + margin.bottom);
      const w = width - margin.left - margin.right;
      const g = svg.append('g').attr('transform', `translate(${margin.left},${top})`);
      const x = d3
        .scaleLinear()
        .domain([0, bins.at(-1).x1])
        .range([0, w]);
      const yH = d3
        .scaleLinear()
        .domain([0, (d3.max(bins, (b) => b.count) / count) * 1.1 || 1])
        .nice()
        .range([height, 0]);
      const yC = d3.scaleLinear().domain([0, 1]).range([height, 0]);

      g.append('g').attr('class', 'grid').call(d3.axisLeft(yC).ticks(5).tickSize(-w).tickFormat(''));
      g.append('g')
        .attr('class', 'axis')
        .attr('transform', `translate(0,${height})`)
        .call(
          d3
            .axisBottom(x)
            .ticks(Math.floor(w / 70))
            .tickFormat(d3.format('~g')),
        );
      g.append('g')
        .attr('class', 'axis')
        .call(d3.axisLeft(yH).ticks(5).tickFormat(d3.format('.1~%')));
      g.append('g')
        .attr('class', 'axis')
        .attr('transform', `translate(${w},0)`)
        .call(d3.axisRight(yC).ticks(5).tickFormat(d3.format('.0%')));
      axisLabels(g, {
        width: w,
        height: height,
        marginLeft: margin.left,
        x: xLabel,
        y: 'share of requests per bin (%)',
      });
      g.append('text')
        .attr('class', 'axis-label')
        .attr('transform', 'rotate(90)')
        .attr('x', height / 2)
        .attr('y', -w - margin.right + 16)
        .attr('text-anchor', 'middle')
        .text('cumulative share of requests (%)');

      g.append('g')
        .attr('class', 'bins')
        .selectAll('rect')
        .data(bins)
        .join('rect')
        .attr('x', (b) => x(b.x0) + 0.5)
        .attr('width', (b) => Math.max(0.5, x(b.x1) - x(b.x0) - 1))
        .attr('y', (b) => yH(b.count / count))
        .attr('height', (b) => height - yH(b.count / count))
        .on('mousemove', (event, b) =>
          showTooltip(
            event,
            `<div class="tt-title">${seconds(b.x0)} – ${seconds(b.x1)}</div><table><tr><th>requests</th><td>${b.count.toLocaleString('en-US')}</td></tr><tr><th>share</th><td>${percent(b.count / count, 2)}</td></tr></table>`,
          ),
        )
        .on('mouseleave', hideTooltip);

      const clipped = cdf.filter((p) => p.x <= x.domain()[1]);
      const last = cdf.find((p) => p.x > x.domain()[1]);
      g.append('path')
        .attr('class', 'cdf')
        .attr('fill', 'none')
        .attr('stroke', '#1e3a8a')
        .attr('stroke-width', 2)
        .attr(
          'd',
          d3
            .line()
            .curve(d3.curveStepAfter)
            .x((p) => x(p.x))
            .y((p) => yC(p.p))([
            ...clipped,
            ...(last ? [{ x: x.domain()[1], p: clipped.at(-1)?.p ?? 0 }] : []),
          ]),
        );

      // Vertical lines with labels on up to three levels, so that close values do not overlap.
      const lines = [
        ...markers.map((m) => ({
          ...m,
          cls: 'marker',
          colour: MARKER_COLOR[m.key] ?? '#334155',
          dash: null,
        })),
        ...(threshold
          ? [{ ...threshold, key: 'threshold', cls: 'threshold', colour: '#dc2626', dash: '6,4' }]
          : []),
      ].sort((a, b) => a.value - b.value);
      const levelEnds = [];
      for (const l of lines) {
        const px = x(l.value);
        const half = (l.label.length * 6.6) / 2 + 4;
        let level = levelEnds.findIndex((end) => end < px - half);
        if (level < 0) level = Math.min(levelEnds.length, 2);
        levelEnds[level] = px + half;
        const anchor = px + half > w + margin.right ? 'end' : px - half < -margin.left ? 'start' : 'middle';
        const m = g
          .append('g')
          .attr('class', l.cls)
          .attr('transform', `translate(${px},0)`)
          .attr('data-value', String(l.value));
        if (l.cls === 'marker') m.attr('data-key', l.key);
        m.append('line')
          .attr('y1', -6 - 14 * level)
          .attr('y2', height)
          .attr('stroke', l.colour)
          .attr('stroke-width', 2)
          .attr('stroke-dasharray', l.dash);
        m.append('text')
          .attr('class', 'marker-label')
          .attr('y', -9 - 14 * level)
          .attr('text-anchor', anchor)
          .attr('fill', l.colour)
          .text(l.label);
        m.on('mousemove', (event) =>
          showTooltip(event, `<div class="tt-title">${esc(l.legend)}</div>${esc(l.detail ?? '')}`),
        ).on('mouseleave', hideTooltip);
      }
      if (data.beyond > 0) {
        g.append('text')
          .attr('class', 'note-label')
          .attr('x', w - 4)
          .attr('y', height - 8)
          .attr('text-anchor', 'end')
          .text(
            `${data.beyond.toLocaleString('en-US')} request${data.beyond === 1 ? '' : 's'} beyond ${seconds(x.domain()[1])} not drawn`,
          );
      }
    });
  }

  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  chart.height = function (_) {
    return arguments.length ? ((height = +_), chart) : height;
  };
  chart.xLabel = function (_) {
    return arguments.length ? ((xLabel = _), chart) : xLabel;
  };
  return chart;
}
