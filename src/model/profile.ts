import type { Profile } from '../scenario/index.js';

/** A profile as a function of simulated time, with its largest value over [0, horizon] (for thinning). */
export interface Multiplier {
  at: (t: number) => number;
  max: number;
  /**
   * For a multiplier that is constant between known times (no profile, with or without load steps): the
   * first time after `t` at which its value may change (Infinity when it never does). Absent for a
   * profile that varies continuously (a ramp, a daily curve).
   */
  nextChange?: (t: number) => number;
}

/** The multiplier of a workload profile over time (constant 1 when there is none). */
export function multiplier(profile: Profile | undefined, horizon: number): Multiplier {
  if (!profile || profile.kind === 'constant') return { at: () => 1, max: 1, nextChange: () => Infinity };
  switch (profile.kind) {
    case 'ramp': {
      const { from, to, start, end } = profile;
      const span = Math.max(end - start, 1e-12);
      return {
        at: (t) => (t <= start ? from : t >= end ? to : from + ((to - from) * (t - start)) / span),
        max: Math.max(from, to),
      };
    }
    case 'daily': {
      const { amplitude, peakAt, periodS } = profile;
      const w = (2 * Math.PI) / periodS;
      return { at: (t) => 1 + amplitude * Math.cos(w * (t - peakAt)), max: 1 + amplitude };
    }
    case 'spring-peak': {
      // Exponential growth towards the peak and decay after it: base + (peak − base)·exp(−|t − peakAt|/width).
      const { base, peak, peakAt, widthS } = profile;
      return {
        at: (t) => base + (peak - base) * Math.exp(-Math.abs(t - peakAt) / widthS),
        max: Math.max(base, peak),
      };
    }
    case 'piecewise': {
      const pts = [...profile.points].sort((a, b) => a[0] - b[0]);
      const at = (t: number) => {
        if (t <= pts[0]![0]) return pts[0]![1];
        for (let i = 1; i < pts.length; i++) {
          const [x1, y1] = pts[i]!;
          if (t <= x1) {
            const [x0, y0] = pts[i - 1]!;
            return x1 === x0 ? y1 : y0 + ((y1 - y0) * (t - x0)) / (x1 - x0);
          }
        }
        return pts[pts.length - 1]![1];
      };
      void horizon;
      return { at, max: Math.max(...pts.map((p) => p[1])) };
    }
  }
}

/**
 * A multiplier with load steps on top: from each step's time on (steps in time order, `[at, factor]`),
 * the multiplier's value times the factor of the last step reached (a factor replaces the one before, it
 * does not compound). The simulator (`withLoadSteps`) and the live drivers use this one function.
 */
export function withSteps(m: Multiplier, steps: readonly (readonly [number, number])[]): Multiplier {
  if (steps.length === 0) return m;
  const times = Float64Array.from(steps, (s) => s[0]);
  const factors = Float64Array.from(steps, (s) => s[1]);
  // The factor in force after i steps (1 before the first).
  const levels = Float64Array.from([1, ...factors]);
  // The steps reached by time t: times[0 .. reached(t)). Every step is compared, without an early exit and
  // without a branch that first runs at a step: V8 compiles code that never ran into a deoptimization exit,
  // and the first load step then deoptimized every function this was inlined into (the dynamics benchmark).
  const reached = (t: number): number => {
    let i = 0;
    for (let k = 0; k < times.length; k++) i += times[k]! <= t ? 1 : 0;
    return i;
  };
  const base = m.at;
  const stepped: Multiplier = {
    at: (t) => base(t) * levels[reached(t)]!,
    max: m.max * Math.max(1, ...factors),
  };
  const baseChange = m.nextChange;
  if (baseChange !== undefined)
    stepped.nextChange = (t) => {
      const i = reached(t);
      return Math.min(baseChange(t), i < times.length ? times[i]! : Infinity);
    };
  return stepped;
}
