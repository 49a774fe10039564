import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';

/**
 * Horizontal bars, grouped by category, one bar per series (reusable chart), e.g. the mean utilization
 * of each pool in two runs.
 *
 *   bars().width(600).xLabel('mean utilization (%)').format(fmt)
 *     (d3.select(el).datum({ categories: ['http', …], series: [{ key, label, values: [v, …], errors?: [±e, …] }] }))
 */
export function bars() {
  let width = 600;
  let barH = 14;
  let xLabel = '';
  let title = '';
  let format = d3.format('.1%');
  let xMax = null;
  let color = d3.scaleOrdinal(['#2563eb', '#f59e0b', '#10b981', '#ef4444']);
  const margin = { top: 8, right: 70, bottom: 42, left: 150 };

  function chart(selection) {
    selection.each(function ({ categories, series }) {
      const root = d3.select(this);
      root.selectAll('*').remove();
      if (title) root.append('h3').attr('class', 'chart-title').text(title);
      if (!categories.length) {
        root.append('p').attr('class', 'empty').text('No data.');
        return;
      }
      const leg = legend()
        .width(width - margin.left)
        .items(
          series.length > 1 ? series.map((s) => ({ label: s.label, color: s.color ?? color(s.key) })) : [],
        );
      const svg = root.append('svg').attr('width', width);
      describeChart(
        svg,
        `${title || 'Bar chart'}: ${series.map((s) => s.label ?? s.key).join(', ')} for ${categories.length} categor${categories.length === 1 ? 'y' : 'ies'} (${categories.join(', ')})`,
      );
      const lg = svg.append('g').attr('transform', `translate(${margin.left},10)`);
      leg(lg);
      const top = (leg.height() ? leg.height() + 12 : 0) + margin.top;
      const groupH = series.length * barH + 10;
      const h = categories.length * groupH;
      svg.attr('height', top + h + margin.bottom);
      const w = width - margin.left - margin.right;
      const max =
        xMax ??
        d3.max(
          series
            .flatMap((s) => s.values.map((v, i) => v + (Number.isFinite(s.errors?.[i]) ? s.errors[i] : 0)))
            .filter(Number.isFinite),
        ) ??
        1;
      const x = d3
        .scaleLinear()
        .domain([0, max > 0 ? max : 1])
        .nice()
        .range([0, w]);
      const g = svg.append('g').attr('transform', `translate(${margin.left},${top})`);
      g.append('g')
        .attr('class', 'grid')
        .attr('transform', `translate(0,${h})`)
        .call(d3.axisBottom(x).ticks(5).tickSize(-h).tickFormat(''));
      g.append('g')
        .attr('class', 'axis')
        .attr('transform', `translate(0,${h})`)
        .call(d3.axisBottom(x).ticks(5).tickFormat(format));
      g.append('text')
        .attr('class', 'axis-label')
        .attr('x', w / 2)
        .attr('y', h + 36)
        .attr('text-anchor', 'middle')
        .text(xLabel);
      categories.forEach((c, ci) => {
        const y0 = ci * groupH + 5;
        g.append('text')
          .attr('class', 'bar-category')
          .attr('x', -8)
          .attr('y', y0 + (series.length * barH) / 2)
          .attr('dy', '0.35em')
          .attr('text-anchor', 'end')
          .text(c);
        series.forEach((s, si) => {
          const v = s.values[ci];
          const ok = Number.isFinite(v);
          g.append('rect')
            .attr('class', 'bar')
            .attr('x', 0)
            .attr('y', y0 + si * barH)
            .attr('height', barH - 2)
            .attr('width', ok ? Math.max(0, x(v)) : 0)
            .attr('fill', s.color ?? color(s.key))
            .on('mousemove', (event) =>
              showTooltip(
                event,
                `<div class="tt-title">${esc(c)}</div><table><tr><th>${esc(s.label)}</th><td>${esc(ok ? format(v) : '—')}${Number.isFinite(s.errors?.[ci]) ? ` ± ${esc(format(s.errors[ci]))}` : ''}</td></tr></table>`,
              ),
            )
            .on('mouseleave', hideTooltip);
          const e = s.errors?.[ci];
          if (ok && Number.isFinite(e) && e > 0) {
            const yy = y0 + si * barH + (barH - 2) / 2;
            g.append('path')
              .attr('class', 'whisker')
              .attr(
                'd',
                `M${x(Math.max(x.domain()[0], v - e))},${yy}H${x(Math.min(x.domain()[1], v + e))}M${x(Math.max(x.domain()[0], v - e))},${yy - 3}v6M${x(Math.min(x.domain()[1], v + e))},${yy - 3}v6`,
              );
          }
          g.append('text')
            .attr('class', 'bar-value')
            .attr('x', (ok ? x(Number.isFinite(e) ? Math.min(x.domain()[1], v + e) : v) : 0) + 4)
            .attr('y', y0 + si * barH + (barH - 2) / 2)
            .attr('dy', '0.35em')
            .text(ok ? format(v) : '—');
        });
      });
    });
  }

  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  chart.barHeight = function (_) {
    return arguments.length ? ((barH = +_), chart) : barH;
  };
  chart.xLabel = function (_) {
    return arguments.length ? ((xLabel = _), chart) : xLabel;
  };
  chart.title = function (_) {
    return arguments.length ? ((title = _), chart) : title;
  };
  chart.format = function (_) {
    return arguments.length ? ((format = _), chart) : format;
  };
  chart.xMax = function (_) {
    return arguments.length ? ((xMax = _), chart) : xMax;
  };
  chart.color = function (_) {
    return arguments.length ? ((color = _), chart) : color;
  };
  return chart;
}
