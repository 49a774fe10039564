import { createStream } from '../../random/index.js';
import type { Emulator, EmulatorFactory, FlatMetrics, SimBackend } from './backend.js';
import { type Prior, vectorOverrides, vectorValues } from './priors.js';
import {
  latinHypercube,
  mean,
  quantile,
  spreadSubset,
  variance,
  weightedSampleWithoutReplacement,
} from './stats.js';

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

interface Target {
  config: number;
  metric: string;
  value: number;
  ci95: number;
  log: boolean;
}

/** Per design point and target: mean of the replications and the variance of that mean. */
interface Run {
  u: number[];
  mean: number[];
  varOfMean: number[];
}

/**
 * History matching in waves (Craig et al. 1997; Vernon, Goldstein & Bower 2010), then sampling from
 * what is left:
 *
 * 1. Wave 1 simulates a maximin Latin hypercube over the prior box (parameters in the unit cube, log
 *    scale where the prior says so; about 10 vectors per parameter), every vector at every measured
 *    configuration with `replications` replications of its own.
 * 2. Each wave fits a set of Gaussian processes, one per (configuration, metric), on the runs the earlier
 *    sets do not rule out; each emulates the mean over the replications — of its logarithm for positive
 *    metrics, so that errors are relative. Replications of its own per vector make the simulator's
 *    noise noise to the emulator: its nugget, which it learns (stochastic kriging).
 * 3. The implausibility of a vector θ is I(θ) = max over sets and targets |g(O) − E[g(S(θ))]| /
 *    √(V_emulator + V_observation + V_discrepancy); vectors with I ≥ cut are ruled out. The next wave's
 *    design is half drawn where the measurements are likely, half spread over what is not ruled out, in
 *    a box that shrinks around it.
 * 4. At the end, plausible vectors are drawn from the not-ruled-out candidates with probability
 *    ∝ exp(−½ Σ z²) under the last set (sampling-importance-resampling: a posterior under a uniform prior
 *    over the box) and each is checked by simulation: one whose simulated means are implausible —
 *    |g(O) − mean of its replications| / √(V_simulation + V_observation + V_discrepancy) ≥ cut,
 *    V_simulation the variance of that mean — is dropped; further rounds, with the checked runs added
 *    to the emulators, replace the dropped ones while the budget lasts.
 */
export async function historyMatch(o: HistoryMatchOptions): Promise<HistoryMatchResult> {
  const d = o.priors.length;
  const C = o.configs.length;
  const R = Math.max(2, o.replications);
  const cut = o.cut ?? 3;
  const nCand = o.candidates ?? 4000;
  const rng = createStream(o.seed, 'calibrate-twin/design', 0);
  const targets: Target[] = o.configs.flatMap((c, ci) =>
    Object.entries(c.metrics).map(([metric, m]) => ({
      config: ci,
      metric,
      value: m.value,
      ci95: m.ci95,
      log: m.value > 0,
    })),
  );
  const g = (t: Target, y: number) => {
    // A metric the simulation could not produce (NaN: nothing completed) counts as far off.
    const v = Number.isFinite(y) ? y : t.value * 100;
    return t.log ? Math.log(Math.max(v, Math.abs(t.value) * 1e-6)) : v;
  };
  // Observation and discrepancy variances in the emulated scale (relative for log targets).
  const obsVar = targets.map((t) => (t.ci95 / 1.96 / (t.log ? t.value : 1)) ** 2);
  const discVar = targets.map((t) => (o.discrepancy * (t.log ? 1 : t.value)) ** 2);

  // The waves get what the check does not need; the check gets the rest (at least one draw of the
  // samples, more rounds when the emulators were too optimistic and vectors were dropped).
  // The check gets at least one draw of the samples, and a quarter of a large budget: where the
  // emulators stay loose (many parameters, few measurements) more drawn vectors are dropped.
  const checkSims = Math.max(o.samples * C * R, Math.floor(o.budget / 4));
  // Wave 1 must see the whole prior box well enough for its emulators not to be overconfident: about
  // 10 vectors per parameter (Loeppky, Sacks & Welch 2009) when the budget allows, at most half the design.
  const designVectors = Math.max(o.waves * (d + 2), Math.floor((o.budget - checkSims) / (C * R)));
  const first = Math.max(Math.ceil(designVectors / o.waves), Math.min(10 * d, Math.ceil(designVectors / 2)));
  const waveSize = (w: number) =>
    w === 1 ? first : Math.max(d + 2, Math.floor((designVectors - first) / Math.max(1, o.waves - 1)));
  const totalPlanned = Math.max(o.budget, (first + (o.waves - 1) * waveSize(2)) * C * R + checkSims);
  let simulations = 0;

  // Every simulated vector gets replications of its own (vector v runs v·R … v·R+R−1, numbered in the
  // order the design asks for them, so the same whatever the workers): the emulators then see the
  // simulator's noise as noise and average it out (stochastic kriging), instead of fitting one frozen
  // realization of it, which common random numbers would give and which biases the calibration.
  let vectors = 0;
  const simulate = async (points: readonly number[][]): Promise<Run[]> => {
    const first = vectors;
    vectors += points.length;
    const requests = points.flatMap((u, p) =>
      o.configs.flatMap((c) =>
        Array.from({ length: R }, (_, r) => ({
          overrides: [...c.overrides, ...vectorOverrides(o.priors, u)],
          seed: o.seed,
          replication: (first + p) * R + r,
        })),
      ),
    );
    const out = await o.backend(requests, () => {
      simulations++;
      o.onProgress?.(Math.min(1, simulations / totalPlanned));
    });
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
  // Each wave adds a set of emulators (one per target), fitted on the runs the earlier sets do not rule
  // out: the function is simpler there than over the whole prior (no saturated corners), so the new set
  // is sharper where it matters. A vector must pass every set (Vernon et al.'s refocusing).
  const emSets: Emulator[][] = [];
  const observed = targets.map((t) => g(t, t.value));
  const localRuns = (): Run[] => {
    if (emSets.length === 0) return runs;
    const I = screen(
      runs.map((r) => r.u),
      emSets,
      obsVar,
      discVar,
      observed,
    ).map((x) => x.I);
    const local = runs.filter((_, i) => I[i]! < cut);
    return local.length >= 2 * d + 4 ? local : runs;
  };
  const addSet = () => {
    const train = localRuns();
    const set = targets.map(() => o.emulator(d));
    fitEmulators(set, train, rng);
    emSets.push(set);
  };
  const uniformIn = (b: typeof box, n: number) =>
    Array.from({ length: n }, () => b.lo.map((l, k) => l + rng() * (b.hi[k]! - l)));

  for (let w = 1; w <= o.waves; w++) {
    // Later waves: half the design where the measurements are likely (to sharpen the emulators where
    // the plausible set will be), half spread over everything not ruled out (so nothing is missed).
    let design: number[][];
    const n = waveSize(w);
    if (w === 1) {
      design = latinHypercube(n, box.lo, box.hi, rng);
    } else {
      // When the last wave ruled everything out, its emulators were overconfident: design among the
      // least implausible candidates instead.
      let kept = screened.filter((s) => s.I < cut);
      if (kept.length === 0) kept = [...screened].sort((a, b) => a.I - b.I).slice(0, 4 * n);
      const top = Math.max(...kept.map((s) => s.logLik));
      const likely = weightedSampleWithoutReplacement(
        kept.map((s) => Math.exp(s.logLik - top)),
        Math.ceil(n / 2),
        rng,
      ).map((i) => kept[i]!.u);
      design = [
        ...likely,
        ...spreadSubset(
          kept.map((s) => s.u),
          n - likely.length,
          [...runs.map((r) => r.u), ...likely],
        ),
      ];
    }
    runs.push(...(await simulate(design)));
    addSet();
    screened = screen(uniformIn(box, nCand), emSets, obsVar, discVar, observed);
    const kept = screened.filter((s) => s.I < cut);
    const fraction = volume * (kept.length / screened.length);
    waves.push({
      wave: w,
      designPoints: design.length,
      simulations: design.length * C * R,
      notRuledOut: fraction,
      emulatorShare: median(kept.map((s) => s.emShare)),
    });
    // Refocus: the next candidates come from the box around what is left (with a margin for the
    // emulators' error); the box stays when nothing is left (the final check then decides).
    const left = screened.filter((s) => s.I < cut).map((s) => s.u);
    if (left.length === 0) continue;
    const lo = box.lo.map((_, k) => Math.min(...left.map((u) => u[k]!)));
    const hi = box.hi.map((_, k) => Math.max(...left.map((u) => u[k]!)));
    const margin = (k: number) => 0.1 * (hi[k]! - lo[k]!) + 0.5 / Math.cbrt(nCand);
    const next = {
      lo: lo.map((l, k) => Math.max(0, l - margin(k))),
      hi: hi.map((h, k) => Math.min(1, h + margin(k))),
    };
    volume = next.lo.reduce((a, l, k) => a * (next.hi[k]! - l), 1);
    box = next;
  }

  // Final draw, in rounds: candidates of the last box weighted by the likelihood of the measurements
  // under the current emulators, each drawn vector checked by simulation; the checked runs join the
  // emulators' data, so a round that dropped vectors (emulators too optimistic there) is followed by a
  // better-informed one, while the budget lasts.
  const samples: HistoryMatchResult['samples'] = [];
  const keptRuns: Run[] = [];
  const checkedRuns: Run[] = [];
  let drawn = 0;
  for (let round = 0; round < 4 && samples.length < o.samples; round++) {
    const left = Math.floor((o.budget - simulations) / (C * R));
    const want = o.samples - samples.length;
    const n =
      round === 0 ? want : Math.min(left, Math.ceil(want * Math.min(3, drawn / Math.max(1, samples.length))));
    if (n <= 0) break;
    // After a round, the last set is refitted with the checked runs (they lie where the plausible set is).
    if (round > 0) {
      emSets.pop();
      addSet();
    }
    const finalScreen = screen(uniformIn(box, nCand * 2), emSets, obsVar, discVar, observed);
    let pool = finalScreen.filter((s) => s.I < cut);
    if (pool.length === 0) {
      finalScreen.sort((a, b) => a.I - b.I);
      pool = finalScreen.slice(0, Math.max(10, n));
      warning ??= 'no candidate of the last wave fell below the cut; the least implausible were drawn';
    }
    const maxLl = Math.max(...pool.map((s) => s.logLik));
    const picked = weightedSampleWithoutReplacement(
      pool.map((s) => Math.exp(s.logLik - maxLl)),
      n,
      rng,
    ).map((i) => pool[i]!.u);
    const checked = await simulate(picked);
    drawn += checked.length;
    runs.push(...checked);
    checkedRuns.push(...checked);
    // The simulator's noise where the plausible vectors are: pooled over the vectors checked so far.
    const sv = targets.map((_, k) => mean(checkedRuns.map((r) => r.varOfMean[k]!)));
    for (const run of checked) {
      let I = 0;
      targets.forEach((t, k) => {
        I = Math.max(
          I,
          Math.abs(g(t, t.value) - run.mean[k]!) / Math.sqrt(sv[k]! + obsVar[k]! + discVar[k]!),
        );
      });
      if (I < cut && samples.length < o.samples) {
        samples.push({
          u: run.u,
          values: vectorValues(o.priors, run.u),
          implausibility: Number(I.toPrecision(4)),
        });
        keptRuns.push(run);
      }
    }
  }
  if (samples.length === 0) {
    // Nothing passed: keep the least implausible checked vectors, and say so.
    const sv = targets.map((_, k) => mean(checkedRuns.map((r) => r.varOfMean[k]!)));
    const scored = checkedRuns
      .map((run) => ({
        run,
        I: Math.max(
          ...targets.map(
            (t, k) => Math.abs(g(t, t.value) - run.mean[k]!) / Math.sqrt(sv[k]! + obsVar[k]! + discVar[k]!),
          ),
        ),
      }))
      .sort((a, b) => a.I - b.I)
      .slice(0, Math.max(5, Math.ceil(o.samples / 4)));
    for (const x of scored) {
      samples.push({
        u: x.run.u,
        values: vectorValues(o.priors, x.run.u),
        implausibility: Number(x.I.toPrecision(4)),
      });
      keptRuns.push(x.run);
    }
    warning ??= `no drawn vector reproduced every measurement within ${cut} standard deviations by simulation; the least implausible were kept: the model may not fit these measurements (widen the priors or add discrepancy)`;
  }
  const sv = targets.map((_, k) => mean(checkedRuns.map((r) => r.varOfMean[k]!)));
  const back = (t: Target, y: number) => (t.log ? Math.exp(y) : y);
  const fit: FitRow[] = targets.map((t, k) => {
    const ys = keptRuns.map((r) => back(t, r.mean[k]!));
    return {
      measurement: o.configs[t.config]!.name,
      metric: t.metric,
      measured: t.value,
      ci95: t.ci95,
      predicted: { mean: ys.length ? mean(ys) : NaN, lo: quantile(ys, 0.05), hi: quantile(ys, 0.95) },
      simulationRelSd: Math.sqrt(sv[k]!) / (t.log ? 1 : Math.abs(t.value)),
    };
  });
  return {
    samples,
    rejectedByCheck: drawn - samples.length,
    waves,
    fit,
    simulations,
    ...(warning ? { warning } : {}),
  };
}

function median(xs: readonly number[]): number {
  return xs.length ? quantile(xs, 0.5) : NaN;
}

/** Fits each target's emulator on every run so far. */
function fitEmulators(ems: readonly Emulator[], runs: readonly Run[], rng: () => number): void {
  ems.forEach((em, k) =>
    em.fit(
      runs.map((r) => r.u),
      runs.map((r) => r.mean[k]!),
      rng,
    ),
  );
}

/**
 * Implausibility (the largest over every set's targets), and under the last (sharpest) set the Gaussian
 * log-likelihood and the emulators' share of the variance, of each candidate.
 */
function screen(
  cands: readonly number[][],
  sets: readonly (readonly Emulator[])[],
  obsVar: readonly number[],
  discVar: readonly number[],
  observed: readonly number[],
) {
  const earlier = sets.slice(0, -1).map((ems) => ems.map((em) => em.predict(cands)));
  const ems = sets[sets.length - 1]!;
  const preds = ems.map((em) => em.predict(cands));
  return cands.map((u, i) => {
    let I = 0,
      logLik = 0,
      share = 0;
    for (const set of earlier) {
      set.forEach((p, k) => {
        I = Math.max(
          I,
          Math.abs(observed[k]! - p.mu[i]!) / Math.sqrt(p.sd[i]! ** 2 + obsVar[k]! + discVar[k]!),
        );
      });
    }
    ems.forEach((_, k) => {
      const ve = preds[k]!.sd[i]! ** 2;
      const v = ve + obsVar[k]! + discVar[k]!;
      const z = (observed[k]! - preds[k]!.mu[i]!) / Math.sqrt(v);
      I = Math.max(I, Math.abs(z));
      // Without the normalizing −½·log v: a region the emulators know less well is not thereby less
      // plausible (the emulators' own uncertainty would otherwise deplete the plausible set where they
      // have seen fewer runs, e.g. along the edges of a parameter that does not matter).
      logLik += -0.5 * z * z;
      share = Math.max(share, ve / v);
    });
    return { u: [...u], I, logLik, emShare: share };
  });
}
