import { simulate } from '../model/index.js';
import type { Calibration, Dist, ResolvedScenario } from '../scenario/index.js';
import type { SpanRecord } from '../trace/index.js';
import { nelderMead } from './nelder-mead.js';

/** A training run the factors are fitted on: the scenario as it ran (its measured window) and what was measured. */
export interface TrainingRun {
  name: string;
  scenario: ResolvedScenario;
  measured: Summary;
}

/**
 * The summary statistics a run is matched on: response-time mean and p95, throughput, and the mean
 * duration of each stage and network span (`<service>.<stage>`), which tell the two factors apart
 * (both lengthen response times; only one lengthens downloads).
 */
export interface Summary {
  mean: number;
  p95: number;
  throughput: number;
  stages?: Record<string, number>;
}

/** Mean duration of the stage and network spans by `<service>.<name>`, those ending in a window if given. */
export function stageMeans(
  spans: readonly SpanRecord[],
  windows?: readonly { warmupEnd: number; end: number }[],
): Record<string, number> {
  const acc = new Map<string, { n: number; sum: number }>();
  for (const s of spans) {
    if (s.kind !== 'stage' && s.kind !== 'network') continue;
    if (windows && !windows.some((w) => s.end >= w.warmupEnd && s.end < w.end)) continue;
    const k = `${s.service}.${s.name}`;
    const a = acc.get(k) ?? { n: 0, sum: 0 };
    a.n++;
    a.sum += s.end - s.start;
    acc.set(k, a);
  }
  return Object.fromEntries(
    [...acc]
      .filter(([, a]) => a.n >= 5)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, a]) => [k, a.sum / a.n]),
  );
}

/**
 * Two scale factors for what the twin does not model and the stage spans cannot show directly:
 * `network` multiplies the sizes of network stages (a transfer on the testbed also pays TCP slow start
 * and the emulation's own costs, so it takes longer than its bytes over the link rate), `compute`
 * multiplies the demands of CPU and GPU stages (contention between co-located processes the model
 * does not have, beyond what the runs' spans already showed).
 */
export interface Factors {
  network: number;
  compute: number;
}

export interface FactorFit {
  factors: Factors;
  /** Σ over runs and metrics of squared relative errors, at the fit. */
  loss: number;
  evaluations: number;
  runs: { name: string; measured: Summary; simulated: Summary }[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };

/** A deep, unfrozen copy of a resolved scenario (plain data). */
function copy(s: ResolvedScenario): Mutable<ResolvedScenario> {
  return JSON.parse(JSON.stringify(s)) as Mutable<ResolvedScenario>;
}

/** A law with its mean scaled by `k` (a number, or any law given by its mean; others unchanged). */
export function scaleDist(d: Dist, k: number): Dist {
  if (typeof d === 'number') return d * k;
  const o = d as Record<string, unknown>;
  if (typeof o.mean === 'number') return { ...o, mean: o.mean * k } as Dist;
  if (o.dist === 'uniform') return { ...o, min: (o.min as number) * k, max: (o.max as number) * k } as Dist;
  if (o.dist === 'empirical' && Array.isArray(o.samples))
    return { ...o, samples: (o.samples as number[]).map((x) => x * k) } as Dist;
  return d;
}

/** The scenario with a calibration's stage overrides applied, as the loader applies `calibration:`. */
export function withCalibration(s: ResolvedScenario, cal: Calibration): ResolvedScenario {
  const out = copy(s);
  for (const svc of out.services) {
    const stages = cal.services[svc.id]?.stages;
    if (!svc.app || !stages) continue;
    svc.app.stages = svc.app.stages.map((st) => {
      const o = stages[st.name];
      return o ? { ...st, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } : st;
    }) as typeof svc.app.stages;
  }
  out.layers = out.layers.map((l) => ({ ...l, services: out.services.filter((x) => x.layer === l.name) }));
  return out as ResolvedScenario;
}

/** The scenario with network sizes and compute demands scaled by the factors. */
export function withFactors(s: ResolvedScenario, f: Factors): ResolvedScenario {
  const out = copy(s);
  for (const svc of out.services) {
    if (!svc.app) continue;
    svc.app.stages = svc.app.stages.map((st) => {
      if (st.resource === 'network' && st.sizeBytes !== undefined)
        return { ...st, sizeBytes: scaleDist(st.sizeBytes, f.network) };
      if ((st.resource === 'cpu' || st.resource === 'gpu') && st.demand !== undefined)
        return { ...st, demand: scaleDist(st.demand, f.compute) };
      return st;
    }) as typeof svc.app.stages;
  }
  out.layers = out.layers.map((l) => ({ ...l, services: out.services.filter((x) => x.layer === l.name) }));
  return out as ResolvedScenario;
}

/**
 * Fits the factors (reference §3.2, indirect calibration): minimizes Σ_runs Σ_m ((S_m − O_m)/O_m)² over
 * the summary statistics of the training runs (mean and p95 response time, throughput, and the mean
 * duration of each stage the run measured), each run simulated with the calibration applied over its
 * measured window, with fixed seeds (common random numbers: the loss is deterministic), by Nelder–Mead
 * on the logarithms of the factors (both within [1/4, 4]).
 */
export function fitFactors(
  runs: readonly TrainingRun[],
  cal: Calibration,
  options: {
    replications?: number;
    seed?: number;
    maxEvaluations?: number;
    onEvaluation?: (n: number, loss: number) => void;
  } = {},
): FactorFit {
  // Spans of every request after the warm-up (of replication 0) for the stage means.
  const bases = runs.map((r) => {
    const b = withCalibration(r.scenario, cal);
    return { ...b, run: { ...b.run, spanSample: 50_000 } };
  });
  const replications = options.replications ?? 5;
  const clamp = (u: number) => Math.min(Math.log(4), Math.max(-Math.log(4), u));
  const toFactors = (u: number[]): Factors => ({
    network: Math.exp(clamp(u[0]!)),
    compute: Math.exp(clamp(u[1]!)),
  });
  const cache = new Map<string, { loss: number; simulated: Summary[] }>();
  let evaluations = 0;
  const evaluate = (u: number[]) => {
    const f = toFactors(u);
    const id = JSON.stringify(f);
    let hit = cache.get(id);
    if (!hit) {
      const simulated = bases.map((b, i): Summary => {
        const { result, spans } = simulate(withFactors(b, f), {
          replications,
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
        });
        const wanted = runs[i]!.measured.stages;
        const all = wanted ? stageMeans(spans) : {};
        return {
          mean: result.responseTime.mean,
          p95: result.responseTime.p95,
          throughput: result.throughput,
          ...(wanted
            ? { stages: Object.fromEntries(Object.keys(wanted).map((k) => [k, all[k] ?? NaN])) }
            : {}),
        };
      });
      let loss = 0;
      simulated.forEach((s, i) => {
        const m = runs[i]!.measured;
        for (const k of ['mean', 'p95', 'throughput'] as const) loss += ((s[k] - m[k]) / m[k]) ** 2;
        for (const [k, v] of Object.entries(m.stages ?? {})) loss += ((s.stages![k]! - v) / v) ** 2;
      });
      hit = { loss: Number.isFinite(loss) ? loss : 1e9, simulated };
      cache.set(id, hit);
      options.onEvaluation?.(++evaluations, hit.loss);
    }
    // Outside the box the loss grows with the distance, so the simplex comes back in.
    return hit.loss + u.reduce((a, x) => a + Math.abs(x - clamp(x)), 0);
  };
  const r = nelderMead(evaluate, [0, 0], {
    step: [0.3, 0.3],
    tolerance: 1e-6,
    maxEvaluations: options.maxEvaluations ?? 60,
  });
  const factors = toFactors(r.x);
  const best = cache.get(JSON.stringify(factors))!;
  return {
    factors,
    loss: best.loss,
    evaluations: cache.size,
    runs: runs.map((run, i) => ({ name: run.name, measured: run.measured, simulated: best.simulated[i]! })),
  };
}

/**
 * The calibration with the factors written in: compute demand laws scaled, and each network stage of
 * the scenario given its size law scaled (an effective size: bytes plus what the transfer costs beyond
 * them), with the provenance of both.
 */
export function calibrationWithFactors(
  cal: Calibration,
  scenario: ResolvedScenario,
  fit: FactorFit,
  sources: readonly string[],
): Calibration {
  const services: Calibration['services'] = JSON.parse(
    JSON.stringify(cal.services),
  ) as Calibration['services'];
  const round = (x: number) => Number(x.toPrecision(6));
  const roundDist = (d: Dist): Dist =>
    typeof d === 'number'
      ? round(d)
      : (Object.fromEntries(
          Object.entries(d).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]),
        ) as Dist);
  for (const svc of scenario.services) {
    for (const st of svc.app?.stages ?? []) {
      const cur = services[svc.id]?.stages[st.name];
      if (st.resource === 'network' && st.sizeBytes !== undefined) {
        ((services[svc.id] ??= { stages: {} }).stages[st.name] ??= {}).sizeBytes = roundDist(
          scaleDist(cur?.sizeBytes ?? st.sizeBytes, fit.factors.network),
        );
      } else if ((st.resource === 'cpu' || st.resource === 'gpu') && st.demand !== undefined) {
        // As the fit scaled them: every compute demand, fitted or the scenario's own.
        ((services[svc.id] ??= { stages: {} }).stages[st.name] ??= {}).demand = roundDist(
          scaleDist(cur?.demand ?? st.demand, fit.factors.compute),
        );
      }
    }
  }
  const provenance = {
    ...cal.provenance,
    factors: {
      method:
        'indirect calibration: network stage sizes and fitted compute demands scaled by two factors chosen by Nelder–Mead (log space, fixed seeds) to minimize Σ squared relative errors of mean, p95 and throughput over the training runs',
      network: round(fit.factors.network),
      compute: round(fit.factors.compute),
      loss: round(fit.loss),
      evaluations: fit.evaluations,
      runs: fit.runs.map((r) => ({
        name: r.name,
        measured: roundAll(r.measured),
        simulated: roundAll(r.simulated),
      })),
      from: sources,
    },
  };
  return {
    description:
      `${cal.description ?? ''} Network sizes and compute demands scaled by factors fitted on the same runs.`.trim(),
    provenance,
    services,
  };
}

const roundAll = (m: Summary): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(m).map(([k, v]) => [
      k,
      typeof v === 'number' ? Number(v.toPrecision(5)) : roundAll(v as Summary),
    ]),
  );
