import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';

/**
 * Lines over a shared x axis (reusable chart), with a legend, labelled axes and a hover rule that
 * reads every series at the nearest x.
 *
 *   lineChart().width(600).height(240).xLabel('time (s)').yLabel('busy threads (%)').yFormat(fmt)
 *     (d3.select(el).datum({ series: [{ key, label, points: [{x, y}], color?, dash? }], refs: [{ y, label }] }))
 */
export function lineChart() {
  let width = 600;
  let height = 240;
  let title = '';
  let xLabel = '';
  let yLabel = '';
  let xFormat = d3.format('~g');
  let yFormat = d3.format('~g');
  let yDomain = null;
  let xDomain = null;
  let curve = d3.curveMonotoneX;
  let color = d3.scaleOrdinal(d3.schemeTableau10);
  const margin = { top: 8, right: 18, bottom: 42, left: 58 };

  function chart(selection) {
    selection.each(function (data) {
      const root = d3.select(this);
      root.selectAll('*').remove();
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
        `${title || 'Line chart'}: ${series.map((s) => s.label ?? s.key).join('; ')}${refs.length ? `; reference ${refs.map((r) => r.label).join(', ')}` : ''}`,
      );
      const lg = svg.append('g').attr('transform', `translate(${margin.left},10)`);
      leg(lg);
      const top = leg.height() + 12 + margin.top;
      svg.attr('height', top + height + margin.bottom);
      const w = width - margin.left - margin.right;
      const all = series.flatMap((s) => s.points);
      const x = d3
        .scaleLinear()
        .domain(xDomain ?? d3.extent(all, (p) => p.x))
        .range([0, w]);
      const yMax = d3.max([...all.map((p) => p.y), ...refs.map((r) => r.y)].filter(Number.isFinite)) ?? 1;
      const y = d3
        .scaleLinear()
        .domain(yDomain ?? [0, yMax > 0 ? yMax * 1.08 : 1])
        .nice()
        .range([height, 0]);
      const g = svg.append('g').attr('transform', `translate(${margin.left},${top})`);
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
      g.append('g').attr('class', 'axis').call(d3.axisLeft(y).ticks(5).tickFormat(yFormat));
      g.append('text')
        .attr('class', 'axis-label')
        .attr('x', w / 2)
        .attr('y', height + 36)
        .attr('text-anchor', 'middle')
        .text(xLabel);
      g.append('text')
        .attr('class', 'axis-label')
        .attr('transform', 'rotate(-90)')
        .attr('x', -height / 2)
        .attr('y', -margin.left + 14)
        .attr('text-anchor', 'middle')
        .text(yLabel);
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
      g.selectAll('path.series')
        .data(series)
        .join('path')
        .attr('class', 'series')
        .attr('fill', 'none')
        .attr('stroke', (s) => s.color ?? color(s.key))
        .attr('stroke-width', 2)
        .attr('stroke-dasharray', (s) => (s.dash ? '6,4' : null))
        .attr('d', (s) => line(s.points));

      // Hover: a vertical rule and every series' value at the nearest x.
      const rule = g
        .append('line')
        .attr('class', 'hover-rule')
        .attr('y1', 0)
        .attr('y2', height)
        .style('display', 'none');
      g.append('rect')
        .attr('class', 'hover-surface')
        .attr('width', w)
        .attr('height', height)
        .on('mousemove', (event) => {
          const [mx] = d3.pointer(event);
          const xv = x.invert(mx);
          rule.style('display', null).attr('x1', mx).attr('x2', mx);
          const rows = series.map((s) => {
            const i = d3.minIndex(s.points, (p) => Math.abs(p.x - xv));
            const p = s.points[i];
            return `<tr><th><span class="swatch" style="background:${s.color ?? color(s.key)}"></span>${esc(s.label)}</th><td>${esc(p ? yFormat(p.y) : '—')}</td></tr>`;
          });
          showTooltip(
            event,
            `<div class="tt-title">${esc(xLabel)}: ${esc(xFormat(xv))}</div><table>${rows.join('')}</table>`,
          );
        })
        .on('mouseleave', () => {
          rule.style('display', 'none');
          hideTooltip();
        });
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
  chart.xDomain = function (_) {
    return arguments.length ? ((xDomain = _), chart) : xDomain;
  };
  chart.yDomain = function (_) {
    return arguments.length ? ((yDomain = _), chart) : yDomain;
  };
  chart.curve = function (_) {
    return arguments.length ? ((curve = _), chart) : curve;
  };
  chart.color = function (_) {
    return arguments.length ? ((color = _), chart) : color;
  };
  return chart;
}
