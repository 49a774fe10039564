import { fmt, measure, printTable, repoRoot } from '../measure.js';
import os from 'node:os';
import path from 'node:path';

/** Issue 22's target: each command within 0.2 s wall (median) on a quiet machine. */
const TARGET_S = 0.2;

const bin = path.join(repoRoot, 'bin/e2ctwin.js');
const commands: { label: string; args: string[] }[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'e2ctwin --version', args: [bin, '--version'] },
  { label: 'e2ctwin validate scenarios/plantnet.yaml', args: [bin, 'validate', 'scenarios/plantnet.yaml'] },
];

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
export function startupBench(quick: boolean): void {
  const rounds = quick ? 5 : 11;
  console.log(
    `## Start-up: ${rounds} rotating rounds, whole process (load average ${os.loadavg()[0]!.toFixed(1)})\n`,
  );
  // One unmeasured run writes the code cache if the build left none (bin/e2ctwin.js).
  measure(process.execPath, commands[2]!.args);
  const wall = commands.map(() => [] as number[]);
  const cpu = commands.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < commands.length; k++) {
      const i = (r + k) % commands.length;
      const m = measure(process.execPath, commands[i]!.args);
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
  for (const i of [1, 2]) {
    const w = median(wall[i]!);
    console.log(
      `  target ${commands[i]!.label} ≤ ${TARGET_S} s wall: ${w <= TARGET_S ? 'MET' : 'MISSED'} (${fmt(w)} s; ` +
        `load ${os.loadavg()[0]!.toFixed(1)} — a guide for a quiet machine)`,
    );
  }
  console.log(`  load average after: ${os.loadavg()[0]!.toFixed(1)}\n`);
}
