import type { CheckContext } from './checks.js';
import { ScenarioErrorCode, type ScenarioIssue } from './errors.js';
import { lawMean } from './law-mean.js';
import { LIMITS, limitText } from './limits.js';
import type { Origin } from './presets.js';
import type { Dist, Profile } from './schema/index.js';

/**
 * The scenario-wide sizes of {@link LIMITS} that no single field shows: instances, users, arrival rate and
 * GPUs summed over the services, and the means of the laws that size the work (demands, bytes, items).
 * Per-field limits (a pool's threads, a service's quantity…) are in the schema itself.
 */
export function checkBudgets(ctx: CheckContext): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const top = ctx.at([]);
  const add = (o: Origin, p: PropertyKey[], msg: string) =>
    issues.push(o.src.issue(ScenarioErrorCode.INVALID_VALUE, [...o.base, ...p], msg));

  // Totals: each names the limit and is placed at the largest contributor.
  const totals = {
    instances: new Total('host instances', LIMITS.instances),
    users: new Total('closed-loop users (users × quantity × the population peak)', LIMITS.users),
    rate: new Total('arrivals per second (ratePerS × quantity × the profile peak)', LIMITS.ratePerS),
    gpus: new Total('GPUs (count × quantity)', LIMITS.gpusTotal),
  };
  ctx.doc.layers.forEach((layer, li) =>
    layer.services.forEach((s, si) => {
      const sp = ['layers', li, 'services', si];
      totals.instances.add(s.quantity, [...sp, 'quantity']);
      const w = s.workload;
      if (w?.kind === 'closed')
        totals.users.add(w.users * s.quantity * (w.population ? profilePeak(w.population) : 1), [
          ...sp,
          'workload',
          'users',
        ]);
      if (w?.kind === 'open')
        totals.rate.add(w.ratePerS * s.quantity * (w.profile ? profilePeak(w.profile) : 1), [
          ...sp,
          'workload',
          'ratePerS',
        ]);
      const gpu = ctx.hosts[li]?.[si]?.gpu;
      if (gpu) totals.gpus.add(gpu.count * s.quantity, [...sp, 'host']);
      for (const [name, o] of Object.entries(s.stages)) {
        if (o.demand !== undefined)
          checkMean(o.demand, LIMITS.demandMeanS, 's', 'demand', (m) =>
            add(top, [...sp, 'stages', name, 'demand'], m),
          );
        if (o.sizeBytes !== undefined)
          checkMean(o.sizeBytes, LIMITS.sizeMeanBytes, 'bytes', 'size', (m) =>
            add(top, [...sp, 'stages', name, 'sizeBytes'], m),
          );
      }
    }),
  );
  for (const t of Object.values(totals)) {
    if (t.sum > t.limit && t.largest)
      add(
        top,
        t.largest,
        `the scenario has ${fmt(t.sum)} ${t.what} in all, more than e2ctwin's limit of ${limitText(t.limit)} (a larger run would exhaust memory)`,
      );
  }

  // Laws that size the work, in the app models (each app once, where it is written).
  const seen = new Set<string>();
  for (const entry of ctx.apps.flat()) {
    if (!entry) continue;
    const { app, origin } = entry;
    const key = `${origin.src.file}:${origin.base.join('.')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const at = (p: PropertyKey[]) => (m: string) => add(origin, p, m);
    checkMean(app.items, LIMITS.itemsMean, 'items', 'items', at(['items']));
    checkMean(app.requestBytes, LIMITS.sizeMeanBytes, 'bytes', 'size', at(['requestBytes']));
    checkMean(app.responseBytes, LIMITS.sizeMeanBytes, 'bytes', 'size', at(['responseBytes']));
    app.stages.forEach((st, ti) => {
      if (st.demand !== undefined)
        checkMean(st.demand, LIMITS.demandMeanS, 's', 'demand', at(['stages', ti, 'demand']));
      if (st.sizeBytes !== undefined)
        checkMean(st.sizeBytes, LIMITS.sizeMeanBytes, 'bytes', 'size', at(['stages', ti, 'sizeBytes']));
    });
  }
  return issues;
}

class Total {
  sum = 0;
  #max = -1;
  largest: PropertyKey[] | undefined;
  constructor(
    readonly what: string,
    readonly limit: number,
  ) {}
  add(n: number, at: PropertyKey[]): void {
    this.sum += n;
    if (n > this.#max) {
      this.#max = n;
      this.largest = at;
    }
  }
}

/** The largest multiplier a profile reaches. */
function profilePeak(p: Profile): number {
  switch (p.kind) {
    case 'constant':
      return 1;
    case 'ramp':
      return Math.max(p.from, p.to);
    case 'daily':
      return 1 + p.amplitude;
    case 'spring-peak':
      return Math.max(p.base, p.peak);
    case 'piecewise':
      return Math.max(...p.points.map(([, m]) => m));
  }
}

function checkMean(d: Dist, limit: number, unit: string, what: string, report: (msg: string) => void): void {
  const mean = lawMean(d);
  if (!Number.isFinite(mean))
    report(
      `this ${what} law has no finite mean; give one below e2ctwin's limit of ${limitText(limit)} ${unit}`,
    );
  else if (mean > limit)
    report(
      `this ${what} law has a mean of ${fmt(mean)} ${unit}, more than e2ctwin's limit of ${limitText(limit)} ${unit}`,
    );
}

const fmt = (n: number): string =>
  Number.isInteger(n) && n < 1e15
    ? n.toLocaleString('en-US')
    : n >= 1e15 || (n !== 0 && n < 1e-3)
      ? n.toExponential(3)
      : Number(n.toPrecision(6)).toLocaleString('en-US');
