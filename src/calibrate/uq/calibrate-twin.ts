import type { CalibrationSet } from './calibration-set.js';
import { historyMatch, type HistoryMatchOptions, type HistoryMatchResult } from './history-matching.js';
import {
  identify,
  IDENTIFIED_BELOW,
  MIN_VECTORS_FOR_VERDICT,
  NOT_IDENTIFIED_FROM,
  type Identification,
} from './identification.js';
import { quantile } from './stats.js';

export interface CalibrateTwinOptions extends Omit<HistoryMatchOptions, 'cut' | 'candidates'> {
  /** The scenario as the output file should name it (relative to the output file). */
  scenarioRef: string;
  version?: string;
}

export interface TwinCalibration {
  result: HistoryMatchResult;
  identification: Identification[];
  set: CalibrationSet;
}

const r4 = (x: number) => Number(x.toPrecision(4));

export const METHOD_TEXT =
  'history matching in waves (Craig et al. 1997; Vernon et al. 2010): per wave a set of Gaussian-process emulators, one per (measured configuration, metric), of the logarithm of positive metrics over the unit-cube parameters, fitted on the runs the earlier sets do not rule out; every parameter vector simulated with replications of its own so that the emulators learn the simulator noise as their nugget; implausibility max over sets and targets |O − E[S(θ)]| / sqrt(V_emulator + V_measurement + V_discrepancy) cut at 3; then plausible vectors drawn from what is not ruled out with probability proportional to exp(−½ Σ z²) (sampling-importance-resampling), each checked by simulation (dropped when |O − simulated mean| / sqrt(V_simulation + V_measurement + V_discrepancy) ≥ 3), dropped ones replaced in further rounds while the budget lasts';

/** Calibrates a twin with uncertainty on measured configurations and builds its calibration-set file. */
export async function calibrateTwin(o: CalibrateTwinOptions): Promise<TwinCalibration> {
  const { scenarioRef: _ref, version: _version, ...matching } = o;
  const result = await historyMatch(matching);
  const identification = identify(
    o.priors,
    result.samples.map((s) => s.u),
  );
  // The noise of a new measurement of each metric: the median relative standard deviation of those made.
  const noise: Record<string, number> = {};
  const metricKeys = [...new Set(o.configs.flatMap((c) => Object.keys(c.metrics)))];
  for (const k of metricKeys) {
    noise[`measurement.${k}`] = r4(
      quantile(
        o.configs
          .filter((c) => c.metrics[k])
          .map((c) => c.metrics[k]!.ci95 / 1.96 / Math.abs(c.metrics[k]!.value)),
        0.5,
      ),
    );
    noise[`simulation.${k}`] = r4(
      quantile(
        result.fit
          .filter((f) => f.metric === k)
          .map((f) => f.simulationRelSd * Math.sqrt(Math.max(2, o.replications))),
        0.5,
      ),
    );
  }
  const set: CalibrationSet = {
    kind: 'calibration-set',
    description: `Plausible parameter vectors of ${o.scenarioRef} given ${o.configs.length} measured configuration${o.configs.length === 1 ? '' : 's'} (e2ctwin calibrate-twin).`,
    scenario: o.scenarioRef,
    method: {
      name: METHOD_TEXT,
      cut: 3,
      waves: o.waves,
      replications: Math.max(2, o.replications),
      budget: o.budget,
      seed: o.seed,
      discrepancy: o.discrepancy,
      samplesDrawn: o.samples,
      verdicts: `ratio of the plausible set's 5–95 % range to the prior's (log scale for log priors): < ${IDENTIFIED_BELOW} identified, ≥ ${NOT_IDENTIFIED_FROM} not identified by these data, weakly identified between; no verdict with fewer than ${MIN_VECTORS_FOR_VERDICT} plausible vectors`,
    },
    priors: Object.fromEntries(o.priors.map((p) => [p.path, { min: p.min, max: p.max, log: p.log }])),
    samples: result.samples.map((s) => s.values),
    measurements: o.configs.map((c) => ({ name: c.name, set: c.overrides, metrics: c.metrics })),
    noise,
    identification: Object.fromEntries(
      identification.map((i) => [
        i.path,
        {
          q05: r4(i.posterior.q05),
          median: r4(i.posterior.median),
          q95: r4(i.posterior.q95),
          ratio: r4(i.ratio),
          verdict: i.verdict,
        },
      ]),
    ),
    fit: result.fit.map((f) => ({
      measurement: f.measurement,
      metric: f.metric,
      measured: f.measured,
      ci95: f.ci95,
      predicted: { mean: r4(f.predicted.mean), lo: r4(f.predicted.lo), hi: r4(f.predicted.hi) },
    })),
    provenance: {
      ...(o.version ? { e2ctwin: o.version } : {}),
      simulations: result.simulations,
      waves: result.waves.map((w) => ({
        wave: w.wave,
        designPoints: w.designPoints,
        simulations: w.simulations,
        notRuledOut: r4(w.notRuledOut),
        emulatorShare: r4(w.emulatorShare),
      })),
      checked: result.samples.length + result.rejectedByCheck,
      rejectedByCheck: result.rejectedByCheck,
      ...(result.warning ? { warning: result.warning } : {}),
    },
  };
  return { result, identification, set };
}
