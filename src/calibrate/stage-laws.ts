import type { Calibration, ResolvedScenario } from '../scenario/index.js';
import type { SpanRecord } from '../trace/index.js';
import { fitContention, type ContentionFit } from './contention.js';
import { fitLaws, type FittedLaw } from './fit-laws.js';

/** The fit of one stage's demand law, with the alternatives it beat. */
export interface StageFit {
  service: string;
  stage: string;
  samples: number;
  /** Multiplier from measured duration to demand on the reference core or GPU (the host's speed). */
  speed: number;
  best: FittedLaw;
  all: FittedLaw[];
  /** GPU stages: the concurrency curve fitted with the demand (durations are then implied demands). */
  contention?: ContentionFit;
}

/**
 * Fits each stage's demand law from the `stage` spans of measured (or simulated) runs: the time a
 * stage held its thread doing its work, queueing excluded. Durations are converted to demand on the
 * reference core or GPU with the host's speed. Contention inflates durations, so runs at light load
 * give the cleanest demand laws; heavier runs are better used for the indirect fit (`e2ctwin fit`).
 */
export function fitStageLaws(
  spans: readonly SpanRecord[],
  scenario?: ResolvedScenario,
  minSamples = 20,
): StageFit[] {
  const groups = new Map<string, number[]>();
  for (const s of spans) {
    if (s.kind !== 'stage') continue;
    const key = `${s.service}\u0000${s.name}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(s.end - s.start);
  }
  const out: StageFit[] = [];
  for (const [key, durations] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [service, stage] = key.split('\u0000') as [string, string];
    if (durations.filter((d) => d > 0).length < minSamples) continue;
    const svc = scenario?.services.find((x) => x.id === service);
    const st = svc?.app?.stages.find((x) => x.name === stage);
    if (st && (st.resource === 'network' || st.resource === 'forward')) continue;
    const speed =
      st?.resource === 'gpu'
        ? (svc?.host.gpu?.speed ?? 1)
        : st?.resource === 'cpu'
          ? (svc?.host.cpu.speed ?? 1)
          : 1;
    // A GPU shared by concurrent jobs slows each one down: fit its curve and the demand it implies.
    const contention = st?.resource === 'gpu' ? fitContention(spans, service, stage) : undefined;
    const all = fitLaws((contention ? contention.implied : durations).map((d) => d * speed));
    out.push({
      service,
      stage,
      samples: durations.length,
      speed,
      best: all[0]!,
      all,
      ...(contention ? { contention } : {}),
    });
  }
  return out;
}

/** A calibration params file (the scenario's `calibration:` include) from stage fits. */
export function calibrationFromFits(fits: readonly StageFit[], sources: readonly string[]): Calibration {
  const services: Calibration['services'] = {};
  const provenance: Record<string, unknown> = {};
  for (const f of fits) {
    const b = f.best;
    const demand =
      b.dist === 'exponential'
        ? { dist: 'exponential' as const, mean: round(b.mean) }
        : { dist: b.dist, mean: round(b.mean), cv: round(b.cv) };
    const c = f.contention;
    (services[f.service] ??= { stages: {} }).stages[f.stage] = c
      ? {
          demand,
          concurrency: { maxSpeedup: round(c.maxSpeedup), halfConcurrency: round(c.halfConcurrency) },
        }
      : { demand };
    provenance[`${f.service}.${f.stage}.demand`] = {
      method: `maximum likelihood, ${b.dist} chosen by AIC among ${f.all.map((a) => a.dist).join(', ')}`,
      samples: f.samples,
      ks: round(b.ks),
      aic: Object.fromEntries(f.all.map((a) => [a.dist, round(a.aic)])),
      speedFactor: f.speed,
      from: sources,
    };
    if (c) {
      provenance[`${f.service}.${f.stage}.concurrency`] = {
        method:
          'processor-sharing demands ∫ rate(n)/n dt made independent of concurrency (minimum cv), Nelder–Mead',
        samples: c.samples,
        meanConcurrency: round(c.meanConcurrency),
        impliedDemandCv: round(c.demandCv),
        from: sources,
      };
    }
  }
  return { description: `Stage demand laws fitted from ${sources.length} run(s).`, provenance, services };
}

const round = (x: number) => Number(x.toPrecision(6));
