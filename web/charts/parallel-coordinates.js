import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { describeChart } from '../lib/a11y.js';
import { logTicks } from '../lib/log-scale.js';
import { hideTooltip, showTooltip } from './tooltip.js';

/**
 * Parallel coordinates (reusable chart): one vertical axis per dimension, one unfilled polyline per row,
 * coloured by the last dimension (the metric); hover a line to read it. Drag along an axis to keep only
 * the rows within that range (a brush per axis; several brushes combine; click an axis to clear its own):
 * the other lines are greyed and `onFilter(rows)` gets the rows kept, e.g. to filter a table.
 * From the keyboard: Tab to an axis, Up or Down selects a range on it (the middle half) or moves the
 * one there, Shift with Up/Down widens/narrows it, Escape clears it; each change is said in a live
 * region (`.pc-status`). A dimension with `log: true` is drawn on a log axis.
 *
 *   parallelCoordinates().width(900).height(320).onFilter((rows) => …)
 *     (d3.select(el).datum({ dims: [{ key, label, log? }], rows: [{ key: value, …, feasible? }] }))
 */
export function parallelCoordinates() {
  let width = 900;
  let height = 320;
  // The ramp's palest quarter left out: those lines would vanish on a white card.
  let interpolator = (t) => d3.interpolateYlOrRd(0.25 + 0.75 * t);
  let onFilter = null;
  /** Ranges kept per dimension key, [lo, hi] in its values: they survive a redraw (another metric). */
  const ranges = new Map();
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
        `Parallel coordinates: ${rows.length} configurations over ${dims.length} axes (${dims.map((d) => d.label).join(', ')}); drag along an axis to filter`,
      );
      const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
      // Read out by screen readers when a brush changes from the keyboard (or the mouse).
      const status = root
        .append('p')
        .attr('class', 'pc-status sr-only')
        .attr('role', 'status')
        .attr('aria-live', 'polite');
      const x = d3
        .scalePoint()
        .domain(dims.map((d) => d.key))
        .range([0, w]);
      const y = new Map(
        dims.map((d) => {
          const values = rows.map((r) => r[d.key]).filter((v) => Number.isFinite(v) && (!d.log || v > 0));
          const s = (d.log ? d3.scaleLog() : d3.scaleLinear()).domain(d3.extent(values)).range([height, 0]);
          return [d.key, d.log ? s : s.nice()];
        }),
      );
      for (const k of [...ranges.keys()]) if (!y.has(k)) ranges.delete(k);
      const metric = dims.at(-1).key;
      const color = d3.scaleSequential(interpolator).domain(d3.extent(rows, (r) => r[metric]));
      const line = (r) =>
        d3.line().defined((p) => Number.isFinite(p[1]))(dims.map((d) => [x(d.key), y.get(d.key)(r[d.key])]));
      const paths = g
        .append('g')
        .attr('class', 'pc-lines')
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
      const kept = (r) =>
        [...ranges].every(([k, [lo, hi]]) => Number.isFinite(r[k]) && r[k] >= lo && r[k] <= hi);
      const fmt = d3.format('.3~g');
      const apply = (changed) => {
        const shown = rows.filter(kept);
        const set = new Set(shown);
        paths.classed('pc-out', (r) => !set.has(r));
        // The kept lines drawn over the greyed ones.
        paths.filter((r) => set.has(r)).raise();
        svg.attr('data-shown', shown.length);
        // The range kept on each axis, as values (for tests and scripts).
        g.selectAll('g.axis').attr('data-range', function () {
          const r = ranges.get(this.dataset.key);
          return r ? r.join(',') : null;
        });
        if (changed) {
          const r = ranges.get(changed.key);
          status.text(
            `${changed.label}: ${r ? `from ${fmt(r[0])} to ${fmt(r[1])}` : 'no range'}; ${shown.length} of ${rows.length} configurations kept`,
          );
        }
        onFilter?.(shown);
      };
      dims.forEach((d, i) => {
        const scale = y.get(d.key);
        const a = g
          .append('g')
          .attr('class', 'axis')
          .attr('data-key', d.key)
          .attr('data-scale', d.log ? 'log' : 'linear')
          .attr('transform', `translate(${x(d.key)},0)`)
          .attr('tabindex', 0)
          .attr('role', 'group')
          .attr(
            'aria-label',
            `${d.label} axis: Up and Down select or move a range, Shift+Up/Down widen or narrow it, Escape clears it`,
          )
          .call(axisOf(scale, integral(rows, d.key), d.log));
        a.append('text')
          .attr('class', 'axis-label')
          .attr('y', -12)
          // The outer labels grow inwards: centred, a long one would be cut at the chart's edge.
          .attr(
            'text-anchor',
            i === 0 && dims.length > 1 ? 'start' : i === dims.length - 1 ? 'end' : 'middle',
          )
          .attr('fill', '#334155')
          .text(`${d.label}${d.log ? ' (log)' : ''}`);
        const brush = d3
          .brushY()
          .extent([
            [-11, 0],
            [11, height],
          ])
          .on('brush end', (event) => {
            if (!event.sourceEvent) return; // moved by the code below, not by the user
            if (event.selection) {
              const [hi, lo] = event.selection.map((p) => scale.invert(p));
              ranges.set(d.key, [lo, hi]);
            } else ranges.delete(d.key);
            apply(event.type === 'end' ? d : null);
          });
        const b = a.append('g').attr('class', 'pc-brush').call(brush);
        const r = ranges.get(d.key);
        if (r) b.call(brush.move, [scale(r[1]), scale(r[0])]);
        a.on('keydown', (event) => {
          const sel = keyedSelection(event, d3.brushSelection(b.node()), height);
          if (sel === undefined) return;
          event.preventDefault();
          if (sel) {
            const [hi, lo] = sel.map((p) => scale.invert(p));
            ranges.set(d.key, [lo, hi]);
          } else ranges.delete(d.key);
          b.call(brush.move, sel); // no sourceEvent: the brush handler leaves it to this one
          apply(d);
        });
      });
      apply();
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
  chart.onFilter = function (_) {
    return arguments.length ? ((onFilter = _), chart) : onFilter;
  };
  /** The ranges kept, as [key, [lo, hi]] pairs. */
  chart.ranges = () => [...ranges].map(([k, r]) => [k, [...r]]);
  return chart;
}

/** A brush's pixel step for one key press: a twentieth of the axis. */
const KEY_STEP = 1 / 20;

/**
 * The brush selection [top, bottom] (pixels, 0 at the top of an axis of `height`) after a key press on
 * its axis, null to clear it, undefined when the key does nothing: an arrow starts with the middle half,
 * Up/Down move it, Shift+Up/Down widen/narrow it (about its middle), Escape clears it.
 */
export function keyedSelection(event, sel, height) {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  if (event.key === 'Escape') return sel ? null : undefined;
  if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return undefined;
  if (!sel) return [height / 4, (3 * height) / 4];
  const step = height * KEY_STEP;
  let [y0, y1] = sel;
  const up = event.key === 'ArrowUp';
  if (event.shiftKey) {
    const grow = up ? step / 2 : -step / 2;
    if (y1 - y0 + 2 * grow < step) return undefined; // narrower than a step: kept
    [y0, y1] = [Math.max(0, y0 - grow), Math.min(height, y1 + grow)];
  } else {
    const move = up ? -Math.min(step, y0) : Math.min(step, height - y1);
    [y0, y1] = [y0 + move, y1 + move];
  }
  return [y0, y1];
}

// A parameter that only takes whole values (replicas, threads) gets whole ticks: 1.2 replicas would mislead.
function axisOf(scale, wholeOnly, log) {
  // Large values with an SI suffix (208k, not 208000): the labels stay clear of the next axis.
  const axis = d3
    .axisLeft(scale)
    .tickFormat((v) => (Math.abs(v) >= 1e4 ? d3.format('.3~s')(v) : d3.format('~g')(v)));
  if (log) return axis.tickValues(logTicks(scale.domain()));
  return wholeOnly ? axis.tickValues(scale.ticks(5).filter(Number.isInteger)) : axis.ticks(5);
}

function integral(rows, key) {
  return rows.every((r) => Number.isInteger(r[key]));
}
