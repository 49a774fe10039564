import { buildOther, e2ctwinAt, median, type OtherBuild } from '../against.js';
import { cpuProbe, fmt, type Measured, printTable, repoRoot } from '../measure.js';

interface Metrics {
  completed: number;
  events: number;
  responseTime: { mean: number };
  throughput: number;
  measuredSeconds: number;
}

/** One model run of the section: its `simulate` arguments and its wall-time target (full sizes). */
interface Case {
  title: string;
  what: string;
  args: string[];
  targetS: number;
  /** Runs of each side with --against (alternating pairs). */
  pairs: number;
}

function cases(quick: boolean): Case[] {
  const requests = quick ? 100_000 : 1_000_000;
  const scale = quick ? 1 : 10;
  const horizon = quick ? 300 : 3600;
  return [
    {
      title: `Pl@ntNet baseline, ${fmt(requests)} requests in one replication`,
      what: 'requests',
      args: [
        'simulate',
        'scenarios/plantnet.yaml',
        '-r',
        '1',
        '--json',
        '--set',
        'run.duration=10000000',
        '--set',
        `run.requests=${requests}`,
      ],
      targetS: 3,
      pairs: quick ? 2 : 5,
    },
    {
      title: `iot-camera-fog-cloud scaled to ${1000 * scale} cameras, ${10 * scale} gateways, ${scale} cloud servers, ${horizon} simulated s`,
      what: 'frames answered',
      args: [
        'simulate',
        'scenarios/iot-camera-fog-cloud.yaml',
        '-r',
        '1',
        '--json',
        '--set',
        `edge.camera.quantity=${1000 * scale}`,
        '--set',
        `fog.gateway.quantity=${10 * scale}`,
        '--set',
        `cloud.detector.quantity=${scale}`,
        // The shared fog → cloud uplink scales with the system (one 200 Mbit/s link for 10 gateways).
        '--set',
        `network.1.rateMbps=${200 * scale}`,
        '--set',
        `run.duration=${horizon}`,
        '--set',
        'run.warmup=60',
      ],
      targetS: 45,
      pairs: quick ? 2 : 3,
    },
  ];
}

function resultRow(runs: Measured[]): string[] {
  const m = JSON.parse(runs[0]!.stdout) as Metrics;
  const wall = median(runs.map((r) => r.wallSeconds));
  return [
    fmt(m.completed),
    wall.toFixed(2),
    fmt(m.events),
    fmt(m.events / wall),
    median(runs.map((r) => r.peakMiB)).toFixed(0),
    m.responseTime.mean.toFixed(4),
  ];
}

/**
 * The edge-to-cloud scenarios at scale, as the installed command runs them. With `against` (a git ref),
 * that commit is built in a temporary worktree and each model runs alternately on both, pair by pair:
 * every pair, medians, the median of the pairs' ratios, and whether the two `--json` outputs are
 * byte-identical. The worktree is removed at the end, and on Ctrl-C or SIGTERM (between two runs).
 */
export async function modelBench(quick: boolean, against?: string): Promise<void> {
  let other: OtherBuild | undefined;
  if (against !== undefined) {
    console.log(`## Models: building ${against} in a temporary worktree to alternate with it`);
    other = buildOther(against);
    console.log(`  built ${other.label}\n`);
  }
  const onSignal = (): void => {
    other?.remove();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const c of cases(quick)) {
      console.log(`## Models: ${c.title}`);
      const probeBefore = await cpuProbe(1);
      const head = ['', c.what, 'wall s', 'events', 'events/s', 'peak MiB', 'mean response s'];
      let wall: number;
      if (other === undefined) {
        const r = e2ctwinAt(repoRoot, c.args);
        printTable([head, ['this checkout', ...resultRow([r])]]);
        wall = r.wallSeconds;
      } else {
        const mine: Measured[] = [];
        const theirs: Measured[] = [];
        for (let p = 0; p < c.pairs; p++) {
          // Alternate which side goes first, so neither always runs in the other's wake.
          const mineFirst = p % 2 === 0;
          const a = mineFirst ? e2ctwinAt(repoRoot, c.args) : e2ctwinAt(other.root, c.args);
          const b = mineFirst ? e2ctwinAt(other.root, c.args) : e2ctwinAt(repoRoot, c.args);
          const [m, t] = mineFirst ? [a, b] : [b, a];
          mine.push(m);
          theirs.push(t);
          // Let a pending SIGINT/SIGTERM handler run (it cannot during the synchronous runs).
          await new Promise((resolve) => setImmediate(resolve));
          // Printed as each pair ends: an IoT pair takes minutes.
          console.log(
            `  pair ${p + 1} (${mineFirst ? 'this' : 'other'} first): this ${m.wallSeconds.toFixed(2)} s (CPU ${m.cpuSeconds.toFixed(2)} s), ${other.label} ${t.wallSeconds.toFixed(2)} s (CPU ${t.cpuSeconds.toFixed(2)} s), ratio ${(t.wallSeconds / m.wallSeconds).toFixed(2)}× (CPU ${(t.cpuSeconds / m.cpuSeconds).toFixed(2)}×)`,
          );
        }
        printTable([head, ['this checkout', ...resultRow(mine)], [other.label, ...resultRow(theirs)]]);
        wall = median(mine.map((r) => r.wallSeconds));
        const ratios = mine.map((r, i) => theirs[i]!.wallSeconds / r.wallSeconds);
        // The median of the pairs' ratios: each pair ran in the same minutes, so the host's load of the moment
        // cancels out of it better than out of a ratio of the two sides' medians.
        const cpuRatios = mine.map((r, i) => theirs[i]!.cpuSeconds / r.cpuSeconds);
        const same =
          mine.every((r) => r.stdout === theirs[0]!.stdout) &&
          theirs.every((r) => r.stdout === theirs[0]!.stdout);
        console.log(
          `  ${other.label} / this, median of the pairs' ratios: wall ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×), CPU seconds ${median(cpuRatios).toFixed(2)}× (${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}×); --json byte-identical: ${same ? 'yes' : 'NO'}`,
        );
      }
      const probeAfter = await cpuProbe(1);
      if (!quick)
        console.log(`  target: ≤ ${c.targetS} s wall (median) ${wall <= c.targetS ? 'MET' : 'MISSED'}`);
      console.log(
        `  CPU probe (one thread, a fixed loop): ${probeBefore.toFixed(2)} s before, ${probeAfter.toFixed(2)} s after (a slower probe: a loaded host)\n`,
      );
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    other?.remove();
  }
}
