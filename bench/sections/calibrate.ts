import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { cpuProbe, e2ctwin, fmt, printTable } from '../measure.js';

/**
 * Calibration with uncertainty of the Pl@ntNet scenario on its two measured configurations
 * (calibration/plantnet/measurements.yaml, 5 parameters with prior ranges in scenarios/plantnet.yaml), as a
 * user runs it: the whole `e2ctwin calibrate-twin` process on the machine's cores. Target: ≤ 10 minutes on 2
 * cores. The shipped set (calibration/plantnet/calibration-set.yaml) came from the same command.
 */
export async function calibrateBench(quick: boolean): Promise<void> {
  const budget = quick ? 400 : 2000;
  console.log(
    `## Calibrate: Pl@ntNet, 5 parameters × 2 measured configurations, budget ${budget} simulations (calibrate-twin)`,
  );
  const before = await cpuProbe(1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-bench-calibrate-'));
  try {
    const out = path.join(dir, 'set.yaml');
    const m = e2ctwin([
      'calibrate-twin',
      'scenarios/plantnet.yaml',
      '-o',
      out,
      '--budget',
      String(budget),
      '--samples',
      '40',
      '--no-progress',
    ]);
    if (m.status !== 0) {
      console.log(`  calibrate-twin failed (status ${m.status})`);
      return;
    }
    const set = parse(readFileSync(out, 'utf8')) as {
      samples: unknown[];
      provenance: { simulations: number; rejectedByCheck: number };
      identification: Record<string, { ratio: number; verdict: string }>;
    };
    const after = await cpuProbe(1);
    printTable([
      ['simulations', 'wall s', 'per simulation ms', 'plausible vectors', 'dropped by check', 'peak MiB'],
      [
        String(set.provenance.simulations),
        fmt(m.wallSeconds),
        fmt((1000 * m.wallSeconds) / set.provenance.simulations),
        String(set.samples.length),
        String(set.provenance.rejectedByCheck),
        fmt(m.peakMiB),
      ],
    ]);
    console.log(`  target: ≤ 600 s wall ${m.wallSeconds <= 600 ? 'MET' : 'MISSED'}`);
    for (const [k, v] of Object.entries(set.identification))
      console.log(`  ${k}: ratio ${fmt(v.ratio)} — ${v.verdict}`);
    console.log(`  CPU probe (one thread, a fixed loop): ${fmt(before)} s before, ${fmt(after)} s after\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
