export * from './app.js';
export * from './errors.js';
export * from './runs-store.js';
export * from './scenario-catalog.js';
export * from './simulate-with-series.js';
export * from './studies-store.js';
export type { JobSpec, JobMessage } from './run-job.js';
export type { JobState } from './simulation-jobs.js';
