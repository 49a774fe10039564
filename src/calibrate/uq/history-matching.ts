import { createStream } from '../../random/index.js';
import type { Emulator, EmulatorFactory, FlatMetrics, SimBackend } from './backend.js';
import { type Prior, vectorOverrides, vectorValues } from './priors.js';
import { latinHypercube, mean, quantile, spreadSubset, variance, weightedSampleWithoutReplacement } from './stats.js';

/** A measured configuration as the calibration uses it: overrides and measured metrics (value ± 95 % half-width). */
export interface MeasuredConfig {
  name: string;
  overrides: string[];
  metrics: Record<string, { value: number; ci95: number }>;
}

export interface HistoryMatchOptions {
  priors: readonly Prior[];
  configs: readonly MeasuredConfig[];
  backend: SimBackend;
  emulator: EmulatorFactory;
  /** Root seed: the simulations' (common random numbers across parameter vectors) and the designs'. */
  seed: number;
  /** Replications per (parameter vector, configuration); ≥ 2 so that the simulator's own noise is estimated. */
  replications: number;
  /** Most simulations in all (design waves and the final check). */
  budget: number;
  waves: number;
  /** Plausible vectors to draw at the end (each checked by simulation). */
  samples: number;
  /** Model discrepancy as a relative standard deviation. */
  discrepancy: number;
  /** Implausibility cut-off (3 after Pukelsheim's three-sigma rule). */
  cut?: number;
  /** Candidate vectors screened by the emulators per wave. */
  candidates?: number;
  onProgress?: (fraction: number) => void;
}

/** What one wave did. */
export interface WaveReport {
  wave: number;
  designPoints: number;
  simulations: number;
  /** Fraction of the prior's volume not ruled out after this wave (estimated from the screened candidates). */
  notRuledOut: number;
  /** Median, over the not-ruled-out candidates, of the emulators' share of the implausibility's variance. */
  emulatorShare: number;
}

/** One target of the fit: a metric measured at a configuration. */
export interface FitRow {
  measurement: string;
  metric: string;
  measured: number;
  ci95: number;
  /** The plausible set's simulated values there: mean and 5–95 % range. */
  predicted: { mean: number; lo: number; hi: number };
  /** The simulator's own relative standard deviation of a mean over the replications (from the design). */
  simulationRelSd: number;
}

export interface HistoryMatchResult {
  /** The plausible vectors that passed the check, as unit-cube coordinates and as values. */
  samples: { u: number[]; values: Record<string, number>; implausibility: number }[];
  /** Vectors drawn at the end whose simulations were implausible after all (the emulators were wrong there). */
  rejectedByCheck: number;
  waves: WaveReport[];
  fit: FitRow[];
  simulations: number;
  /** Set when no screened candidate fell below the cut: the least implausible were kept (the model may not fit). */
  warning?: string;
}

interface Target { config: number; metric: string; value: number; ci95: number; log: boolean }

/** Per design point and target: mean of the replications and the variance of that mean. */
interface Run { u: number[]; mean: number[]; varOfMean: number[] }

/**
 * History matching in waves (Craig et al. 1997; Vernon, Goldstein & Bower 2010), then sampling from
 * what is left:
 *
 * 1. Wave 1 simulates a maximin Latin hypercube over the prior box (parameters in the unit cube, log
 *    scale where the prior says so), every vector at every measured configuration with `replications`
 *    replications on common random numbers.
 * 2. A Gaussian process per (configuration, metric) emulates the mean over the replications — of its
 *    logarithm for positive metrics, so that errors are relative. Every vector has replications of its
 *    own, so the simulator's noise is noise to the emulator: its nugget, which it learns.
 * 3. The implausibility of a vector θ is I(θ) = max over targets |g(O) − E[g(S(θ))]| /
 *    √(V_emulator + V_observation + V_discrepancy), E[g(S(θ))] the emulator's estimate of the expected
 *    output (the simulator's noise is in V_emulator through the nugget); vectors with I ≥ cut are ruled out.
 *    The next wave's design is spread over the not-ruled-out candidates of a box that shrinks around them.
 * 4. At the end, plausible vectors are drawn from the not-ruled-out candidates with probability
 *    proportional to the Gaussian likelihood of the measurements (sampling-importance-resampling, a
 *    posterior under a uniform prior over the box), and each is checked by simulation: one whose
 *    simulated metrics are implausible — |g(O) − mean of its replications| / √(V_simulation +
 *    V_observation + V_discrepancy) ≥ cut, V_simulation the variance of that mean — is dropped.
 */
export async function historyMatch(o: HistoryMatchOptions): Promise<HistoryMatchResult> {
  const d = o.priors.length;
  const C = o.configs.length;
  const R = Math.max(2, o.replications);
  const cut = o.cut ?? 3;
  const nCand = o.candidates ?? 4000;
  const rng = createStream(o.seed, 'calibrate-twin/design', 0);
  const targets: Target[] = o.configs.flatMap((c, ci) => Object.entries(c.metrics).map(([metric, m]) => ({ config: ci, metric, value: m.value, ci95: m.ci95, log: m.value > 0 })));
  const g = (t: Target, y: number) => {
    // A metric the simulation could not produce (NaN: nothing completed) counts as far off.
    const v = Number.isFinite(y) ? y : t.value * 100;
    return t.log ? Math.log(Math.max(v, Math.abs(t.value) * 1e-6)) : v;
  };
  // Observation and discrepancy variances in the emulated scale (relative for log targets).
  const obsVar = targets.map((t) => (t.ci95 / 1.96 / (t.log ? t.value : 1)) ** 2);
  const discVar = targets.map((t) => (o.discrepancy * (t.log ? 1 : t.value)) ** 2);

  const checkSims = o.samples * C * R;
  const perWave = Math.max(d + 2, Math.floor((o.budget - checkSims) / (o.waves * C * R)));
  const totalPlanned = perWave * o.waves * C * R + checkSims;
  let simulations = 0;

  // Every simulated vector gets replications of its own (vector v runs v·R … v·R+R−1, numbered in the
  // order the design asks for them, so the same whatever the workers): the emulators then see the
  // simulator's noise as noise and average it out (stochastic kriging), instead of fitting one frozen
  // realization of it, which common random numbers would give and which biases the calibration.
  let vectors = 0;
  const simulate = async (points: readonly number[][]): Promise<Run[]> => {
    const first = vectors;
    vectors += points.length;
    const requests = points.flatMap((u, p) => o.configs.flatMap((c) => Array.from({ length: R }, (_, r) => ({ overrides: [...c.overrides, ...vectorOverrides(o.priors, u)], seed: o.seed, replication: (first + p) * R + r }))));
    const out = await o.backend(requests, () => { simulations++; o.onProgress?.(Math.min(1, simulations / totalPlanned)); });
    return points.map((u, p) => {
      const at = (ci: number, r: number): FlatMetrics => out[(p * C + ci) * R + r]!;
      const m: number[] = [];
      const v: number[] = [];
      for (const t of targets) {
        const ys = Array.from({ length: R }, (_, r) => g(t, at(t.config, r)[t.metric] ?? NaN));
        m.push(mean(ys));
        v.push(variance(ys) / R);
      }
      return { u: [...u], mean: m, varOfMean: v };
    });
  };

  const runs: Run[] = [];
  let box = { lo: new Array<number>(d).fill(0), hi: new Array<number>(d).fill(1) };
  let volume = 1;
  const waves: WaveReport[] = [];
  let screened: { u: number[]; I: number; logLik: number; emShare: number }[] = [];
  let warning: string | undefined;
  // Simulation variance of each target: the mean over the design of the variance of the replications' mean.
  const simVar = () => targets.map((_, k) => mean(runs.map((r) => r.varOfMean[k]!)));
  // One emulator per target, refitted after each wave on every run so far (its hyperparameters start
  // from the previous fit's).
  const ems = targets.map(() => o.emulator(d));
  const uniformIn = (b: typeof box, n: number) => Array.from({ length: n }, () => b.lo.map((l, k) => l + rng() * (b.hi[k]! - l)));

  for (let w = 1; w <= o.waves; w++) {
    const design = w === 1
      ? latinHypercube(perWave, box.lo, box.hi, rng)
      : spreadSubset(screened.filter((s) => s.I < cut).map((s) => s.u), perWave, runs.map((r) => r.u));
    runs.push(...await simulate(design));
    fitEmulators(ems, runs, rng);
    screened = screen(uniformIn(box, nCand), ems, obsVar, discVar, targets.map((t) => g(t, t.value)));
    const kept = screened.filter((s) => s.I < cut);
    const fraction = volume * (kept.length / screened.length);
    waves.push({ wave: w, designPoints: design.length, simulations: design.length * C * R, notRuledOut: fraction, emulatorShare: median(kept.map((s) => s.emShare)) });
    if (kept.length === 0) {
      // Nothing left: keep the least implausible (the report says so) rather than stopping with nothing.
      screened.sort((a, b) => a.I - b.I);
      for (const s of screened.slice(0, Math.max(10, o.samples))) s.I = cut - 1e-9;
      warning = `no parameter vector within the prior ranges reproduces every measurement within ${cut} standard deviations (wave ${w}); the least implausible were kept: widen the priors, add discrepancy, or check the measurements`;
    }
    // Refocus: the next candidates come from the box around what is left (with a margin for the emulators' error).
    const left = screened.filter((s) => s.I < cut).map((s) => s.u);
    const lo = box.lo.map((_, k) => Math.min(...left.map((u) => u[k]!)));
    const hi = box.hi.map((_, k) => Math.max(...left.map((u) => u[k]!)));
    const margin = (k: number) => 0.1 * (hi[k]! - lo[k]!) + 0.5 / Math.cbrt(nCand);
    const next = { lo: lo.map((l, k) => Math.max(0, l - margin(k))), hi: hi.map((h, k) => Math.min(1, h + margin(k))) };
    // Each wave's emulators are fitted on every run so far, so they supersede the earlier ones.
    volume = next.lo.reduce((a, l, k) => a * (next.hi[k]! - l), 1);
    box = next;
  }

  // Final draw: candidates of the last box (the last wave's emulators know every run), weighted by the
  // likelihood of the measurements.
  const finalScreen = screen(uniformIn(box, nCand * 2), ems, obsVar, discVar, targets.map((t) => g(t, t.value)));
  let pool = finalScreen.filter((s) => s.I < cut);
  if (pool.length === 0) {
    finalScreen.sort((a, b) => a.I - b.I);
    pool = finalScreen.slice(0, Math.max(10, o.samples));
    warning ??= 'no candidate of the last wave fell below the cut; the least implausible were drawn';
  }
  const maxLl = Math.max(...pool.map((s) => s.logLik));
  const picked = weightedSampleWithoutReplacement(pool.map((s) => Math.exp(s.logLik - maxLl)), o.samples, rng).map((i) => pool[i]!.u);
  const checked = await simulate(picked);
  const sv = simVar();
  const samples: HistoryMatchResult['samples'] = [];
  const keptRuns: Run[] = [];
  for (const run of checked) {
    let I = 0;
    targets.forEach((t, k) => { I = Math.max(I, Math.abs(g(t, t.value) - run.mean[k]!) / Math.sqrt(sv[k]! + obsVar[k]! + discVar[k]!)); });
    if (I < cut || warning) {
      samples.push({ u: run.u, values: vectorValues(o.priors, run.u), implausibility: Number(I.toPrecision(4)) });
      keptRuns.push(run);
    }
  }
  const back = (t: Target, y: number) => (t.log ? Math.exp(y) : y);
  const fit: FitRow[] = targets.map((t, k) => {
    const ys = keptRuns.map((r) => back(t, r.mean[k]!));
    return {
      measurement: o.configs[t.config]!.name, metric: t.metric, measured: t.value, ci95: t.ci95,
      predicted: { mean: ys.length ? mean(ys) : NaN, lo: quantile(ys, 0.05), hi: quantile(ys, 0.95) },
      simulationRelSd: Math.sqrt(sv[k]!) / (t.log ? 1 : Math.abs(t.value)),
    };
  });
  return { samples, rejectedByCheck: checked.length - samples.length, waves, fit, simulations, ...(warning ? { warning } : {}) };
}

function median(xs: readonly number[]): number {
  return xs.length ? quantile(xs, 0.5) : NaN;
}

/** Fits each target's emulator on every run so far. */
function fitEmulators(ems: readonly Emulator[], runs: readonly Run[], rng: () => number): void {
  ems.forEach((em, k) => em.fit(runs.map((r) => r.u), runs.map((r) => r.mean[k]!), rng));
}

/** Implausibility, Gaussian log-likelihood and the emulators' variance share of each candidate. */
function screen(cands: number[][], ems: readonly Emulator[], obsVar: readonly number[], discVar: readonly number[], observed: readonly number[]) {
  const preds = ems.map((em) => em.predict(cands));
  return cands.map((u, i) => {
    let I = 0, logLik = 0, share = 0;
    ems.forEach((_, k) => {
      const ve = preds[k]!.sd[i]! ** 2;
      const v = ve + obsVar[k]! + discVar[k]!;
      const z = (observed[k]! - preds[k]!.mu[i]!) / Math.sqrt(v);
      I = Math.max(I, Math.abs(z));
      logLik += -0.5 * z * z - 0.5 * Math.log(v);
      share = Math.max(share, ve / v);
    });
    return { u, I, logLik, emShare: share };
  });
}
