import type { Estimate, ValidationReport } from '../calibrate/index.js';
import { num, pct, table } from './table.js';

/** `0.512 ± 0.013` (the half-width of the 95 % interval; none with a single run). */
function est(e: Estimate, digits = 4): string {
  const h = (e.hi - e.lo) / 2;
  return h > 0 && Number.isFinite(h) ? `${num(e.value, digits)} ± ${num(h, 2)}` : num(e.value, digits);
}

/** Overrides shown short: the last segment of each path (`users=4 extract=1`). */
function shortSet(set: readonly string[]): string {
  return (
    set
      .map((s) => {
        const eq = s.indexOf('=');
        return `${s.slice(0, eq).split('.').pop()}=${s.slice(eq + 1)}`;
      })
      .join(' ') || '(scenario)'
  );
}

/** The human report of validate-twin: per configuration twin vs testbed, then the scores and targets. */
export function validationTable(r: ValidationReport): string {
  const o = r.overall;
  const out: string[] = [];
  out.push(
    table([
      [
        'config',
        'overrides',
        'mean s twin',
        'testbed',
        'err',
        'p95 s twin',
        'testbed',
        'err',
        'req/s twin',
        'testbed',
        'err',
        'KS',
      ],
      ...r.configs.map((c) => [
        c.name,
        shortSet(c.set),
        est(c.predicted.mean),
        est(c.measured.mean),
        pct(c.error.mean),
        est(c.predicted.p95),
        est(c.measured.p95),
        pct(c.error.p95),
        est(c.predicted.throughput),
        est(c.measured.throughput),
        pct(c.error.throughput),
        num(c.ks, 2),
      ]),
    ]),
  );
  out.push('');
  const per = (x: Record<'mean' | 'p95' | 'throughput', number>, f: (v: number) => string) =>
    `mean ${f(x.mean)}, p95 ${f(x.p95)}, throughput ${f(x.throughput)}`;
  const signed = (v: number) => (v > 0 ? `+${pct(v)}` : pct(v));
  out.push(
    `${o.configurations} configuration${o.configurations === 1 ? '' : 's'} scored (twin: ${r.setup.replications} replications each; testbed: ${r.setup.liveRepetitions ?? '?'} repetitions of the measured window)`,
  );
  out.push(`MAPE            ${per(o.mape, (v) => pct(v))}`);
  out.push(`bias            ${per(o.bias, signed)}   (positive: the twin predicts too high)`);
  out.push(
    `KS distance     mean ${num(o.ks.mean, 3)}, max ${num(o.ks.max, 3)}   (response-time distributions, twin vs testbed; Wasserstein-1 mean ${num(o.wassersteinMean, 3)} s)`,
  );
  out.push(`Spearman ρ      ${per(o.spearman, (v) => num(v, 3))}   (ranking of the configurations)`);
  out.push(
    `regret          ${per(o.regret, (v) => num(v, 4))}   (testbed value of the twin's best / best measured; 1 = same pick)`,
  );
  out.push(
    `testbed noise   ${per(o.noiseFloor, (v) => pct(v))}   (mean relative 95 % half-width of the measured values)`,
  );
  out.push('');
  out.push('targets:');
  for (const t of r.targets) {
    const v = /MAPE/.test(t.what)
      ? pct(t.value)
      : Number.isInteger(t.value)
        ? String(t.value)
        : num(t.value, 3);
    const b = /MAPE/.test(t.what) ? pct(t.bound, 0) : String(t.bound);
    out.push(`  ${t.met ? 'met ' : 'MISS'}  ${t.what} ${v} (target ${t.op} ${b})`);
  }
  if (r.missing.length > 0) {
    const corrupt = r.missing.filter((m) => m.corrupt).length;
    out.push(
      '',
      `missing (not scored): ${r.missing.length}${corrupt > 0 ? `, of which ${corrupt} corrupt run folder${corrupt === 1 ? '' : 's'} skipped` : ''}`,
    );
    for (const m of r.missing)
      out.push(`  ${m.name}: ${m.corrupt ? 'corrupt run folder, skipped: ' : ''}${m.reason}`);
  }
  return out.join('\n');
}
