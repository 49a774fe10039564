import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Evaluation } from '../../src/explore/evaluator.js';
import {
  constraintsFrom,
  deriveMetrics,
  objectivesFrom,
  parseConstraint,
  parseObjective,
  violation,
  type Constraint,
  type Objective,
} from '../../src/explore/objectives.js';
import { optimize } from '../../src/explore/optimize.js';
import type { Algorithm } from '../../src/explore/optimizers/index.js';
import { PiscinaRunner } from '../../src/explore/piscina-runner.js';
import type { TrialRunner } from '../../src/explore/runner.js';
import type { TrialOutput, TrialTask } from '../../src/explore/trial.js';
import type { Config } from '../../src/explore/space.js';
import { openStudy, type Study } from '../../src/explore/study.js';
import { cpuProbe, e2ctwin, fmt, memoryProbe, printTable, repoRoot } from '../measure.js';
import { median } from '../against.js';
import { formatRatios, summarizeRatios } from '../pairs.js';

const scenario = path.join(repoRoot, 'scenarios/plantnet.yaml');
const P = (s: string) => `cloud.engine.pools.${s}`;

/**
 * The same simulations without piscina: `processes` separate Node processes, each running its share of the
 * tasks through the bundled worker function. What the machine gives this workload in parallel.
 */
async function processesOnce(processes: number, params: string[]): Promise<number> {
  const runner = new PiscinaRunner(1);
  let tasks: unknown[];
  try {
    const study = openStudy({ file: scenario, params, runner, replications: 1 });
    tasks = study.space.grid().map((config) => study.evaluator.task(config, 0, 0));
  } finally {
    await runner.close();
  }
  const worker = path.join(repoRoot, 'dist/explore/worker.js');
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: processes },
      (_, k) =>
        new Promise<void>((resolve, reject) => {
          const mine = tasks.filter((_, i) => i % processes === k);
          const code = `const { default: work } = await import(${JSON.stringify(worker)}); for (const t of ${JSON.stringify(mine)}) work(t);`;
          const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: 'ignore' });
          child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`exit ${c}`))));
        }),
    ),
  );
  return (performance.now() - t0) / 1000;
}

/** A runner that adds up the time the simulations themselves took (measured inside the workers). */
class TimedRunner implements TrialRunner {
  inside = 0;
  /** Seconds inside `Simulation.run()` (`inside` also counts loading the scenario and building the model). */
  running = 0;
  constructor(readonly inner: TrialRunner) {}
  get concurrency() {
    return this.inner.concurrency;
  }
  get description() {
    return this.inner.description;
  }
  async run(task: TrialTask, signal?: AbortSignal): Promise<TrialOutput> {
    const out = await this.inner.run(task, signal);
    if (out.ok) {
      this.inside += out.wallMs / 1000;
      this.running += (out.runMs ?? out.wallMs) / 1000;
    }
    return out;
  }
  close() {
    return this.inner.close();
  }
}

async function sweepOnce(
  workers: number,
  params: string[],
  overrides: string[],
): Promise<{ seconds: number; inside: number; running: number; hash: string; n: number }> {
  const t0 = performance.now();
  const runner = new TimedRunner(new PiscinaRunner(workers));
  try {
    const study = openStudy({ file: scenario, params, overrides, runner, replications: 1 });
    const evals = await study.evaluator.evaluate(study.space.grid().map((config) => ({ config })));
    const text = JSON.stringify(evals.map((e) => ({ config: e.config, seed: e.seed, reps: e.reps })));
    return {
      seconds: (performance.now() - t0) / 1000,
      inside: runner.inside,
      running: runner.running,
      hash: createHash('sha256').update(text).digest('hex').slice(0, 16),
      n: evals.length,
    };
  } finally {
    await runner.close();
  }
}

interface SweepSeries {
  speedup: number;
  slowdown: number;
  identical: boolean;
  perTrialS: number;
  /** Per trial, with 1 worker: seconds in the worker besides `Simulation.run()`, and outside the worker. */
  overhead: { worker: number; around: number };
}

/** Sweeps with 1 and 2 workers, alternated `rounds` times (other load on the machine comes and goes): each one's best. */
async function sweepSeries(params: string[], overrides: string[], rounds: number): Promise<SweepSeries> {
  const runs: {
    workers: number;
    seconds: number;
    inside: number;
    running: number;
    hash: string;
    n: number;
  }[] = [];
  for (let r = 0; r < rounds; r++)
    for (const workers of [1, 2]) runs.push({ workers, ...(await sweepOnce(workers, params, overrides)) });
  const best = (w: number) => Math.min(...runs.filter((r) => r.workers === w).map((r) => r.seconds));
  const inside = (w: number) =>
    runs.filter((r) => r.workers === w).reduce((a, r) => a + r.inside, 0) / rounds;
  printTable([
    [
      'workers',
      `wall s (${rounds} runs, pool start-up included)`,
      'best',
      'inside the simulations s (mean)',
      'results sha256',
    ],
    ...[1, 2].map((w) => {
      const rs = runs.filter((r) => r.workers === w);
      return [
        String(w),
        rs.map((r) => r.seconds.toFixed(2)).join(' / '),
        best(w).toFixed(2),
        inside(w).toFixed(2),
        rs[0]!.hash,
      ];
    }),
  ]);
  const trials = runs[0]!.n;
  // The overhead of the fastest 1-worker run: in the worker (loading, model, metrics) and around it
  // (pool start-up, messages, the coordinator's share).
  const one = runs.filter((r) => r.workers === 1).sort((a, b) => a.seconds - b.seconds)[0]!;
  return {
    speedup: best(1) / best(2),
    slowdown: inside(2) / inside(1),
    identical: new Set(runs.map((r) => r.hash)).size === 1,
    perTrialS: inside(1) / trials,
    overhead: { worker: (one.inside - one.running) / trials, around: (one.seconds - one.inside) / trials },
  };
}

/**
 * The sweep as users run it: `node bin/e2ctwin.js sweep … --workers 1` and `--workers 2`, alternated pair by
 * pair (the first of each pair rotating), each pair's ratio of wall times: the start-up of the command and
 * of its worker threads, the study store and the result files included.
 */
function installedSweep(params: string[], pairs: number): { ratios: number[]; one: number[]; two: number[] } {
  const once = (workers: number): number => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-bench-sweep-'));
    try {
      const r = e2ctwin([
        'sweep',
        scenario,
        ...params.flatMap((p) => ['-p', p]),
        '-r',
        '1',
        '--workers',
        String(workers),
        '--no-progress',
        '--out',
        path.join(dir, 'study'),
      ]);
      if (r.status !== 0) throw new Error(`sweep --workers ${workers} failed (exit ${r.status})`);
      return r.wallSeconds;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const one: number[] = [];
  const two: number[] = [];
  for (let p = 0; p < pairs; p++) {
    if (p % 2 === 0) {
      one.push(once(1));
      two.push(once(2));
    } else {
      two.push(once(2));
      one.push(once(1));
    }
  }
  return { ratios: one.map((x, i) => x / two[i]!), one, two };
}

/**
 * Sweep of 64 configurations with 1 and 2 worker threads: speed-up and byte-identical results, with long
 * trials (the target) and with the scenario's own short ones (where the start-up work of each worker weighs).
 */
async function parallelSweep(quick: boolean): Promise<void> {
  const params = quick
    ? [`${P('extract')}=1..8`, `${P('http')}=20,40`]
    : [`${P('extract')}=1..8`, `${P('http')}=10..80:10`];
  const n = quick ? 16 : 64;
  const longS = quick ? 7200 : 18000;
  const grid = `extract 1..8 × http ${quick ? '20,40' : '10..80 step 10'}`;
  const p1 = await cpuProbe(1),
    p2 = await cpuProbe(2);
  const m1 = await memoryProbe(1),
    m2 = await memoryProbe(2);
  const probe = `CPU probe now: 2 threads spinning take ${(p2 / p1).toFixed(2)}× the time of 1 (1.00× = two free cores; ${os.availableParallelism()} cores reported, load average ${os.loadavg()[0]!.toFixed(2)}); 2 threads of allocating JavaScript (sorting arrays, filling maps: V8's collector and compiler work beside each, as beside a simulation) take ${(m2 / m1).toFixed(2)}×, so the most 2 workers could gain on such code is ${((2 * m1) / m2).toFixed(2)}×`;

  console.log(
    `## Explore: sweep of ${n} Pl@ntNet configurations (${grid}), 1 replication of ${longS} simulated s each, 1 vs 2 worker threads`,
  );
  console.log(`  ${probe}`);
  const long = await sweepSeries(params, [`run.duration=${longS}`], 2);
  const verdict = quick ? '' : ` (target ≥ 1.7×: ${long.speedup >= 1.7 ? 'MET' : 'MISSED'})`;
  console.log(
    `  ${long.perTrialS.toFixed(2)} s of work a trial; speed-up 2 vs 1 workers: ${long.speedup.toFixed(2)}×${verdict}; results byte-identical across all runs: ${long.identical ? 'yes' : 'NO'}; each simulation ran ${long.slowdown.toFixed(2)}× slower beside another`,
  );
  console.log('');

  console.log(`## Explore: the same sweep with the scenario's own 1800 s per trial`);
  const short = await sweepSeries(params, [], 3);
  const { worker, around } = short.overhead;
  console.log(
    `  per-trial overhead outside the simulation (1 worker, its fastest run): ${(1000 * (worker + around)).toFixed(1)} ms = ${(1000 * worker).toFixed(1)} ms in the worker (loading the scenario, building the model, metrics) + ${(1000 * around).toFixed(1)} ms around it (pool start-up, messages, coordinator), against ${(1000 * (short.perTrialS - worker)).toFixed(1)} ms simulating`,
  );
  const target = quick ? '' : ` (target ≥ 1.6×: ${short.speedup >= 1.6 ? 'MET' : 'MISSED'})`;
  const proc1 = Math.min(await processesOnce(1, params), await processesOnce(1, params));
  const proc2 = Math.min(await processesOnce(2, params), await processesOnce(2, params));
  console.log(
    `  ${short.perTrialS.toFixed(2)} s of work a trial; speed-up 2 vs 1 workers: ${short.speedup.toFixed(2)}×${target}; results byte-identical: ${short.identical ? 'yes' : 'NO'}; each simulation ran ${short.slowdown.toFixed(2)}× slower beside another, so the most 2 workers could gain is ${(2 / short.slowdown).toFixed(2)}×`,
  );
  console.log(
    `  reference without piscina, the same simulations in separate Node processes: 1 process ${proc1.toFixed(2)} s, 2 processes ${proc2.toFixed(2)} s → ${(proc1 / proc2).toFixed(2)}×`,
  );
  console.log(
    '  (in short trials a worker spends much of its time in code V8 is still compiling, with the collector working beside',
  );
  console.log(
    '  it: with one worker those background threads have the idle core to themselves, with two they take time from the',
  );
  console.log(
    "  simulations, as with the allocating probe's two threads. The series above runs in this benchmark's own process,",
  );
  console.log("  with V8's background threads.)");
  const pairs = quick ? 2 : 5;
  const installed = installedSweep(params, pairs);
  const r = summarizeRatios(installed.ratios);
  const installedTarget = quick
    ? ''
    : ` (target ≥ 1.6×: ${r.low >= 1.6 ? 'MET' : r.high < 1.6 ? 'MISSED' : 'UNDECIDED'})`;
  console.log(
    `  as installed (node bin/e2ctwin.js sweep, ${pairs} alternating pairs, start-up and study files included): 1 worker ${installed.one.map((x) => x.toFixed(2)).join(' / ')} s (median ${median(installed.one).toFixed(2)}), 2 workers ${installed.two.map((x) => x.toFixed(2)).join(' / ')} s (median ${median(installed.two).toFixed(2)})`,
  );
  console.log(`  speed-up 2 vs 1 workers, per pair: ${formatRatios(r)}${installedTarget}`);
  console.log('');
}

// ---------------------------------------------------------------- optimizer benchmark

interface Truth {
  study: Study;
  grid: Config[];
  evals: Evaluation[];
  size: number;
  levels: number[];
}

const GRID_POOLS = [10, 20, 30, 40, 50, 60];
const FIDELITY = 4000;

/**
 * The exhaustive grid: http, download and simsearch ∈ {10, 20, …, 60}, extract ∈ 1..9 (the scenario's
 * explore space at step 10 instead of 5): 6³·9 = 1,944 configurations, each 2 replications (common random
 * numbers) of 4,000 requests measured after a 150 s warm-up. Cached in runs/bench-explore-grid/study.sqlite.
 */
async function groundTruth(quick: boolean, runner: PiscinaRunner): Promise<Truth> {
  const levels = quick ? [10, 30, 60] : GRID_POOLS;
  const params = [
    `${P('http')}=${levels.join(',')}`,
    `${P('download')}=${levels.join(',')}`,
    `${P('extract')}=1..9`,
    `${P('simsearch')}=${levels.join(',')}`,
  ];
  // The run length comes from the fidelity (run.requests, unbounded duration) so that sha/asha's rungs share the warm-up.
  const overrides = ['run.warmup=150'];
  const study = openStudy({
    file: scenario,
    overrides,
    params,
    runner,
    replications: 2,
    outDir: path.join(repoRoot, 'runs', 'bench-explore-grid'),
    version: 'bench',
  });
  const grid = study.space.grid();
  const t0 = performance.now();
  const before = study.store!.count();
  const evals: Evaluation[] = [];
  const chunks = 10;
  for (let c = 0; c < chunks; c++) {
    const part = grid.slice(
      Math.floor((c * grid.length) / chunks),
      Math.floor(((c + 1) * grid.length) / chunks),
    );
    evals.push(...(await study.evaluator.evaluate(part.map((config) => ({ config, fidelity: FIDELITY })))));
    if (study.store!.count() > before)
      process.stdout.write(
        `  … ground truth ${evals.length}/${grid.length} configurations (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
  }
  console.log(
    `  ground truth: ${grid.length} configurations × 2 replications, ${study.store!.count() - before} trials simulated now (${((performance.now() - t0) / 1000).toFixed(0)} s), the rest from runs/bench-explore-grid/study.sqlite`,
  );
  return { study, grid, evals, size: grid.length, levels };
}

interface Problem {
  name: string;
  objective: Objective;
  constraints: Constraint[];
}

async function benchProblem(t: Truth, pb: Problem, seeds: number, budget: number): Promise<void> {
  const { study } = t;
  const derived = (e: Evaluation) => deriveMetrics(e.summary.mean, [pb.objective]);
  const values = t.evals.map((e) =>
    violation({ ...e.summary, mean: derived(e) }, pb.constraints) === 0
      ? derived(e)[pb.objective.key]!
      : Infinity,
  );
  const fStar = Math.min(...values);
  const iStar = values.indexOf(fStar);
  const near = values.filter((v) => v <= fStar * 1.01).length;
  const p = near / t.size;
  console.log(
    `### ${pb.name}: minimize ${pb.objective.key} subject to ${[...pb.constraints.map((c) => c.text), 'feasible'].join(', ')}`,
  );
  console.log(
    `  optimum f* = ${fmt(fStar, 5)} at ${JSON.stringify(study.space.record(t.grid[iStar]!))}; ${near} of ${t.size} configurations within 1 % (p = ${(100 * p).toFixed(2)} %)`,
  );
  const [confirm] = await study.evaluator.evaluate([
    { config: t.grid[iStar]!, fidelity: FIDELITY, replications: 10 },
  ]);
  const m = confirm!.summary.mean['responseTime.mean']!,
    h = confirm!.summary.halfWidth['responseTime.mean']!;
  console.log(
    `  x* with 10 replications: responseTime.mean ${m.toFixed(4)} s ± ${((100 * h) / m).toFixed(2)} % (95 % CI); with the 2 of the table: ${t.evals[iStar]!.summary.mean['responseTime.mean']!.toFixed(4)} s`,
  );
  console.log(
    `  random search, analytic: P(within 1 % after n) = 1 − (1 − p)^n, median n₅₀ ≈ ln 2 / p = ${fmt(Math.log(2) / p, 3)} evaluations`,
  );
  const target = fStar + Math.abs(fStar) * 0.01;
  const algorithms: Algorithm[] = ['random', 'lhs', 'tpe', 'gp', 'nsga2', 'sha', 'asha'];
  const rows: string[][] = [
    [
      'optimizer',
      'median evals to ≤ 1 %',
      'IQR',
      'within budget',
      'median full-fidelity eq.',
      'mean final regret',
      'wall s',
    ],
  ];
  const medians: Partial<Record<Algorithm, number>> = {};
  for (const alg of algorithms) {
    const mf = alg === 'sha' || alg === 'asha';
    const hits: number[] = [];
    const costs: number[] = [];
    const regrets: number[] = [];
    const t0 = performance.now();
    for (let s = 1; s <= seeds; s++) {
      const r = await optimize(study, {
        algorithm: alg,
        budget,
        batch: 4,
        seed: s,
        objectives: [pb.objective],
        constraints: pb.constraints,
        ...(mf ? { fidelity: { min: FIDELITY / 16, max: FIDELITY, eta: 4 } } : { fullFidelity: FIDELITY }),
        stop: (row) => row.best !== undefined && row.best.violation === 0 && row.best.values[0]! <= target,
      });
      const i = r.history.findIndex(
        (h2) => h2.best !== undefined && h2.best.violation === 0 && h2.best.values[0]! <= target,
      );
      hits.push(i < 0 ? Infinity : i + 1);
      costs.push(i < 0 ? Infinity : r.history[i]!.cost);
      const last = r.history.at(-1)?.best;
      regrets.push(last && last.violation === 0 ? last.values[0]! / fStar - 1 : NaN);
    }
    const wall = (performance.now() - t0) / 1000;
    const q = quartiles(hits);
    medians[alg] = q[1];
    const fin = regrets.filter(Number.isFinite);
    rows.push([
      alg,
      show(q[1]),
      `${show(q[0])}–${show(q[2])}`,
      `${hits.filter(Number.isFinite).length}/${seeds}`,
      mf ? show(quartiles(costs)[1], 1) : show(q[1]),
      fin.length > 0 ? `${(100 * mean(fin)).toFixed(2)} %` : '–',
      wall.toFixed(1),
    ]);
  }
  printTable(rows);
  const best = Math.min(medians.tpe ?? Infinity, medians.gp ?? Infinity);
  const rnd = medians.random ?? NaN;
  let verdict: string;
  if (Number.isFinite(rnd))
    verdict = `${show(best)} vs ${show(rnd)} = ${(best / rnd).toFixed(2)} (${best <= rnd / 3 ? 'MET' : 'MISSED'})`;
  else
    verdict = `${show(best)} vs random's > ${budget} (none of its runs got there; analytic median ≈ ${fmt(Math.log(2) / p, 3)}): ≤ ${(best / budget).toFixed(2)} (${best <= budget / 3 ? 'MET' : 'MISSED'})`;
  console.log(`  target: median of the better of TPE and GP ≤ ⅓ of random search's: ${verdict}`);
  console.log('');
}

async function optimizerBench(quick: boolean): Promise<void> {
  const seeds = quick ? 5 : 20;
  const budget = quick ? 60 : 150;
  console.log(
    `## Explore: optimizers on the Pl@ntNet scenario against an exhaustive grid, ${seeds} optimizer seeds each, budget ${budget} evaluations, batches of 4`,
  );
  const runner = new PiscinaRunner();
  try {
    const t = await groundTruth(quick, runner);
    console.log(
      `  grid: http, download, simsearch ∈ {${t.levels.join(', ')}}, extract ∈ 1..9 → ${t.size} configurations; each 2 replications (CRN) of ${FIDELITY} requests after a 150 s warm-up`,
    );
    console.log(
      "  an evaluation = a configuration simulated with those 2 replications (what the optimizers see is the table's value: same seeds);",
    );
    console.log(
      `  sha/asha evaluate at rungs of ${FIDELITY / 16}/${FIDELITY / 4}/${FIDELITY} requests (η = 4): their cost in full-fidelity equivalents is a column of its own.`,
    );
    console.log('');
    const base = constraintsFrom([], t.study.scenario.explore, t.study.scenario);
    await benchProblem(
      t,
      {
        name: "the scenario's own problem",
        objective: objectivesFrom([], t.study.scenario.explore)[0]!,
        constraints: base,
      },
      seeds,
      budget,
    );
    // Right-sizing: the fewest threads (an extract thread weighs 10: it holds 3.5 GiB of GPU memory) that
    // keep the mean response time within the testbed's measured 2.65 s.
    await benchProblem(
      t,
      {
        name: 'right-sizing the pools',
        objective: parseObjective(
          'pools.http.size+pools.download.size+pools.simsearch.size+10*pools.extract.size',
        ),
        constraints: [...base, parseConstraint('responseTime.mean <= 2.65')],
      },
      seeds,
      budget,
    );
  } finally {
    await runner.close();
  }
}

function quartiles(v: number[]): [number, number, number] {
  const s = [...v].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
  return [at(0.25), at(0.5), at(0.75)];
}
const mean = (v: number[]) => (v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const show = (x: number, digits = 0) =>
  Number.isFinite(x) ? (digits > 0 ? fmt(x, 3) : String(Math.round(x))) : '> budget';

/** `--explore=sweep` or `--explore=optimizers` runs one part only. */
export async function exploreBench(quick: boolean): Promise<void> {
  const part = process.argv.find((a) => a.startsWith('--explore='))?.slice('--explore='.length);
  if (!part || part === 'sweep') await parallelSweep(quick);
  if (!part || part === 'optimizers') await optimizerBench(quick);
}
