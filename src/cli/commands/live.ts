import { randomBytes } from 'node:crypto';
import { release } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { LiveError } from '../../live/errors.js';
import { DEFAULT_STATE_ROOT } from '../../live/journal.js';
import type { LivePlan } from '../../live/plan/types.js';
import { probeRtt, probeServe, probeThroughput } from '../../live/measure/probe.js';
import { PACKAGE_ROOT } from '../../live/paths.js';
import { buildPlan } from '../../live/plan/build.js';
import { formatPlan } from '../../live/plan/format.js';
import { LiveRun, type LiveOutcome } from '../../live/run/runner.js';
import { loadTestbed, type LoadedTestbed } from '../../live/testbed/load.js';
import { loadScenarioOrThrow, type ResolvedScenario } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { ALLOW_DIR_HELP, collect, fileRoots, intOption } from '../options.js';
import { pkg } from '../version.js';
import { gitCommit, metricsJson } from '../run-folder.js';
import { summaryTable } from '../summary-table.js';
import { num, table } from '../table.js';

const parseTarget = (t: string) => {
  const i = t.lastIndexOf(':');
  return { address: t.slice(0, i), port: Number(t.slice(i + 1)) };
};

/** `e2ctwin probe …`: the link checks live mode runs on the hosts. */
export function registerProbe(program: Command): void {
  const probe = program.command('probe').description('Measure a network path (used by live mode on the hosts): serve, round-trip times, throughput. Prints JSON.');
  probe.command('serve').description('Answer probes on a TCP port until stopped.')
    .option('-p, --port <n>', 'TCP port', intOption('--port', 1), 47800)
    .option('--host <address>', 'address to listen on (live runs pass 0.0.0.0 inside the testbed hosts)')
    .action(async (o: { port: number; host?: string }) => {
      // Started by live runs inside testbed hosts; by hand it stays on loopback.
      await probeServe(o.port, o.host ?? '127.0.0.1');
      process.stderr.write(`probe listening on ${o.port}\n`);
    });
  probe.command('rtt').description('Round-trip times of one-byte messages to a probe server.').argument('<address:port>')
    .option('-c, --count <n>', 'samples', intOption('--count', 1), 20)
    .action(async (t: string, o: { count: number }) => {
      const { address, port } = parseTarget(t);
      process.stdout.write(`${JSON.stringify(await probeRtt(address, port, o.count))}\n`);
    });
  probe.command('throughput').description('Bulk TCP transfer to a probe server; the receiver reports the rate.').argument('<address:port>')
    .option('-s, --seconds <s>', 'duration', '3')
    .action(async (t: string, o: { seconds: string }) => {
      const { address, port } = parseTarget(t);
      process.stdout.write(`${JSON.stringify(await probeThroughput(address, port, Number(o.seconds)))}\n`);
    });
}

interface LiveFlags { testbed: string; set: string[]; allowDir?: string[]; dryRun?: boolean; json?: boolean; repeat?: number; duration?: string; warmup?: string; out?: string; stateDir?: string; runId?: string }

/** `e2ctwin live`: deploy the scenario on a testbed, emulate its network, drive its workload, measure. */
export function registerLive(program: Command): void {
  program
    .command('live')
    .description('Run a scenario for real on a testbed: plan (hosts, files, processes or containers, network rules), apply, check the network (RTT, throughput), drive the workload, collect spans and host metrics, summarize in the simulate metrics shape, and always clean up.')
    .argument('<scenario>', 'scenario YAML file (the same file `simulate` reads)')
    .requiredOption('--testbed <file>', 'testbed file mapping layers and services to hosts (see testbeds/)')
    .option('-s, --set <path=value>', 'override a scenario field (repeatable), e.g. --set edge.users.quantity=2', collect, [])
    .option('--dry-run', 'print the plan and stop (nothing is touched)')
    .option('--json', 'print the plan (with --dry-run) or the metrics as JSON')
    .option('--repeat <n>', 'repetitions of the workload (confidence intervals over them)', intOption('--repeat', 1))
    .option('-d, --duration <s>', 'seconds of workload per repetition (default: the scenario\'s run.duration)')
    .option('--warmup <s>', 'seconds excluded from the metrics (default: the scenario\'s warm-up, scaled to --duration)')
    .option('-o, --out <dir>', 'run folder: plan, resolved scenario, testbed (no secrets), versions, network checks, metrics.json, trace.jsonl, host metrics, logs')
    .option('--state-dir <dir>', 'local state (journals, keys, sockets)', DEFAULT_STATE_ROOT)
    .option('--allow-dir <dir>', ALLOW_DIR_HELP, collect, [])
    .addHelpText('after', '\nExamples:\n  e2ctwin live scenarios/plantnet.yaml --testbed testbeds/local.yaml --set edge.users.quantity=2 --duration 60 --dry-run\n  sudo e2ctwin live scenarios/plantnet.yaml --testbed testbeds/local.yaml --set edge.users.quantity=2 --duration 60 --out runs/live1\n\nExit status: 0 ok, 1 the run failed or was interrupted (partial results kept), 2 bad input.')
    .action(async (file: string, f: LiveFlags) => {
      const scenario = loadScenarioOrThrow(file, { overrides: f.set, ...fileRoots(f) });
      const runId = f.runId ?? randomBytes(4).toString('hex').slice(0, 5);
      let testbed: LoadedTestbed;
      let plan: LivePlan;
      try {
        testbed = loadTestbed(f.testbed);
        plan = buildPlan(scenario, testbed, {
        runId, stateDir: path.join(f.stateDir ?? DEFAULT_STATE_ROOT, runId),
        ...(f.duration !== undefined ? { durationS: positive('--duration', f.duration) } : {}),
        ...(f.warmup !== undefined ? { warmupS: positive('--warmup', f.warmup, true) } : {}),
        ...(f.repeat !== undefined ? { repeat: f.repeat } : {}),
        localE2ctwin: [process.execPath, path.join(PACKAGE_ROOT, 'bin', 'e2ctwin.js')],
        });
      } catch (e) {
        // A testbed or placement problem is bad input: nothing ran.
        if (!(e instanceof LiveError)) throw e;
        process.stderr.write(`error: ${e.message} [${e.code}]\n`);
        process.exitCode = ExitCode.BAD_INPUT;
        return;
      }
      if (f.dryRun) {
        process.stdout.write(f.json ? metricsJson(plan) : `${formatPlan(plan)}\n`);
        return;
      }
      const log = (line: string) => process.stderr.write(`${line}\n`);
      log(`live run ${plan.runId}: ${scenario.name} on ${plan.hosts.length} ${plan.provider} host(s), ${plan.processes.length} process(es)`);
      for (const w of plan.warnings) log(`warning: ${w}`);
      const t0 = performance.now();
      const liveRun = new LiveRun({
        scenario, testbed, plan, stateRoot: f.stateDir ?? DEFAULT_STATE_ROOT, overrides: f.set, log,
        versions: { e2ctwin: pkg.version, gitCommit: gitCommit() ?? null, node: process.version, kernel: release(), platform: process.platform },
        ...(f.out ? { out: f.out } : {}),
      });
      const outcome = await liveRun.execute();
      const wall = (performance.now() - t0) / 1000;
      if (f.json && outcome.result) {
        const { perReplication: _omit, ...rest } = outcome.result;
        process.stdout.write(metricsJson(rest));
      } else {
        process.stdout.write(`${liveSummary(scenario, plan.durationS, plan.warmupS, outcome)}\n`);
      }
      log(`${outcome.status === 'ok' ? 'done' : outcome.status} in ${wall.toFixed(1)} s: ${outcome.requests} requests, ${outcome.spans} spans${outcome.runFolder ? `; run folder ${outcome.runFolder}` : ''}`);
      if (outcome.status !== 'ok' || outcome.cleanupProblems.length > 0) process.exitCode = ExitCode.FAILURE;
    });
}

function positive(name: string, v: string, zero = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (!zero && n === 0)) throw new InvalidArgumentError(`${name} must be a number ${zero ? '≥' : '>'} 0 (got "${v}")`);
  return n;
}

/** The live result: how the network was emulated and checked, then the same table as simulate. */
function liveSummary(scenario: ResolvedScenario, durationS: number, warmupS: number, o: LiveOutcome): string {
  const out: string[] = [];
  out.push(`network: ${o.emulation.description}`);
  if (o.emulation.measurements.length > 0) {
    out.push(table([
      ['constraint', 'hosts', 'RTT configured', 'RTT measured', 'error', 'rate configured', 'throughput measured', 'error'],
      ...o.emulation.measurements.map((m) => [
        m.label, `${m.src} → ${m.dst}`, `${m.expectedRttMs} ms`, m.rtt ? `${num(m.rtt.medianMs)} ms` : '–', m.rttErrorPercent !== undefined ? `${m.rttErrorPercent.toFixed(1)}%` : '–',
        m.expectedMbps !== null ? `${m.expectedMbps} Mbit/s` : 'unshaped', m.throughput ? `${num(m.throughput.mbps)} Mbit/s` : '–', m.throughputErrorPercent !== undefined ? `${m.throughputErrorPercent.toFixed(1)}%` : '–',
      ]),
    ], '  '));
  }
  out.push('');
  if (o.status !== 'ok') out.push(`RUN ${o.status.toUpperCase()}: ${o.failure}${o.result ? ' (partial results below)' : ''}`, '');
  if (o.result) {
    out.push(`live: ${durationS} s of workload (warm-up ${num(warmupS, 3)} s) per repetition`);
    // The simulate table, its reference-value column named for what a live run gives.
    out.push(summaryTable({ ...scenario, run: { ...scenario.run, duration: durationS, warmup: warmupS } }, o.result)
      .replace(/^(reference value\s+expected\s+)simulated/m, '$1 measured').replace(/replications? ×/, (m) => m.replace('replication', 'repetition')));
  }
  return out.join('\n');
}
