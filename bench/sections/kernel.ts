import path from 'node:path';
import { e2ctwin, fmt, measure, printTable, repoRoot, simpyPython } from '../measure.js';

const ERLANG_C_W = 1.7455405897342557; // M/M/4, λ = 3.2, μ = 1 (scenarios/validation/mmc.yaml)

/** M/M/4 through the CLI, through the API, and in SimPy 3; memory at 1M and 10M customers. */
export function kernelBench(quick: boolean): void {
  const customers = quick ? 200_000 : 1_000_000;
  console.log(`## Kernel: M/M/4 (λ = 3.2/s, μ = 1/s), ${fmt(customers)} customers, seed 1`);
  const cli = e2ctwin([
    'simulate',
    'scenarios/validation/mmc.yaml',
    '-r',
    '1',
    '--json',
    '--set',
    `run.requests=${customers}`,
  ]);
  const cliJson = JSON.parse(cli.stdout) as { responseTime: { mean: number }; events: number };
  const api = measure(process.execPath, [
    '--import',
    'tsx',
    path.join(repoRoot, 'bench/kernel-mmc.ts'),
    String(customers),
    '1',
    '--json',
  ]);
  const apiJson = JSON.parse(api.stdout.trim().split('\n').pop()!) as {
    wallSeconds: number;
    meanResponse: number;
    events: number;
  };
  const py = simpyPython();
  const rows = [['variant', 'wall s', 'customers/s', 'events/s', 'peak MiB', 'mean W s', 'vs Erlang C']];
  const rel = (w: number) => `${(((w - ERLANG_C_W) / ERLANG_C_W) * 100).toFixed(2)}%`;
  rows.push([
    'e2ctwin CLI (whole process)',
    cli.wallSeconds.toFixed(2),
    fmt(customers / cli.wallSeconds),
    fmt(cliJson.events / cli.wallSeconds),
    cli.peakMiB.toFixed(0),
    cliJson.responseTime.mean.toFixed(4),
    rel(cliJson.responseTime.mean),
  ]);
  rows.push([
    'e2ctwin API (simulation loop only)',
    apiJson.wallSeconds.toFixed(2),
    fmt(customers / apiJson.wallSeconds),
    fmt(apiJson.events / apiJson.wallSeconds),
    api.peakMiB.toFixed(0),
    apiJson.meanResponse.toFixed(4),
    rel(apiJson.meanResponse),
  ]);
  let simpyRate = NaN;
  if (py) {
    const sp = measure(py, [path.join(repoRoot, 'bench/peers/mmc_simpy.py'), String(customers), '1']);
    const spJson = JSON.parse(sp.stdout.trim().split('\n').pop()!) as { meanResponse: number };
    simpyRate = customers / sp.wallSeconds;
    rows.push([
      'SimPy 3 (whole process)',
      sp.wallSeconds.toFixed(2),
      fmt(simpyRate),
      '–',
      sp.peakMiB.toFixed(0),
      spJson.meanResponse.toFixed(4),
      rel(spJson.meanResponse),
    ]);
  }
  printTable(rows);
  console.log(`  Erlang C: W = ${ERLANG_C_W.toFixed(4)} s`);
  if (py) {
    const ratio = customers / cli.wallSeconds / simpyRate;
    console.log(
      `  ratio e2ctwin CLI / SimPy customers per second: ${ratio.toFixed(1)}× (target ≥ 10×, aim 25×) ${ratio >= 10 ? 'MET' : 'MISSED'}`,
    );
  } else {
    console.log(
      '  SimPy peer skipped: install it with `apt-get install python3-simpy3` (Debian) to compare.',
    );
  }

  console.log('\n## Kernel: peak memory does not grow with the number of customers');
  const sizes = quick ? [200_000, 2_000_000] : [1_000_000, 10_000_000];
  const mem = sizes.map((n) => ({
    n,
    m: e2ctwin([
      'simulate',
      'scenarios/validation/mmc.yaml',
      '-r',
      '1',
      '--json',
      '--set',
      `run.requests=${n}`,
    ]),
  }));
  printTable([
    ['customers', 'wall s', 'peak MiB'],
    ...mem.map(({ n, m }) => [fmt(n), m.wallSeconds.toFixed(2), m.peakMiB.toFixed(1)]),
  ]);
  const growth = mem[1]!.m.peakMiB / mem[0]!.m.peakMiB - 1;
  console.log(
    `  peak memory at ${fmt(sizes[1]!)} vs ${fmt(sizes[0]!)}: ${(growth * 100).toFixed(1)}% (target within 20%) ${Math.abs(growth) <= 0.2 ? 'MET' : 'MISSED'}\n`,
  );
}
