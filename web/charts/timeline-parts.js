import d3 from '../vendor-d3.js';
import { esc, seconds } from '../format.js';
import { layoutLanes } from '../lib/lanes.js';
import { spanIndex } from '../lib/span-index.js';

// Pieces of the timeline chart that do not depend on its state: rows laid out and their labels, the hatch
// of waits, tick labels, tooltips.

/** The hatch of waiting spans (index.html's #hatch pattern) as a canvas pattern. */
export function hatchPattern(ctx) {
  const tile = document.createElement('canvas');
  tile.width = 6;
  tile.height = 6;
  const t = tile.getContext('2d');
  t.fillStyle = '#e2e8f0';
  t.fillRect(0, 0, 6, 6);
  t.strokeStyle = '#64748b';
  t.lineWidth = 1.6;
  t.beginPath();
  for (const o of [-6, 0, 6]) {
    t.moveTo(o, 6);
    t.lineTo(o + 6, 0);
  }
  t.stroke();
  return ctx.createPattern(tile, 'repeat');
}

/** Tick labels with as many decimals as the visible span needs ("300.25"). */
export function tickFormat([a, b]) {
  const step = (b - a) / 8;
  const digits = Math.max(0, Math.min(6, Math.ceil(-Math.log10(step || 1)) + 1));
  return (v) => v.toFixed(digits);
}

export function spanHtml(d) {
  if (d.merged > 1) {
    const merged = [
      ['spans', `${d.merged.toLocaleString('en-US')} merged (zoom in to see each)`],
      ['span', `${d.kind} · ${d.name}`],
      [d.pool !== undefined ? 'host' : 'service', d.pool !== undefined ? d.host : d.service],
      d.pool !== undefined
        ? ['pool', `${d.pool}${d.lane !== undefined ? ` · thread #${d.lane}` : ''}`]
        : null,
      ['from', `${d.start.toFixed(4)} s`],
      ['to', `${d.end.toFixed(4)} s`],
    ].filter(Boolean);
    return `<table>${merged.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
  }
  const rows = [
    ['request', d.request],
    ['span', `${d.kind} · ${d.name}`],
    ['service', d.service],
    ['host', d.host],
    d.pool !== undefined ? ['pool', `${d.pool}${d.lane !== undefined ? ` · thread #${d.lane}` : ''}`] : null,
    d.item !== undefined ? ['item', d.item] : null,
    ['start', `${d.start.toFixed(4)} s`],
    ['end', `${d.end.toFixed(4)} s`],
    ['duration', seconds(d.end - d.start)],
    d.status ? ['status', d.status] : null,
  ].filter(Boolean);
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

// Rows and index of a trace, kept while its spans array lives: switching views or resizing the window
// draws the chart anew, and laying out a quarter of a million spans is most of a first render.
const preparedOf = new WeakMap();
export function prepared(spans, poolOrder, knownLanes = null) {
  const key = `${poolOrder.join('\u0000')}\u0001${knownLanes ? 'known' : ''}`;
  const hit = preparedOf.get(spans);
  if (hit?.key === key) return hit;
  const layout = layoutLanes(spans, poolOrder, knownLanes);
  const made = { key, layout, index: spanIndex(spans, layout.rowOf, layout.rows.length) };
  preparedOf.set(spans, made);
  return made;
}

/** The group bands with their labels, and the track labels (pool with its thread count, queue, requests, network). */
export function rowLabels(g, { layout, services, rowY, groupY, rowH, groupHeader, margin, plotW }) {
  // Group bands and labels.
  const bands = g.append('g').attr('class', 'bands');
  layout.groups.forEach((grp, i) => {
    const h = grp.rows.length * rowH + groupHeader;
    bands
      .append('rect')
      .attr('class', i % 2 ? 'band odd' : 'band')
      .attr('x', -margin.left)
      .attr('y', groupY[i])
      .attr('width', margin.left + plotW)
      .attr('height', h);
    const svc = services.get(grp.service);
    const label =
      grp.pooled || !svc
        ? grp.label
        : `${grp.key} (${grp.hosts} of its ${svc.quantity.toLocaleString('en-US')} hosts in the sample)`;
    bands
      .append('text')
      .attr('class', 'group-label')
      .attr('x', -margin.left + 6)
      .attr('y', groupY[i] + 12)
      .text(label);
  });
  // Track labels (pool with its thread count, queue, requests, network), centred on the track's rows.
  const tracks = d3.groups(
    layout.rows.map((r, i) => ({ ...r, i })),
    (r) => `${r.group}\u0000${r.track}`,
  );
  const labels = g.append('g').attr('class', 'track-labels');
  for (const [, rows] of tracks) {
    const first = rows[0].i;
    const last = rows.at(-1).i;
    const mid = (rowY[first] + rowY[last] + rowH) / 2;
    const t = rows[0].track;
    const lanes = rows.filter((r) => r.lane !== undefined).length;
    const size = services.get(layout.groups.find((gr) => gr.key === rows[0].group)?.service)?.app?.pools?.[t]
      ?.size;
    const text = lanes
      ? `${t} · ${lanes}${size ? ` of ${size}` : ''} thread${(size ?? lanes) === 1 ? '' : 's'}`
      : t;
    labels
      .append('text')
      .attr('x', -8)
      .attr('y', mid)
      .attr('dy', '0.35em')
      .attr('text-anchor', 'end')
      .text(text);
    labels
      .append('line')
      .attr('class', 'track-sep')
      .attr('x1', -margin.left + 6)
      .attr('x2', plotW)
      .attr('y1', rowY[first])
      .attr('y2', rowY[first]);
  }
}
