// What the timeline draws over its bars: the selected time range, the selected request's critical path
// and the arrows of its flow between hosts. Kept apart from the chart's level-of-detail drawing: these
// are a few dozen shapes, redrawn with every frame.

const CRITICAL = '#dc2626';
const RANGE_FILL = 'rgba(37, 99, 235, 0.12)';
const RANGE_EDGE = '#2563eb';

/**
 * @param ctx the canvas context (plot coordinates)
 * @param o.range [t0, t1] or null; o.x the time scale; o.plotW, o.plotH the plot's size
 * @param o.links flow links ({from, to, toEnd, crossHost}) of the selected request
 * @param o.critical spans of its critical path
 * @param o.boxOf span → its bar's box {x, y, width, height} (null when not drawn)
 * @param o.ink the page's text colour (arrows)
 * @returns {{arrows: number, links: number, critical: number}} what was drawn
 */
export function paintOverlay(ctx, { range, x, plotW, plotH, links, critical, boxOf, ink }) {
  if (range) {
    const a = Math.max(0, x(range[0]));
    const b = Math.min(plotW, x(range[1]));
    if (b >= a) {
      ctx.fillStyle = RANGE_FILL;
      ctx.fillRect(a, 0, Math.max(1, b - a), plotH);
      ctx.strokeStyle = RANGE_EDGE;
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(a + 0.5, 0);
      ctx.lineTo(a + 0.5, plotH);
      ctx.moveTo(b - 0.5, 0);
      ctx.lineTo(b - 0.5, plotH);
      ctx.stroke();
    }
  }
  let marked = 0;
  ctx.strokeStyle = CRITICAL;
  ctx.lineWidth = 2;
  for (const s of critical) {
    const box = boxOf(s);
    if (!box) continue;
    ctx.strokeRect(box.x - 1, box.y - 1, box.width + 2, box.height + 2);
    marked++;
  }
  let arrows = 0;
  let drawn = 0;
  for (const link of links) {
    const a = boxOf(link.from);
    const b = boxOf(link.to);
    if (!a || !b) continue;
    const from = [a.x + a.width, a.y + a.height / 2];
    const to = [link.toEnd ? b.x + b.width : b.x, b.y + b.height / 2];
    // Links within a host (one row to the next) are faint; those between hosts are the flow arrows.
    ctx.globalAlpha = link.crossHost ? 1 : 0.45;
    arrow(ctx, from, to, link.crossHost ? ink : '#64748b', link.crossHost ? 1.6 : 1);
    ctx.globalAlpha = 1;
    drawn++;
    if (link.crossHost) arrows++;
  }
  return { arrows, links: drawn, critical: marked };
}

/** A curved arrow from `a` to `b` (pixels), its head at `b`. */
function arrow(ctx, [x0, y0], [x1, y1], color, width) {
  const bend = Math.max(12, Math.min(60, Math.abs(x1 - x0) / 2));
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.bezierCurveTo(x0 + bend, y0, x1 - bend, y1, x1, y1);
  ctx.stroke();
  // The curve ends horizontally (its second control point is level with the end): so does the head.
  const size = 4 + width * 1.5;
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - size, y1 - size * 0.5);
  ctx.lineTo(x1 - size, y1 + size * 0.5);
  ctx.closePath();
  ctx.fill();
}

/**
 * Shift+drag on the chart (a mousedown with Shift): the range dragged over, as times, to `onMove` while
 * the mouse moves and to `onEnd` when it is released. The zoom's filter leaves Shift to this.
 */
export function rangeDrag(event, { node, time, onMove, onEnd }) {
  if (!event.shiftKey || event.button) return;
  event.preventDefault();
  const xOf = (e) => e.clientX - node.getBoundingClientRect().left;
  const t0 = time(xOf(event));
  const move = (e) => {
    const t1 = time(xOf(e));
    onMove([Math.min(t0, t1), Math.max(t0, t1)]);
  };
  const up = (e) => {
    window.removeEventListener('mousemove', move);
    move(e);
    onEnd();
  };
  window.addEventListener('mousemove', move);
  window.addEventListener('mouseup', up, { once: true });
}

/**
 * The keyboard's Shift+drag, on the focused chart: the range [t0, t1] after a key press, null to clear
 * it, undefined when the key does nothing. R selects the time shown (within the trace's `extent`: zoom
 * and pan to the part wanted with W/S and A/D first); then Left/Right move the range and Shift+Left/Right
 * move its end, by a twentieth of the time shown; Escape clears it.
 */
export function keyedRange(event, range, [d0, d1], [lo, hi]) {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  if (event.key === 'Escape') return range ? null : undefined;
  if (event.key.toLowerCase() === 'r' && !event.shiftKey) return [Math.max(d0, lo), Math.min(d1, hi)];
  if (!range || (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight')) return undefined;
  const step = ((d1 - d0) / 20) * (event.key === 'ArrowLeft' ? -1 : 1);
  const [t0, t1] = range;
  if (event.shiftKey) return t1 + step > t0 ? [t0, t1 + step] : undefined;
  return [t0 + step, t1 + step];
}
