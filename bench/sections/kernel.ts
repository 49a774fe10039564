import path from 'node:path';
import { median } from '../against.js';
import {
  cpuProbe,
  e2ctwin,
  fmt,
  measure,
  type Measured,
  printTable,
  repoRoot,
  simpyPython,
} from '../measure.js';

const ERLANG_C_W = 1.7455405897342557; // M/M/4, λ = 3.2, μ = 1 (scenarios/validation/mmc.yaml)
const rel = (w: number): string => `${(((w - ERLANG_C_W) / ERLANG_C_W) * 100).toFixed(2)}%`;

function cliRun(customers: number): Measured {
  return e2ctwin([
    'simulate',
    'scenarios/validation/mmc.yaml',
    '-r',
    '1',
    '--json',
    '--set',
    `run.requests=${customers}`,
  ]);
}

/** The API loop (bench/kernel-mmc.ts), its own timing of `env.run()`. */
function apiRun(customers: number): {
  wallSeconds: number;
  meanResponse: number;
  events: number;
  peakMiB: number;
} {
  const api = measure(process.execPath, [
    '--import',
    'tsx',
    path.join(repoRoot, 'bench/kernel-mmc.ts'),
    String(customers),
    '1',
  ]);
  const json = JSON.parse(api.stdout.trim().split('\n').pop()!) as {
    wallSeconds: number;
    meanResponse: number;
    events: number;
  };
  return { ...json, peakMiB: api.peakMiB };
}

/**
 * M/M/4 as users pay for it: the installed command's whole process (`node bin/e2ctwin.js simulate`, start-up
 * included) alternating pair by pair with SimPy 3's whole process, then the API loop alone (3 runs), then
 * memory at 1 M and 10 M customers.
 */
export async function kernelBench(quick: boolean): Promise<void> {
  const customers = quick ? 200_000 : 1_000_000;
  const pairs = quick ? 3 : 5;
  console.log(`## Kernel: M/M/4 (λ = 3.2/s, μ = 1/s), ${fmt(customers)} customers, seed 1`);
  const probeBefore = await cpuProbe(1);
  const py = simpyPython();
  const cli: Measured[] = [];
  const simpy: Measured[] = [];
  if (py) {
    console.log(`  whole processes, alternating pair by pair (${pairs} pairs):`);
    const simpyRun = () =>
      measure(py, [path.join(repoRoot, 'bench/peers/mmc_simpy.py'), String(customers), '1']);
    for (let p = 0; p < pairs; p++) {
      const e2cFirst = p % 2 === 0;
      const a = e2cFirst ? cliRun(customers) : simpyRun();
      const b = e2cFirst ? simpyRun() : cliRun(customers);
      const [e, s] = e2cFirst ? [a, b] : [b, a];
      cli.push(e);
      simpy.push(s);
      // Printed as each pair ends: on a loaded host a pair can take a minute.
      console.log(
        `  pair ${p + 1} (${e2cFirst ? 'e2ctwin' : 'SimPy'} first): e2ctwin ${e.wallSeconds.toFixed(2)} s (CPU ${e.cpuSeconds.toFixed(2)} s), SimPy 3 ${s.wallSeconds.toFixed(2)} s (CPU ${s.cpuSeconds.toFixed(2)} s), ratio ${(s.wallSeconds / e.wallSeconds).toFixed(1)}× (CPU ${(s.cpuSeconds / e.cpuSeconds).toFixed(1)}×)`,
      );
    }
  } else {
    cli.push(cliRun(customers));
    console.log(
      '  SimPy peer skipped: install it with `apt-get install python3-simpy3` (Debian) to compare.',
    );
  }
  const cliJson = JSON.parse(cli[0]!.stdout) as { responseTime: { mean: number }; events: number };
  const apis = [apiRun(customers), apiRun(customers), apiRun(customers)];
  const api = apis.slice().sort((a, b) => a.wallSeconds - b.wallSeconds)[1]!;
  const cliWall = median(cli.map((r) => r.wallSeconds));
  const rows = [
    ['variant', 'wall s (median)', 'customers/s', 'events/s', 'peak MiB', 'mean W s', 'vs Erlang C'],
  ];
  rows.push([
    'e2ctwin CLI (whole process)',
    cliWall.toFixed(2),
    fmt(customers / cliWall),
    fmt(cliJson.events / cliWall),
    median(cli.map((r) => r.peakMiB)).toFixed(0),
    cliJson.responseTime.mean.toFixed(4),
    rel(cliJson.responseTime.mean),
  ]);
  rows.push([
    'e2ctwin API (simulation loop only, 3 runs)',
    api.wallSeconds.toFixed(2),
    fmt(customers / api.wallSeconds),
    fmt(api.events / api.wallSeconds),
    api.peakMiB.toFixed(0),
    api.meanResponse.toFixed(4),
    rel(api.meanResponse),
  ]);
  if (py) {
    const spJson = JSON.parse(simpy[0]!.stdout.trim().split('\n').pop()!) as { meanResponse: number };
    const spWall = median(simpy.map((r) => r.wallSeconds));
    rows.push([
      'SimPy 3 (whole process)',
      spWall.toFixed(2),
      fmt(customers / spWall),
      '–',
      median(simpy.map((r) => r.peakMiB)).toFixed(0),
      spJson.meanResponse.toFixed(4),
      rel(spJson.meanResponse),
    ]);
  }
  printTable(rows);
  const within = Math.abs(cliJson.responseTime.mean / ERLANG_C_W - 1);
  console.log(
    `  Erlang C: W = ${ERLANG_C_W.toFixed(4)} s; e2ctwin's mean ${(within * 100).toFixed(2)} % off (target within 1 %${quick ? ', judged at full size' : `: ${within <= 0.01 ? 'MET' : 'MISSED'}`})`,
  );
  const apiRate = customers / api.wallSeconds;
  console.log(
    `  API loop: ${fmt(apiRate)} customers/s, runs ${apis.map((a) => fmt(customers / a.wallSeconds)).join(', ')} (target ≥ 4 M/s) ${apiRate >= 4e6 ? 'MET' : 'MISSED'}`,
  );
  if (py) {
    const ratios = cli.map((e, i) => simpy[i]!.wallSeconds / e.wallSeconds);
    const r = median(ratios);
    console.log(
      `  SimPy / e2ctwin whole-process wall, median of ${pairs} pairs: ${r.toFixed(1)}× (spread ${Math.min(...ratios).toFixed(1)}–${Math.max(...ratios).toFixed(1)}×; target ≥ 20×, goal 25×) ${r >= 20 ? 'MET' : 'MISSED'}`,
    );
    // CPU seconds: steadier than wall time on a shared host, but e2ctwin's include Node's compiler and
    // collector threads (SimPy has none), so this ratio is the lower of the two on a quiet machine.
    const cpuRatios = cli.map((e, i) => simpy[i]!.cpuSeconds / e.cpuSeconds);
    console.log(
      `  SimPy / e2ctwin CPU seconds (user + system), median: ${median(cpuRatios).toFixed(1)}× (spread ${Math.min(...cpuRatios).toFixed(1)}–${Math.max(...cpuRatios).toFixed(1)}×)`,
    );
  }
  const probeAfter = await cpuProbe(1);
  console.log(
    `  CPU probe (one thread, a fixed loop): ${probeBefore.toFixed(2)} s before, ${probeAfter.toFixed(2)} s after (a slower probe: a loaded host)`,
  );

  console.log('\n## Kernel: peak memory does not grow with the number of customers');
  const sizes = quick ? [200_000, 2_000_000] : [1_000_000, 10_000_000];
  const mem = sizes.map((n) => ({ n, m: cliRun(n) }));
  printTable([
    ['customers', 'wall s', 'peak MiB'],
    ...mem.map(({ n, m }) => [fmt(n), m.wallSeconds.toFixed(2), m.peakMiB.toFixed(1)]),
  ]);
  const growth = mem[1]!.m.peakMiB / mem[0]!.m.peakMiB - 1;
  console.log(
    `  peak memory at ${fmt(sizes[1]!)} vs ${fmt(sizes[0]!)}: ${(growth * 100).toFixed(1)}% (target within 20%) ${Math.abs(growth) <= 0.2 ? 'MET' : 'MISSED'}\n`,
  );
}
