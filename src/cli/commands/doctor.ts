import type { Command } from 'commander';
import { type Check, DOCTOR_MODES, type DoctorMode, runDoctor } from '../doctor-checks.js';
import { ExitCode } from '../exit-codes.js';

const LABEL: Record<Check['status'], string> = {
  ok: 'ok',
  missing: 'MISSING',
  fallback: 'fallback',
  optional: 'optional',
  unknown: 'unknown',
};

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check what each mode needs on this machine (simulate: Node and the bundled files; live: root, ip netns, nft, tc, sch_netem, sshd, socat, docker; browser: a free port; distributed: Redis) and print the command that installs what is missing. Exit 1 when something a mode requires is missing; optional things and those with a fallback are listed, not counted.',
    )
    .option(
      '--mode <modes>',
      `check only these modes, comma-separated (${DOCTOR_MODES.join(', ')})`,
      (v: string) => v.split(',').map((m) => m.trim()),
    )
    .option('--redis <url>', 'check that this Redis (redis://host:port) answers, as distributed studies need')
    .option('--json', 'print the checks as JSON')
    .action(async (opts: { mode?: string[]; redis?: string; json?: boolean }) => {
      const modes = opts.mode ?? [...DOCTOR_MODES];
      const unknown = modes.filter((m) => !(DOCTOR_MODES as readonly string[]).includes(m));
      if (unknown.length > 0) {
        process.stderr.write(
          `e2ctwin doctor: unknown mode ${unknown.join(', ')} (modes: ${DOCTOR_MODES.join(', ')})\n`,
        );
        process.exitCode = ExitCode.BAD_INPUT;
        return;
      }
      const checks = await runDoctor({ modes: modes as DoctorMode[], redis: opts.redis });
      const missing = checks.filter((c) => c.status === 'missing');
      const ok = missing.length === 0;
      if (opts.json) {
        const byMode = Object.fromEntries(
          modes.map((m) => [m, { ok: !checks.some((c) => c.mode === m && c.status === 'missing') }]),
        );
        process.stdout.write(`${JSON.stringify({ ok, modes: byMode, checks }, null, 2)}\n`);
      } else {
        process.stdout.write(format(checks, modes as DoctorMode[]));
      }
      process.exitCode = ok ? ExitCode.OK : ExitCode.FAILURE;
    });
}

function format(checks: Check[], modes: DoctorMode[]): string {
  const nameWidth = Math.max(...checks.map((c) => c.name.length));
  let out = `e2ctwin doctor: Node v${process.versions.node}, ${process.platform} ${process.arch}\n`;
  for (const mode of modes) {
    out += `${mode}\n`;
    for (const c of checks.filter((x) => x.mode === mode)) {
      out += `  ${LABEL[c.status].padEnd(8)}  ${c.name.padEnd(nameWidth)}  ${c.detail}\n`;
      if (c.install && c.status !== 'ok')
        out += `  ${''.padEnd(8)}  ${''.padEnd(nameWidth)}  → ${c.install}\n`;
    }
  }
  const missing = checks.filter((c) => c.status === 'missing');
  const simOk = !missing.some((c) => c.mode === 'simulate');
  out += missing.length
    ? `missing: ${missing.map((c) => `${c.name} (${c.mode})`).join(', ')}${modes.includes('simulate') && simOk ? '; simulating works' : ''}\n`
    : 'nothing required is missing\n';
  return out;
}
