import { buildOther, type OtherBuild } from '../against.js';
import { fmt, measure, printTable, repoRoot } from '../measure.js';
import os from 'node:os';
import path from 'node:path';

/** Issue 22's target: each command within 0.2 s wall (median) on a quiet machine. */
const TARGET_S = 0.2;

/** The commands of a round: Node alone, then `--version` and `validate` of each build (this checkout first). */
function commandsOf(
  builds: { root: string; suffix: string }[],
): { label: string; args: string[]; cwd: string }[] {
  return [
    { label: 'node -e 0', args: ['-e', '0'], cwd: repoRoot },
    ...builds.flatMap(({ root, suffix }) => {
      const bin = path.join(root, 'bin/e2ctwin.js');
      // Each build validates its own checkout's scenario (a file outside its folders would be refused).
      return [
        { label: `e2ctwin --version${suffix}`, args: [bin, '--version'], cwd: root },
        {
          label: `e2ctwin validate scenarios/plantnet.yaml${suffix}`,
          args: [bin, 'validate', 'scenarios/plantnet.yaml'],
          cwd: root,
        },
      ];
    }),
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Start-up of the command line (`--only=startup`): rounds that run each command once in turn (the first
 * command rotating from round to round, so that no command always follows the same one), then the median
 * wall and CPU (user + system) seconds of each, its ratio to `node -e 0` (Node's own start-up, measured in
 * the same rounds), and the target line. CPU time is the steadier figure on a shared host.
 */
export function startupBench(quick: boolean, against?: string): void {
  const rounds = quick ? 5 : 11;
  let other: OtherBuild | undefined;
  if (against !== undefined) {
    console.log(`## Start-up: building ${against} in a temporary worktree to alternate with it`);
    other = buildOther(against);
  }
  try {
    startupRounds(rounds, other);
  } finally {
    other?.remove();
  }
}

function startupRounds(rounds: number, other: OtherBuild | undefined): void {
  const commands = commandsOf([
    { root: repoRoot, suffix: other ? ' (this checkout)' : '' },
    ...(other ? [{ root: other.root, suffix: ` (${other.label})` }] : []),
  ]);
  console.log(
    `## Start-up: ${rounds} rotating rounds, whole process (load average ${os.loadavg()[0]!.toFixed(1)})\n`,
  );
  // One unmeasured run of each validate writes the code cache if the build left none (bin/e2ctwin.js).
  for (const c of commands)
    if (c.args.includes('validate')) measure(process.execPath, c.args, { cwd: c.cwd });
  const wall = commands.map(() => [] as number[]);
  const cpu = commands.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < commands.length; k++) {
      const i = (r + k) % commands.length;
      const m = measure(process.execPath, commands[i]!.args, { cwd: commands[i]!.cwd });
      if (m.status !== 0) throw new Error(`${commands[i]!.label} exited with ${m.status}`);
      wall[i]!.push(m.wallSeconds);
      cpu[i]!.push(m.cpuSeconds);
    }
  }
  const node = { wall: median(wall[0]!), cpu: median(cpu[0]!) };
  const rows = [['command', 'wall s (median)', 'CPU s (median)', 'wall ÷ node -e 0', 'CPU ÷ node -e 0']];
  commands.forEach((c, i) => {
    rows.push([
      c.label,
      fmt(median(wall[i]!)),
      fmt(median(cpu[i]!)),
      `${(median(wall[i]!) / node.wall).toFixed(2)}×`,
      `${(median(cpu[i]!) / node.cpu).toFixed(2)}×`,
    ]);
  });
  printTable(rows);
  for (let i = 1; i < commands.length; i++) {
    const w = median(wall[i]!);
    console.log(
      `  target ${commands[i]!.label} ≤ ${TARGET_S} s wall: ${w <= TARGET_S ? 'MET' : 'MISSED'} (${fmt(w)} s; ` +
        `load ${os.loadavg()[0]!.toFixed(1)} — a guide for a quiet machine)`,
    );
  }
  if (other) {
    // Rows 1–2 are this checkout's, 3–4 the other build's, measured in the same rounds.
    for (const i of [1, 2]) {
      const ratios = (xs: number[][]) => xs[i + 2]!.map((o, r) => o / xs[i]![r]!);
      const w = ratios(wall);
      const c = ratios(cpu);
      console.log(
        `  ${other.label} / this, ${commands[i]!.label.replace(' (this checkout)', '')}, median of the rounds' ratios: ` +
          `wall ${median(w).toFixed(2)}× (${Math.min(...w).toFixed(2)}–${Math.max(...w).toFixed(2)}×), ` +
          `CPU ${median(c).toFixed(2)}× (${Math.min(...c).toFixed(2)}–${Math.max(...c).toFixed(2)}×)`,
      );
    }
  }
  console.log(`  load average after: ${os.loadavg()[0]!.toFixed(1)}\n`);
}
