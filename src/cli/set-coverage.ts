import { loadCalibrationSet, predictOverSet, sampleOverrides } from '../calibrate/index.js';
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
  }[];
  /** Measured values inside their interval, per metric and in all. */
  covered: Record<string, { inside: number; of: number }>;
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
    });
    const rows: SetCoverage['configs'] = [];
    const covered: SetCoverage['covered'] = { all: { inside: 0, of: 0 } };
    preds.forEach((p, i) => {
      for (const metric of METRICS) {
        const measured = lookup(configs[i]!.measured, metric);
        if (!Number.isFinite(measured)) continue;
        const x = p.metrics[metric]!;
        const inside = measured >= x.lo && measured <= x.hi;
        rows.push({ name: p.name, metric, measured, point: x.point, lo: x.lo, hi: x.hi, inside });
        for (const k of [metric, 'all']) {
          const c = (covered[k] ??= { inside: 0, of: 0 });
          c.of++;
          if (inside) c.inside++;
        }
      }
    });
    return { level: 0.9, samples: loaded.set.samples.length, configs: rows, covered };
  } finally {
    await runner.close();
  }
}

export function coverageTable(c: SetCoverage): string {
  const head = `\nPrediction intervals over the calibration set (90 %, ${c.samples} plausible vectors): ${Object.entries(
    c.covered,
  )
    .map(([k, v]) => `${k} ${v.inside}/${v.of}`)
    .join(', ')} measured values inside\n`;
  return `${head}${table([['configuration', 'metric', 'measured', 'predicted', '90 % interval', 'inside'], ...c.configs.map((r) => [r.name, r.metric, num(r.measured), num(r.point), `${num(r.lo)} – ${num(r.hi)}`, r.inside ? 'yes' : 'NO'])], '  ')}\n`;
}
