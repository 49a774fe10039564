import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { groupMarkers, groupsNear, markerTime, placeLabels } from '../lib/event-markers.js';
import { hideTooltip, showTooltip } from './tooltip.js';

/** Height of one row of event labels above a plot, px. */
export const EVENT_ROW_PX = 13;

/**
 * A run's events on a chart over time: one vertical rule per group of markers that fall on the same
 * pixels (coloured by category, style.css `.event-*`), and above the plot a flag per rule with a short
 * label where it fits (lib/event-markers.js placeLabels); hovering a flag shows what happened when.
 * The rules let the pointer through (the crosshair and the brush stay usable); the crosshair's tooltip
 * lists the events under it (eventRows). Returns the groups drawn.
 *
 *   eventRules({ plot, strip, x, width, height, markers: describeMarkers(dynamics.markers), rows: 2 })
 */
export function eventRules({ plot, strip, x, width, height, markers, rows = 2 }) {
  const groups = placeLabels(groupMarkers(markers, x, { width }), { width, rows });
  plot
    .append('g')
    .attr('class', 'event-rules')
    .selectAll('line')
    .data(groups)
    .join('line')
    .attr('class', (g) => `event-rule event-${g.category}`)
    .attr('x1', (g) => g.x)
    .attr('x2', (g) => g.x)
    .attr('y1', 0)
    .attr('y2', height)
    .attr('data-t', (g) => g.t)
    .attr('data-count', (g) => g.markers.length)
    .attr('data-kinds', (g) => g.markers.map((m) => m.kind).join(' '));
  const stripH = rows * EVENT_ROW_PX + 8;
  const flags = strip
    .attr('class', 'event-flags')
    .selectAll('g')
    .data(groups)
    .join('g')
    .attr('class', (g) => `event-flag event-${g.category}`)
    .attr('data-count', (g) => g.markers.length);
  // What the pointer finds: the label's box, or a few pixels around the flag when the label is left out.
  flags
    .append('rect')
    .attr('class', 'event-hit')
    .attr('x', (g) => (g.row >= 0 ? Math.min(g.x - 5, g.x0) : g.x - 5))
    .attr('width', (g) => (g.row >= 0 ? Math.max(g.x + 5, g.x1) - Math.min(g.x - 5, g.x0) : 10))
    .attr('y', (g) => (g.row >= 0 ? g.row * EVENT_ROW_PX : stripH - 10))
    .attr('height', (g) => (g.row >= 0 ? stripH - g.row * EVENT_ROW_PX : 10));
  flags
    .append('path')
    .attr('class', 'event-tick')
    .attr('d', (g) => `M${g.x - 4},${stripH - 7}h8l-4,6z`);
  flags
    .filter((g) => g.row >= 0)
    .append('text')
    .attr('class', 'event-label')
    .attr('x', (g) => (g.anchor === 'start' ? g.x0 : g.x1))
    .attr('y', (g) => g.row * EVENT_ROW_PX + 10)
    .attr('text-anchor', (g) => g.anchor)
    .text((g) => g.label);
  flags
    .on('mousemove', (event, g) => showTooltip(event, eventTooltip(g.markers)))
    .on('mouseleave', () => hideTooltip());
  return groups;
}

/** Tooltip rows (HTML) for the events whose rule is near pixel `px`: what the crosshair adds to its tooltip. */
export function eventRows(groups, px) {
  const near = groupsNear(groups, px).flatMap((g) => g.markers);
  return near.length ? `<div class="tt-desc">Events here:</div>${table(near)}` : '';
}

/** A group's tooltip: when, then each event's kind and what it did. */
function eventTooltip(markers) {
  const [a, b] = d3.extent(markers, (m) => m.t);
  const when = a === b ? `t = ${markerTime(a)}` : `t = ${markerTime(a)} to ${markerTime(b)}`;
  return `<div class="tt-title">${markers.length === 1 ? 'Event' : `${markers.length} events`} at ${esc(when)}</div>${table(markers)}`;
}

const SHOWN = 10;

function table(markers) {
  const rows = markers
    .slice(0, SHOWN)
    .map(
      (m) =>
        `<tr><th><span class="swatch event-swatch event-${m.category}"></span>${esc(m.kind)}</th><td>${esc(m.what)} <span class="tt-time">· ${esc(markerTime(m.t))}</span></td></tr>`,
    );
  const more = markers.length - SHOWN;
  return `<table>${rows.join('')}${more > 0 ? `<tr><td colspan="2">… and ${more} more</td></tr>` : ''}</table>`;
}
