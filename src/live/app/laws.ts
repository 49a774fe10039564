import type { DistSpec } from '../../random/index.js';
import type { Dist, Profile } from '../../scenario/index.js';

// Live mode meets the simulator only through scenario/ (inputs) and trace/ + metrics/ (outputs): these
// small readings of scenario values mirror the model's, and test/live/measure.test.ts checks they agree.

/** The random layer's spec of a scenario law (a bare number is deterministic). */
export function toDistSpec(d: Dist): DistSpec {
  if (typeof d === 'number') return { dist: 'deterministic', value: d };
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as unknown as DistSpec;
}

/** A workload profile as a multiplier over (scenario) time, with its largest value. */
export function profileMultiplier(profile: Profile | undefined): { at: (t: number) => number; max: number } {
  if (!profile || profile.kind === 'constant') return { at: () => 1, max: 1 };
  switch (profile.kind) {
    case 'ramp': {
      const { from, to, start, end } = profile;
      const span = Math.max(end - start, 1e-12);
      return { at: (t) => (t <= start ? from : t >= end ? to : from + ((to - from) * (t - start)) / span), max: Math.max(from, to) };
    }
    case 'daily': {
      const w = (2 * Math.PI) / profile.periodS;
      return { at: (t) => 1 + profile.amplitude * Math.cos(w * (t - profile.peakAt)), max: 1 + profile.amplitude };
    }
    case 'spring-peak': {
      const { base, peak, peakAt, widthS } = profile;
      return { at: (t) => base + (peak - base) * Math.exp(-Math.abs(t - peakAt) / widthS), max: Math.max(base, peak) };
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
      return { at, max: Math.max(...pts.map((p) => p[1])) };
    }
  }
}
