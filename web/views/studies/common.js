import d3 from '../../vendor-d3.js';

const sig4 = d3.format('.4~g');
const whole = d3.format(',.0f');
/** Numbers of the study views: four significant digits, large ones whole with separators (207,805, not 2.078e+5). */
export const fmt = (v) => (Math.abs(v) >= 1e4 && Math.abs(v) < 1e15 ? whole(v) : sig4(v));

/** A metric key with its unit, e.g. "responseTime.mean (s)". */
export function metricLabel(key) {
  const unit = /^responseTime\.|responseTime\.(mean|p\d+)$/.test(key)
    ? 's'
    : /throughput$/.test(key)
      ? 'req/s'
      : /energyJ$/.test(key)
        ? 'J'
        : /GiB$/.test(key)
          ? 'GiB'
          : /(utilization|Probability)$/.test(key)
            ? 'fraction'
            : /measuredSeconds$/.test(key)
              ? 's'
              : '';
  return unit ? `${key} (${unit})` : key;
}

/**
 * renderTrials's callbacks for a study's `view` (what the user picked, see renderSweep): the table's
 * order and the contour's parameters picked are kept in `view` (a drawing for another metric keeps them)
 * and told to `view.onSort`/`view.onContour` (the address). A value the study does not have is dropped
 * from `view`: one from the address is told to `view.onUnknownSort`/`view.onUnknownContour`, one the
 * user picked (a column of the metric shown before) leaves the address as `onSort(null)`.
 */
export function trialsAddress(view) {
  const dropped = (key, picked, told, unknown) => (what) => {
    view[key] = undefined;
    if (view[picked]) view[told]?.(null);
    else view[unknown]?.(what);
  };
  return {
    onSort: (sort) => {
      view.sort = sort;
      view.sortPicked = true;
      view.onSort?.(sort);
    },
    onContour: (pair) => {
      view.contour = pair;
      view.contourPicked = true;
      view.onContour?.(pair);
    },
    onUnknownSort: dropped('sort', 'sortPicked', 'onSort', 'onUnknownSort'),
    onUnknownContour: dropped('contour', 'contourPicked', 'onContour', 'onUnknownContour'),
  };
}
