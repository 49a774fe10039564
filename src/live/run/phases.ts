import { posix } from 'node:path';
import { LiveError, LiveErrorCode } from '../errors.js';
import { fillRepeat } from '../plan/groupings.js';
import type { PlanProcess } from '../plan/types.js';
import type { RunState } from './state.js';

// E2Clab's workflow phases in live mode (live.prepare/launch/finalize): commands as data (argv lists,
// passed to `sh -c` only as positional arguments, never as script text), run in the process's folder on
// each of its hosts.

/** Runs one phase command of `p` on its host; a non-zero exit fails the run with its error output. */
async function runCommand(s: RunState, p: PlanProcess, phase: string, argv: string[]): Promise<void> {
  const host = s.hosts.get(p.host)!;
  const dir = posix.join(host.workDir, p.dir);
  const r = await s.guard(
    host.exec([
      'sh',
      '-c',
      'mkdir -p "$1" && cd "$1" && PATH="$2/bin:$PATH" && export PATH && shift 2 && exec "$@"',
      'sh',
      dir,
      host.workDir,
      ...argv,
    ]),
  );
  if (r.code !== 0)
    throw new LiveError(
      LiveErrorCode.SERVICE,
      `${p.id}: ${phase} command ${JSON.stringify(argv[0])} exited with ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' / ') || 'no output'}`,
      { service: p.service, host: p.host, phase },
    );
}

/** prepare: once per live run, on every host of every process that has it, before any service starts. */
export async function runPrepare(s: RunState): Promise<void> {
  for (const p of s.plan.processes)
    for (const argv of p.phases?.prepare ?? []) await runCommand(s, p, 'prepare', argv);
  const n = s.plan.processes.filter((p) => p.phases?.prepare.length).length;
  if (n > 0) s.log(`prepare: done on ${n} process host(s)`);
}

/** launch: at the start of repetition `rep` (1-based), before the workload starts. */
export async function runLaunch(s: RunState, rep: number): Promise<void> {
  for (const p of s.plan.processes)
    for (const argv of p.phases?.launch ?? [])
      await runCommand(
        s,
        p,
        'launch',
        argv.map((a) => fillRepeat(a, rep)),
      );
}

/**
 * finalize: after repetition `rep` (1-based), the commands, then the named files fetched (kept in the
 * run state; the run folder writes them under files/<host>/<rep>/). A file that is not there is logged
 * and recorded as missing, not fatal: the other hosts' results are still collected.
 */
export async function runFinalize(s: RunState, rep: number): Promise<void> {
  for (const p of s.plan.processes) {
    const f = p.phases?.finalize;
    if (!f) continue;
    for (const argv of f.commands)
      await runCommand(
        s,
        p,
        'finalize',
        argv.map((a) => fillRepeat(a, rep)),
      );
    const host = s.hosts.get(p.host)!;
    for (const file of f.files) {
      const at = posix.resolve(posix.join(host.workDir, p.dir), file);
      try {
        const content = await s.guard(host.readFile(at));
        s.fetched.push({ host: p.host, repetition: rep, file: posix.basename(file), content });
      } catch (e) {
        if ((e as LiveError).code === LiveErrorCode.INTERRUPTED) throw e;
        s.log(`finalize: ${p.id}: ${file} not fetched (${(e as Error).message})`);
        s.missingFiles.push(`${p.id}: ${file} (repetition ${rep})`);
      }
    }
  }
}
