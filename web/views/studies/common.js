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
