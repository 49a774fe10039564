import d3 from '../vendor-d3.js';

/**
 * What the time-series panels of a dashboard share: the instant hovered (a crosshair drawn on every panel)
 * and the time range brushed on any of them (every panel then shows that range). Charts join with
 * `lineChart().sync(group)`; a view makes one group per drawing, so nothing outlives its panels.
 *
 *   const group = chartSync();
 *   lineChart().sync(group)(a); lineChart().sync(group)(b); // hover a → crosshair on b; brush a → b zooms
 */
export function chartSync() {
  const events = d3.dispatch('hover', 'range');
  let range = null;
  let next = 0;
  return {
    /** A key for a panel joining the group (its listeners are replaced when it is drawn again). */
    key: () => `p${++next}`,
    on(type, key, fn) {
      events.on(`${type}.${key}`, fn);
    },
    /** The instant hovered on panel `from` (null: the pointer left it). */
    hover(x, from) {
      events.call('hover', null, x, from);
    },
    /** The shared time range: null for the whole run; set, every panel is drawn again over it. */
    range(r) {
      if (!arguments.length) return range;
      range = r ? [Math.min(r[0], r[1]), Math.max(r[0], r[1])] : null;
      events.call('range', null, range);
    },
  };
}
