import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';

/**
 * Parallel coordinates (reusable chart): one vertical axis per dimension, one polyline per row,
 * coloured by the last dimension (the metric); hover a line to read it.
 *
 *   parallelCoordinates().width(900).height(320)(d3.select(el).datum({ dims: [{ key, label }], rows: [{ key: value, … }] }))
 */
export function parallelCoordinates() {
  let width = 900;
  let height = 320;
  let interpolator = d3.interpolateYlOrRd;
  const margin = { top: 34, right: 40, bottom: 16, left: 40 };

  function chart(selection) {
    selection.each(function ({ dims, rows }) {
      const root = d3.select(this);
      root.selectAll('*').remove();
      const w = width - margin.left - margin.right;
      const svg = root
        .append('svg')
        .attr('class', 'pc-chart')
        .attr('width', width)
        .attr('height', height + margin.top + margin.bottom);
      describeChart(
        svg,
        `Parallel coordinates: ${rows.length} configurations over ${dims.length} axes (${dims.map((d) => d.label).join(', ')})`,
      );
      const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
      const x = d3
        .scalePoint()
        .domain(dims.map((d) => d.key))
        .range([0, w]);
      const y = new Map(
        dims.map((d) => [
          d.key,
          d3
            .scaleLinear()
            .domain(d3.extent(rows, (r) => r[d.key]))
            .nice()
            .range([height, 0]),
        ]),
      );
      const metric = dims.at(-1).key;
      const color = d3.scaleSequential(interpolator).domain(d3.extent(rows, (r) => r[metric]));
      const line = (r) => d3.line()(dims.map((d) => [x(d.key), y.get(d.key)(r[d.key])]));
      const paths = g
        .append('g')
        .selectAll('path')
        .data(rows)
        .join('path')
        .attr('class', 'pc-line')
        .attr('d', line)
        .attr('fill', 'none')
        .attr('stroke', (r) => (r.feasible === false ? '#94a3b8' : color(r[metric])))
        .attr('stroke-dasharray', (r) => (r.feasible === false ? '3,3' : null))
        .on('mousemove', (event, r) => {
          paths.classed('dim', (o) => o !== r);
          showTooltip(
            event,
            `<table>${dims.map((d) => `<tr><th>${esc(d.label)}</th><td>${esc(d3.format('~g')(r[d.key]))}</td></tr>`).join('')}${r.feasible === false ? '<tr><th>feasible</th><td>no</td></tr>' : ''}</table>`,
          );
        })
        .on('mouseleave', () => {
          paths.classed('dim', false);
          hideTooltip();
        });
      dims.forEach((d, i) => {
        const a = g
          .append('g')
          .attr('class', 'axis')
          .attr('transform', `translate(${x(d.key)},0)`)
          .call(axisOf(y.get(d.key), integral(rows, d.key)));
        a.append('text')
          .attr('class', 'axis-label')
          .attr('y', -12)
          // The outer labels grow inwards: centred, a long one would be cut at the chart's edge.
          .attr(
            'text-anchor',
            i === 0 && dims.length > 1 ? 'start' : i === dims.length - 1 ? 'end' : 'middle',
          )
          .attr('fill', '#334155')
          .text(d.label);
      });
    });
  }
  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  chart.height = function (_) {
    return arguments.length ? ((height = +_), chart) : height;
  };
  chart.interpolator = function (_) {
    return arguments.length ? ((interpolator = _), chart) : interpolator;
  };
  return chart;
}

// A parameter that only takes whole values (replicas, threads) gets whole ticks: 1.2 replicas would mislead.
function axisOf(scale, wholeOnly) {
  const axis = d3.axisLeft(scale).tickFormat(d3.format('~g'));
  return wholeOnly ? axis.tickValues(scale.ticks(5).filter(Number.isInteger)) : axis.ticks(5);
}

function integral(rows, key) {
  return rows.every((r) => Number.isInteger(r[key]));
}
