export * from './simulate.js';
export * from './metrics.js';
export { Simulation, type ReplicationOptions } from './simulation.js';
export { concurrencyRate } from './curve.js';
export { multiplier } from './profile.js';
export { unhandledKind } from './kinds.js';
export { numericLeaves, aggregateReplications } from './aggregate.js';
export { BudgetExceededError, ModelErrorCode, type BudgetStop } from './errors.js';
export {
  CHECK_EVERY,
  DEFAULT_MAX_EVENTS,
  defaultMaxMemoryMiB,
  maxMemoryCeilingMiB,
  type BudgetLimits,
} from './budget.js';
export { simulateWithSeries, type SimulationSeries } from './series.js';
export type { DynamicsMetrics } from './dynamic-metrics.js';
export type { InstanceMarker } from './instances.js';
