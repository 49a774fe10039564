import type { SimulationResult } from '../model/index.js';
import type { ResolvedScenario } from '../scenario/index.js';
import { clock, count, num, pct, table } from './table.js';

const pm = (r: SimulationResult, key: string, unit = '') => {
  const c = r.ci95[key];
  return c && Number.isFinite(c.halfWidth) ? `± ${num(c.halfWidth, 2)}${unit}` : '';
};

/** The human summary of a simulation: what a user reads first. */
export function summaryTable(s: ResolvedScenario, r: SimulationResult): string {
  const run = s.run;
  const out: string[] = [];
  const length = run.duration !== undefined ? `${run.duration} s` : `${run.requests} requests`;
  out.push(
    `${s.name}: ${r.replications} replication${r.replications === 1 ? '' : 's'} × ${length} (warm-up ${run.warmup} s), seed ${r.seed}`,
  );
  if (!r.feasible) out.push(`INFEASIBLE: ${r.infeasible.join('; ')}`);
  out.push('');
  const rt = r.responseTime;
  out.push(
    table([
      ['', 'mean', '95% CI'],
      ['response time mean', `${num(rt.mean)} s`, pm(r, 'responseTime.mean', ' s')],
      ['response time p50', `${num(rt.p50)} s`, pm(r, 'responseTime.p50', ' s')],
      ['response time p95', `${num(rt.p95)} s`, pm(r, 'responseTime.p95', ' s')],
      ['response time p99', `${num(rt.p99)} s`, pm(r, 'responseTime.p99', ' s')],
      ['throughput', `${num(r.throughput)} req/s`, pm(r, 'throughput')],
      ['requests in system', num(r.inSystem.mean), pm(r, 'inSystem.mean')],
      ['completed', count(r.completed), ''],
      ['rejected', `${count(r.rejected)} (${pct(r.rejectionProbability, 2)})`, ''],
      ['abandoned', `${count(r.abandoned)} (${pct(r.abandonmentProbability, 2)})`, ''],
      // Live runs only: requests that got no answer (a dead service), apart from the app's refusals.
      ...(r.failed > 0
        ? [['failed (no answer)', `${count(r.failed)} (${pct(r.failureProbability, 2)})`, '']]
        : []),
      // A workload with a per-attempt timeout (retry.timeoutS): attempts given up, of all attempts sent.
      ...(r.attempts !== undefined
        ? [
            [
              'attempts timed out',
              `${count(r.attempts.timedOut)} (${pct(r.attempts.timedOut / Math.max(1, r.arrived + r.attempts.retries), 2)} of attempts; ${count(r.attempts.retries)} retries)`,
              '',
            ],
          ]
        : []),
    ]),
  );
  const pools = Object.entries(r.pools);
  if (pools.length > 0) {
    out.push('');
    out.push(
      table([
        ['pool', 'size', 'utilization', 'mean queue', 'P(wait)', 'rejected'],
        ...pools.map(([name, p]) => [
          name,
          String(p.size),
          pct(p.utilization),
          num(p.meanQueue, 3),
          pct(p.waitProbability),
          count(p.rejected),
        ]),
      ]),
    );
  }
  const services = Object.entries(r.services).filter(
    ([, v]) =>
      !Number.isNaN(v.cpuUtilization) || !Number.isNaN(v.gpuUtilization) || v.energyJ > 0 || v.cost > 0,
  );
  if (services.length > 0) {
    out.push('');
    out.push(
      table([
        ['service', 'hosts', 'CPU util.', 'GPU util.', 'GPU mem GiB', 'energy kJ', 'cost'],
        ...services.map(([id, v]) => [
          id,
          Number.isInteger(v.quantity) ? String(v.quantity) : num(v.quantity, 3), // a time-weighted mean when scaled
          pct(v.cpuUtilization),
          pct(v.gpuUtilization),
          v.gpuMemoryGiB ? num(v.gpuMemoryGiB, 3) : '–',
          num(v.energyJ / 1000, 4),
          num(v.cost, 3),
        ]),
      ]),
    );
  }
  out.push('');
  const gpuCap = Math.max(0, ...s.services.map((x) => x.host.gpu?.memoryGiB ?? 0));
  out.push(
    `GPU memory peak ${num(r.gpuMemoryPeakGiB, 3)} GiB${gpuCap ? ` (of ${gpuCap} GiB per GPU)` : ''} · energy ${num(r.energyJ / 1000, 4)} kJ · cost ${num(r.cost, 3)} over ${num(r.measuredSeconds, 4)} s measured · ${num(r.events, 4)} events per replication`,
  );
  const varying = s.services.some(
    (x) =>
      (x.workload?.kind === 'closed' && x.workload.population) ||
      (x.workload?.kind === 'open' && x.workload.profile),
  );
  if (varying && r.timeline.windowS > 0) out.push('', timelineTable(s, r));
  const checks = Object.entries(r.expect);
  if (checks.length > 0) {
    out.push('');
    out.push(
      table([
        ['reference value', 'expected', 'simulated', 'rel. error', '95% CI', 'inside'],
        ...checks.map(([k, c]) => [
          k,
          num(c.expected, 5),
          num(c.simulated, 5),
          pct(c.relativeError, 2),
          Number.isFinite(c.lo) ? `[${num(c.lo, 5)}, ${num(c.hi, 5)}]` : '–',
          Number.isFinite(c.lo) ? (c.insideCi ? 'yes' : 'no') : '–',
        ]),
      ]),
    );
  }
  return out.join('\n');
}

/** Response time over time for time-varying workloads, and when it first crosses the users' patience. */
function timelineTable(s: ResolvedScenario, r: SimulationResult): string {
  const tl = r.timeline;
  const rows: string[][] = [['time', 'mean response', 'throughput', 'abandoned/s']];
  const stride = Math.max(1, Math.round(tl.start.length / 12));
  for (let i = 0; i < tl.start.length; i += stride) {
    // Each printed row averages the windows it stands for.
    const idx = Array.from({ length: Math.min(stride, tl.start.length - i) }, (_, k) => i + k);
    const done = idx.reduce((a, k) => a + (tl.throughput[k] ?? 0), 0);
    const rt =
      idx.reduce(
        (a, k) =>
          a +
          (Number.isFinite(tl.responseTimeMean[k]!) ? tl.responseTimeMean[k]! * (tl.throughput[k] ?? 0) : 0),
        0,
      ) / done;
    rows.push([
      clock(tl.start[i]!),
      `${num(rt, 3)} s`,
      `${num(done / idx.length, 3)} req/s`,
      num(idx.reduce((a, k) => a + tl.abandoned[k]!, 0) / (idx.length * tl.windowS), 3),
    ]);
  }
  const patience = Math.min(...s.services.map((x) => x.workload?.patienceS ?? Infinity));
  const lines = [table(rows)];
  if (Number.isFinite(patience)) {
    const first = tl.responseTimeMean.findIndex((x) => x > patience);
    lines.push(
      first < 0
        ? `mean response time stays under the ${patience} s patience throughout`
        : `mean response time first above the ${patience} s patience at ${clock(tl.start[first]!)} (window of ${num(tl.windowS, 3)} s)`,
    );
  }
  return lines.join('\n');
}
