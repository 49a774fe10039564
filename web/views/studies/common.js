import d3 from '../../vendor-d3.js';

/** Numbers of the study views: four significant digits. */
export const fmt = d3.format('.4~g');

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
