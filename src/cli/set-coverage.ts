import { loadCalibrationSet, measurementRelSd, predictOverSet, sampleOverrides } from '../calibrate/index.js';
import { ScenarioError } from '../scenario/index.js';
import { simBackend, trialRunner } from './sim-backend.js';
import { num, table } from './table.js';

/** Metrics whose measured values are checked against the prediction intervals. */
const METRICS = ['responseTime.mean', 'throughput'];

export interface SetCoverage {
  level: 0.9;
  samples: number;
  configs: {
    name: string;
    metric: string;
    measured: number;
    point: number;
    lo: number;
    hi: number;
    inside: boolean;
    /** The interval of what a measurement reads (with measurement noise and discrepancy), when the set has its noise. */
    measuredInterval?: { lo: number; hi: number; inside: boolean };
  }[];
  /** Measured values inside their interval (parameters and simulator noise), per metric and in all. */
  covered: Record<string, { inside: number; of: number }>;
  /** The same for the intervals of a measurement, per metric and in all (metrics with a measurement noise). */
  coveredMeasured: Record<string, { inside: number; of: number }>;
}

const lookup = (m: Record<string, unknown>, key: string): number =>
  key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], m) as number;

/**
 * Each measured configuration predicted over a calibration set (90 % intervals, each vector on
 * replications of its own), and how many measured values fall inside: the honesty of the calibration.
 */
export async function coverageOverSet(
  file: string,
  configs: readonly { name: string; overrides: string[]; measured: Record<string, unknown> }[],
  setFile: string,
  o: { seed: number; replications: number; workers?: number },
): Promise<SetCoverage> {
  const loaded = loadCalibrationSet(setFile);
  if (!loaded.ok) throw new ScenarioError(loaded.issues);
  const runner = trialRunner(o.workers);
  try {
    const preds = await predictOverSet({
      backend: simBackend(file, runner),
      samples: sampleOverrides(loaded.set),
      configs,
      metrics: METRICS,
      seed: o.seed,
      replications: o.replications,
      streams: 'independent',
      measurementRelSd: measurementRelSd(loaded.set),
    });
    const rows: SetCoverage['configs'] = [];
    const covered: SetCoverage['covered'] = { all: { inside: 0, of: 0 } };
    const coveredMeasured: SetCoverage['coveredMeasured'] = { all: { inside: 0, of: 0 } };
    const count = (tally: SetCoverage['covered'], metric: string, inside: boolean) => {
      for (const k of [metric, 'all']) {
        const c = (tally[k] ??= { inside: 0, of: 0 });
        c.of++;
        if (inside) c.inside++;
      }
    };
    preds.forEach((p, i) => {
      for (const metric of METRICS) {
        const measured = lookup(configs[i]!.measured, metric);
        if (!Number.isFinite(measured)) continue;
        const x = p.metrics[metric]!;
        const inside = measured >= x.lo && measured <= x.hi;
        const m = x.measured && {
          lo: x.measured.lo,
          hi: x.measured.hi,
          inside: measured >= x.measured.lo && measured <= x.measured.hi,
        };
        rows.push({
          name: p.name,
          metric,
          measured,
          point: x.point,
          lo: x.lo,
          hi: x.hi,
          inside,
          ...(m ? { measuredInterval: m } : {}),
        });
        count(covered, metric, inside);
        if (m) count(coveredMeasured, metric, m.inside);
      }
    });
    if (coveredMeasured.all!.of === 0) delete coveredMeasured.all;
    return { level: 0.9, samples: loaded.set.samples.length, configs: rows, covered, coveredMeasured };
  } finally {
    await runner.close();
  }
}

const tally = (t: SetCoverage['covered']) =>
  Object.entries(t)
    .map(([k, v]) => `${k} ${v.inside}/${v.of}`)
    .join(', ');

export function coverageTable(c: SetCoverage): string {
  const withMeasured = c.configs.some((r) => r.measuredInterval);
  const head = `\nPrediction intervals over the calibration set (90 %, ${c.samples} plausible vectors): ${tally(c.covered)} measured values inside the twin's interval (parameters and simulator noise)${withMeasured ? `; ${tally(c.coveredMeasured)} inside the interval of a measurement (also the calibration's measurement noise and model discrepancy)` : ''}\n`;
  const cols = ['configuration', 'metric', 'measured', 'predicted', '90 % interval', 'inside'];
  if (withMeasured) cols.push('90 % interval of a measurement', 'inside');
  const rows = c.configs.map((r) => [
    r.name,
    r.metric,
    num(r.measured),
    num(r.point),
    `${num(r.lo)} – ${num(r.hi)}`,
    r.inside ? 'yes' : 'NO',
    ...(withMeasured
      ? r.measuredInterval
        ? [
            `${num(r.measuredInterval.lo)} – ${num(r.measuredInterval.hi)}`,
            r.measuredInterval.inside ? 'yes' : 'NO',
          ]
        : ['–', '–']
      : []),
  ]);
  return `${head}${table([cols, ...rows], '  ')}\n`;
}
