import { randomBytes } from 'node:crypto';
import { release } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { LiveError } from '../../live/errors.js';
import { formatLivePlanError } from '../live-plan-error.js';
import { DEFAULT_STATE_ROOT } from '../../live/journal.js';
import type { LivePlan } from '../../live/plan/types.js';
import { PACKAGE_ROOT } from '../../live/paths.js';
import { buildPlan } from '../../live/plan/build.js';
import { formatPlan } from '../../live/plan/format.js';
import { NETWORK_CHECK_TOLERANCE } from '../../live/measure/tolerance.js';
import { previewRecovery, recover } from '../../live/run/recover.js';
import { checkRunFolder } from '../../live/run/run-folder.js';
import { gitCommit, metricsJson } from '../../run-folder/index.js';
import { formatPhases, LiveRun, type LiveOutcome } from '../../live/run/runner.js';
import { loadTestbed, type LoadedTestbed } from '../../live/testbed/load.js';
import { loadScenarioOrThrow, type ResolvedScenario } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { ALLOW_DIR_HELP, collect, fileRoots, intOption } from '../options.js';
import { pkg } from '../version.js';
import { summaryTable } from '../summary-table.js';
import { num, table } from '../table.js';

interface LiveFlags {
  testbed?: string;
  set: string[];
  allowDir?: string[];
  dryRun?: boolean;
  json?: boolean;
  repeat?: number;
  duration?: string;
  warmup?: string;
  out?: string;
  stateDir?: string;
  runId?: string;
  cleanup?: boolean;
}

/** `e2ctwin live`: deploy the scenario on a testbed, emulate its network, drive its workload, measure. */
export function registerLive(program: Command): void {
  program
    .command('live')
    .description(
      "Run a scenario for real on a testbed: plan (hosts, files, processes or containers, network rules), apply, check the network (RTT, throughput), drive the workload (applying the scenario's timed events at their times: stop, restart, link changes, cuts and restores, load steps, scaling and pool resizes; an autoscaler on utilization or queue, with the simulator's decision; what a testbed cannot do is refused before anything is built), collect spans and host metrics, summarize in the simulate metrics shape, and always clean up.",
    )
    .argument('[scenario]', 'scenario YAML file (the same file `simulate` reads); not with --cleanup')
    .option(
      '--testbed <file>',
      'testbed file mapping layers and services to hosts (see testbeds/); required to run',
    )
    .option(
      '-s, --set <path=value>',
      'override a scenario field (repeatable), e.g. --set edge.users.quantity=2',
      collect,
      [],
    )
    .option(
      '--dry-run',
      'print the plan and stop (nothing is touched); with --cleanup, list what would be removed',
    )
    .option(
      '--cleanup',
      'start no run: remove what crashed (killed) runs left under --state-dir — namespaces, their processes (checked by PID and start time), mounts, nft tables, tc rules, temporary files, containers — and print each; safe when nothing is left',
    )
    .option(
      '--json',
      'print the plan (with --dry-run) or the metrics as JSON; with --cleanup, what was (or would be) removed',
    )
    .option(
      '--repeat <n>',
      'repetitions of the workload (confidence intervals over them)',
      intOption('--repeat', 1),
    )
    .option('-d, --duration <s>', "seconds of workload per repetition (default: the scenario's run.duration)")
    .option(
      '--warmup <s>',
      "seconds excluded from the metrics (default: the scenario's warm-up, scaled to --duration)",
    )
    .option(
      '-o, --out <dir>',
      'run folder: plan, resolved scenario, testbed (no secrets), versions, network checks, metrics.json, trace.jsonl, host metrics, logs; written whole, replacing a previous run folder (never a folder without run.json)',
    )
    .option('--state-dir <dir>', 'local state (journals, keys, sockets)', DEFAULT_STATE_ROOT)
    .option('--allow-dir <dir>', ALLOW_DIR_HELP, collect, [])
    .addHelpText(
      'after',
      `\nAn interrupted (Ctrl-C, SIGTERM) or failed run reports its rates over the time it actually measured and says so (run.json: measured.plannedS, measured.actualS). Requests that got no answer (connection refused or reset: a dead service) count as "failed", apart from "rejected" (the app refused: HTTP 503). Network checks more than ${NETWORK_CHECK_TOLERANCE * 100} % off the configured RTT or rate are warnings (summary, run.json, network.json).\n\nExamples:\n  e2ctwin live scenarios/plantnet.yaml --testbed testbeds/local.yaml --set edge.users.quantity=2 --duration 60 --dry-run\n  sudo e2ctwin live scenarios/plantnet.yaml --testbed testbeds/local.yaml --set edge.users.quantity=2 --duration 60 --out runs/live1\n  sudo e2ctwin live --cleanup --dry-run     # what a crashed run left\n  sudo e2ctwin live --cleanup               # remove it\n\nExit status: 0 ok, 1 the run failed or was interrupted (partial results kept) or cleanup left problems, 2 bad input.`,
    )
    .action(async (file: string | undefined, f: LiveFlags, cmd: Command) => {
      const stateRoot = f.stateDir ?? DEFAULT_STATE_ROOT;
      if (f.cleanup) {
        if (file !== undefined || f.testbed !== undefined)
          cmd.error('error: --cleanup starts no run: give no scenario and no --testbed', {
            exitCode: ExitCode.BAD_INPUT,
          });
        await cleanupCommand(stateRoot, f);
        return;
      }
      if (file === undefined)
        cmd.error("error: missing argument 'scenario' (or use --cleanup)", { exitCode: ExitCode.BAD_INPUT });
      if (f.testbed === undefined)
        cmd.error("error: required option '--testbed <file>' not specified", {
          exitCode: ExitCode.BAD_INPUT,
        });
      const scenario = loadScenarioOrThrow(file, { overrides: f.set, ...fileRoots(f) });
      const runId = f.runId ?? randomBytes(4).toString('hex').slice(0, 5);
      let testbed: LoadedTestbed;
      let plan: LivePlan;
      try {
        testbed = loadTestbed(f.testbed);
        if (f.out && !f.dryRun) checkRunFolder(f.out);
        plan = buildPlan(scenario, testbed, {
          runId,
          stateDir: path.join(stateRoot, runId),
          ...(f.duration !== undefined ? { durationS: positive('--duration', f.duration) } : {}),
          ...(f.warmup !== undefined ? { warmupS: positive('--warmup', f.warmup, true) } : {}),
          ...(f.repeat !== undefined ? { repeat: f.repeat } : {}),
          localE2ctwin: [process.execPath, path.join(PACKAGE_ROOT, 'bin', 'e2ctwin.js')],
        });
      } catch (e) {
        // A testbed or placement problem is bad input: nothing ran.
        if (!(e instanceof LiveError)) throw e;
        process.stderr.write(`${formatLivePlanError(e, file)}\n`);
        process.exitCode = ExitCode.BAD_INPUT;
        return;
      }
      if (f.dryRun) {
        process.stdout.write(f.json ? metricsJson(plan) : `${formatPlan(plan)}\n`);
        const crashed = previewRecovery(stateRoot).crashed;
        if (crashed.length > 0)
          process.stderr.write(
            `note: a real run first removes what ${crashed.length} crashed run(s) left (${crashed.map((c) => `${c.runId}: ${c.resources.length} resources`).join(', ')}); \`e2ctwin live --cleanup --dry-run\` lists them\n`,
          );
        return;
      }
      const log = (line: string) => process.stderr.write(`${line}\n`);
      log(
        `live run ${plan.runId}: ${scenario.name} on ${plan.hosts.length} ${plan.provider} host(s), ${plan.processes.length} process(es)`,
      );
      for (const w of plan.warnings) log(`warning: ${w}`);
      const t0 = performance.now();
      const liveRun = new LiveRun({
        scenario,
        testbed,
        plan,
        stateRoot,
        overrides: f.set,
        log,
        versions: {
          e2ctwin: pkg.version,
          gitCommit: gitCommit() ?? null,
          node: process.version,
          kernel: release(),
          platform: process.platform,
        },
        ...(f.out ? { out: f.out } : {}),
      });
      const outcome = await liveRun.execute();
      const wall = (performance.now() - t0) / 1000;
      if (f.json && outcome.result) {
        const { perReplication: _omit, ...rest } = outcome.result;
        process.stdout.write(metricsJson(rest));
      } else {
        process.stdout.write(`${liveSummary(scenario, plan, outcome)}\n`);
      }
      log(
        `${outcome.status === 'ok' ? 'done' : outcome.status} in ${wall.toFixed(1)} s: ${outcome.requests} requests, ${outcome.spans} spans${outcome.runFolder ? `; run folder ${outcome.runFolder}` : ''}`,
      );
      // The last line: where the run's time went (run.json's `phases`).
      log(`phases: ${formatPhases(outcome.phases)}`);
      if (outcome.status !== 'ok' || outcome.cleanupProblems.length > 0) process.exitCode = ExitCode.FAILURE;
    });
}

function positive(name: string, v: string, zero = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (!zero && n === 0))
    throw new InvalidArgumentError(`${name} must be a number ${zero ? '≥' : '>'} 0 (got "${v}")`);
  return n;
}

/** `e2ctwin live --cleanup`: remove (or with --dry-run list) what crashed runs left; never start a run. */
async function cleanupCommand(stateRoot: string, f: LiveFlags): Promise<void> {
  const preview = previewRecovery(stateRoot);
  for (const r of preview.running)
    process.stderr.write(`run ${r.runId} is in progress (controller pid ${r.ownerPid}): left alone\n`);
  if (f.dryRun) {
    if (f.json) {
      process.stdout.write(metricsJson(preview));
      return;
    }
    if (preview.crashed.length === 0) process.stdout.write(`nothing to recover in ${stateRoot}\n`);
    for (const c of preview.crashed) {
      process.stdout.write(
        `run ${c.runId} crashed (controller pid ${c.ownerPid ?? '?'} gone, started ${c.createdAt ?? '?'}): would remove ${c.resources.length} resources\n`,
      );
      for (const r of c.resources)
        process.stdout.write(
          `  ${r.what}${r.present === false ? ' (already gone)' : r.present === null ? ' (on its host)' : ''}\n`,
        );
    }
    return;
  }
  const lines: string[] = [];
  const done = await recover(stateRoot, (l) => lines.push(l));
  process.stdout.write(
    f.json
      ? metricsJson({ recovered: done, log: lines })
      : lines.length > 0
        ? `${lines.join('\n')}\n`
        : `nothing to recover in ${stateRoot}\n`,
  );
  const problems = done.flatMap((d) => d.problems);
  if (problems.length > 0) {
    process.stderr.write(
      `cleanup: ${problems.length} problem(s) left; the journals are kept for another try\n`,
    );
    process.exitCode = ExitCode.FAILURE;
  }
}

/** The live result: how the network was emulated and checked, then the same table as simulate. */
function liveSummary(scenario: ResolvedScenario, plan: LivePlan, o: LiveOutcome): string {
  const { durationS, warmupS } = plan;
  const out: string[] = [];
  out.push(`network: ${o.emulation.description}`);
  if (o.emulation.measurements.length > 0) {
    out.push(
      table(
        [
          [
            'constraint',
            'hosts',
            'RTT configured',
            'RTT measured',
            'error',
            'rate configured',
            'throughput measured',
            'error',
          ],
          ...o.emulation.measurements.map((m) => [
            m.label,
            `${m.src} → ${m.dst}`,
            `${m.expectedRttMs} ms`,
            m.rtt ? `${num(m.rtt.medianMs)} ms` : '–',
            m.rttErrorPercent !== undefined ? `${m.rttErrorPercent.toFixed(1)}%` : '–',
            m.expectedMbps !== null ? `${m.expectedMbps} Mbit/s` : 'unshaped',
            m.throughput ? `${num(m.throughput.mbps)} Mbit/s` : '–',
            m.throughputErrorPercent !== undefined ? `${m.throughputErrorPercent.toFixed(1)}%` : '–',
          ]),
        ],
        '  ',
      ),
    );
  }
  for (const w of o.emulation.warnings) out.push(`WARNING: ${w}`);
  if (o.events.length > 0) {
    out.push(
      '',
      table(
        [
          ['event', ...(plan.repeat > 1 ? ['repetition'] : []), 'scheduled', 'applied', 'late'],
          ...o.events.map((e) => [
            `${e.label}${e.note ? ` (${e.note})` : ''}`,
            ...(plan.repeat > 1 ? [String(e.repetition)] : []),
            `+${e.scheduledS.toFixed(3)} s`,
            `+${e.appliedS.toFixed(3)} s`,
            `${(e.lateS * 1000).toFixed(0)} ms`,
          ]),
        ],
        '  ',
      ),
    );
  }
  out.push('');
  const m = o.measured;
  if (o.status !== 'ok') {
    out.push(`RUN ${o.status.toUpperCase()}: ${o.failure}${o.result ? ' (partial results below)' : ''}`);
    out.push(
      `measured ${m.actualS.toFixed(1)} s of the ${m.plannedS.toFixed(1)} s planned${m.stoppedAtS !== null ? ` (stopped at +${m.stoppedAtS.toFixed(1)} s of workload)` : ''}${o.result ? `: rates are over the ${m.actualS.toFixed(1)} s measured` : ''}`,
      '',
    );
  }
  if (o.result) {
    out.push(
      `live: ${durationS} s of workload (warm-up ${num(warmupS, 3)} s) per repetition${m.actualS < m.plannedS ? `, ${m.actualS.toFixed(1)} s of ${m.plannedS.toFixed(1)} s measured` : ''}`,
    );
    // The simulate table, its reference-value column named for what a live run gives.
    out.push(
      summaryTable({ ...scenario, run: { ...scenario.run, duration: durationS, warmup: warmupS } }, o.result)
        .replace(/^(reference value\s+expected\s+)simulated/m, '$1 measured')
        .replace(/replications? ×/, (m) => m.replace('replication', 'repetition')),
    );
  }
  return out.join('\n');
}
