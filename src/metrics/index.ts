export { ci, ci95, type ConfidenceInterval } from './ci.js';
export { Counter } from './counter.js';
export { MetricsError, MetricsErrorCode } from './errors.js';
export { LOG_HISTOGRAM_RELATIVE_ERROR, LogHistogram, type LogHistogramJSON } from './log-histogram.js';
export { studentTCdf, studentTQuantile } from './student-t.js';
export { Tally, type TallyJSON } from './tally.js';
export { Occupancy } from './occupancy.js';
export { levelMean, TimeWeighted } from './time-weighted.js';
