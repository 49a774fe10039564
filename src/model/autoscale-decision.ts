import type { Autoscale } from '../scenario/index.js';

// The autoscaler's target tracking as pure functions of what it measured, shared by the simulator's
// Autoscaler (model/autoscaler.ts) and the live controller (live/run/autoscale.ts): one model of the
// decision, whichever side measured the window.

/** A pool's level areas over one window, summed over the instances that served in it. */
export interface PoolWindowSums {
  /** Busy threads × seconds. */
  busy: number;
  /** Waiting requests × seconds. */
  queue: number;
  /** Instance-seconds measured. */
  time: number;
  /** Thread-seconds available (each instance's seconds × its pool size). */
  threadTime: number;
}

/**
 * The window's utilization (busy over thread time) or queue (waiting per instance serving) from the
 * summed areas; NaN when nothing served in the window.
 */
export function poolWindowMetric(metric: 'utilization' | 'queue', s: PoolWindowSums): number {
  if (s.time <= 0) return NaN;
  return metric === 'queue' ? s.queue / s.time : s.busy / s.threadTime;
}

/** What the autoscaler knows at the end of a window. */
export interface AutoscaleReading {
  /** Seconds (the decision's clock: simulated, or the live run's). */
  now: number;
  /** The window's metric (NaN: nothing measured). */
  metric: number;
  /** Instances serving. */
  serving: number;
  /** Instances serving or starting: the current size. */
  active: number;
  /** When the last action was decided (−Infinity: none yet). */
  lastAction: number;
}

/**
 * Target tracking: the size ceil(serving × metric / target) within [min, max] (with none serving, at
 * least min; with no measure, the current size), or null when it is the current size or an action was
 * decided within the cool-down (for a reduction, the scale-in cool-down).
 */
export function autoscaleDecision(
  spec: Pick<Autoscale, 'target' | 'min' | 'max' | 'cooldownS' | 'scaleInCooldownS'>,
  r: AutoscaleReading,
): number | null {
  let desired: number;
  if (r.serving === 0) desired = Math.max(spec.min, r.active);
  else if (Number.isNaN(r.metric)) desired = r.active;
  // The small tolerance keeps an exact ratio (2.0000000001 from rounding) from adding an instance.
  else desired = Math.ceil((r.serving * r.metric) / spec.target - 1e-9);
  desired = Math.min(spec.max, Math.max(spec.min, desired));
  const cooldown = desired < r.active ? (spec.scaleInCooldownS ?? spec.cooldownS) : spec.cooldownS;
  return desired !== r.active && r.now - r.lastAction >= cooldown ? desired : null;
}
