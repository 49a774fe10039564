import d3 from '../vendor-d3.js';
import { colorRamp } from './color-ramp.js';
import { esc } from '../format.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';
import { axisLabels } from './axis-labels.js';

/**
 * A heatmap over two discrete axes (reusable chart), with a colour ramp legend: e.g. a metric over a
 * two-parameter sweep. Infeasible cells are hatched.
 *
 *   heatmap().width(640).xLabel('extract threads').yLabel('simsearch threads').valueLabel('mean response time (s)')
 *     (d3.select(el).datum({ xLevels, yLevels, cells: [{ x, y, value, ci?, feasible? }] }))
 */
export function heatmap() {
  let width = 640;
  let xLabel = '';
  let yLabel = '';
  let valueLabel = '';
  let format = d3.format('.3~f');
  let interpolator = d3.interpolateYlOrRd;
  const margin = { top: 10, right: 90, bottom: 46, left: 70 };

  function chart(selection) {
    selection.each(function ({ xLevels, yLevels, cells }) {
      const root = d3.select(this);
      root.selectAll('*').remove();
      const w = width - margin.left - margin.right;
      const cell = Math.max(18, Math.min(64, Math.floor(w / xLevels.length)));
      const pw = cell * xLevels.length;
      const ph = Math.max(18, Math.min(48, cell)) * yLevels.length;
      const svg = root
        .append('svg')
        .attr('class', 'heatmap-chart')
        .attr('width', width)
        .attr('height', margin.top + ph + margin.bottom);
      describeChart(
        svg,
        `Heat map of ${valueLabel || 'the value'} over ${xLabel || 'x'} (${xLevels.length} levels) and ${yLabel || 'y'} (${yLevels.length} levels), ${cells.length} cells`,
      );
      const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
      const x = d3.scaleBand().domain(xLevels).range([0, pw]).padding(0.04);
      const y = d3
        .scaleBand()
        .domain([...yLevels].reverse())
        .range([0, ph])
        .padding(0.04);
      const values = cells.map((c) => c.value).filter(Number.isFinite);
      const color = d3.scaleSequential(interpolator).domain(d3.extent(values));
      g.append('g').attr('class', 'axis').attr('transform', `translate(0,${ph})`).call(d3.axisBottom(x));
      g.append('g').attr('class', 'axis').call(d3.axisLeft(y));
      axisLabels(g, {
        width: pw,
        height: ph,
        marginLeft: margin.left,
        x: xLabel,
        y: yLabel,
        below: 38,
        inset: 16,
      });
      const cg = g
        .selectAll('g.cell')
        .data(cells)
        .join('g')
        .attr('class', 'cell')
        .attr('transform', (c) => `translate(${x(c.x)},${y(c.y)})`);
      cg.append('rect')
        .attr('width', x.bandwidth())
        .attr('height', y.bandwidth())
        .attr('fill', (c) =>
          c.feasible === false ? 'url(#hatch)' : Number.isFinite(c.value) ? color(c.value) : '#e2e8f0',
        );
      if (x.bandwidth() >= 34 && y.bandwidth() >= 16) {
        cg.append('text')
          .attr('x', x.bandwidth() / 2)
          .attr('y', y.bandwidth() / 2)
          .attr('dy', '0.35em')
          .attr('text-anchor', 'middle')
          .attr('class', 'cell-label')
          // Inline (the page's `svg text` rule would override an attribute): white or ink, whichever
          // contrasts more with the cell.
          .style('fill', (c) =>
            Number.isFinite(c.value) && c.feasible !== false ? readableOn(color(c.value)) : '#0f172a',
          )
          .text((c) =>
            c.feasible === false ? '✕' : Number.isFinite(c.value) ? d3.format('.3~')(c.value) : '',
          );
      }
      cg.on('mousemove', (event, c) =>
        showTooltip(
          event,
          `<table><tr><th>${esc(xLabel)}</th><td>${esc(c.x)}</td></tr><tr><th>${esc(yLabel)}</th><td>${esc(c.y)}</td></tr><tr><th>${esc(valueLabel)}</th><td>${esc(format(c.value))}${c.ci ? ` ± ${esc(format(c.ci))}` : ''}</td></tr>${c.feasible === false ? '<tr><th>feasible</th><td>no</td></tr>' : ''}</table>`,
        ),
      ).on('mouseleave', hideTooltip);

      // Colour ramp legend.
      const lg = svg.append('g').attr('transform', `translate(${margin.left + pw + 24},${margin.top})`);
      const rampH = Math.max(80, ph);
      colorRamp(svg, lg, {
        height: rampH,
        domain: color.domain(),
        interpolator,
        tickFormat: d3.format('~g'),
        label: valueLabel,
      });
    });
  }
  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  chart.xLabel = function (_) {
    return arguments.length ? ((xLabel = _), chart) : xLabel;
  };
  chart.yLabel = function (_) {
    return arguments.length ? ((yLabel = _), chart) : yLabel;
  };
  chart.valueLabel = function (_) {
    return arguments.length ? ((valueLabel = _), chart) : valueLabel;
  };
  chart.format = function (_) {
    return arguments.length ? ((format = _), chart) : format;
  };
  chart.interpolator = function (_) {
    return arguments.length ? ((interpolator = _), chart) : interpolator;
  };
  return chart;
}

/** WCAG relative luminance of a CSS colour. */
function luminance(c) {
  const { r, g, b } = d3.rgb(c);
  const f = (v) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}

/** White or dark ink on `background`, whichever has the higher contrast ratio. */
export function readableOn(background) {
  const l = luminance(background);
  const onWhite = 1.05 / (l + 0.05);
  const onInk = (l + 0.05) / (luminance('#0f172a') + 0.05);
  return onWhite >= onInk ? '#fff' : '#0f172a';
}
