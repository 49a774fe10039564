// What the four exploration verbs (sweep, sensitivity, optimize, capacity) share: their common options,
// the study set-up (runner, store, the progress bar of study-progress-bar.ts, Ctrl-C), output files and error handling.
import path from 'node:path';
import { Option, type Command } from 'commander';
import { BAD_INPUT_CODES, ExploreError, ExploreErrorCode } from '../../explore/errors.js';
import { InProcessRunner, type TrialRunner } from '../../explore/runner.js';
import { defaultWorkers, PiscinaRunner } from '../../explore/piscina-runner.js';
import { hash31, type SeedMode } from '../../explore/seeds.js';
import type { Space } from '../../explore/space.js';
import { openStudy, type Study } from '../../explore/study.js';
import { ProgressFile, type ProgressState } from '../../explore/study-progress.js';
import { checkOutFolder, metricsJson, replaceFile, studyFolder } from '../../run-folder/index.js';
import { loadScenarioOrThrow, type ResolvedScenario } from '../../scenario/index.js';
import { ExitCode } from '../exit-codes.js';
import { ALLOW_DIR_HELP, collect, fileRoots, intOption } from '../options.js';
import { pkg } from '../version.js';
import { type Progress, progressBar } from './study-progress-bar.js';

export { type Progress, type QueueProgress, queueProgressLine } from './study-progress-bar.js';

export interface ExploreFlags {
  param: string[];
  set: string[];
  allowDir: string[];
  seed?: number;
  replications?: number;
  seeds: SeedMode;
  workers?: number;
  backend?: string;
  out?: string;
  fresh?: boolean;
  json?: boolean;
  progress: boolean;
  shortcuts: boolean;
}

/** Adds the options every exploration verb takes. */
export function exploreOptions(cmd: Command, defaults: { replications: string }): Command {
  return cmd
    .option(
      '-p, --param <path=range>',
      "a scenario field to vary (repeatable; replaces the scenario's explore.params): path=lo..hi (every integer), path=lo..hi:step, path=lo..hi:log, path=a,b,c",
      collect,
      [],
    )
    .option(
      '-s, --set <path=value>',
      'override a field for every trial (repeatable), e.g. --set run.duration=600',
      collect,
      [],
    )
    .option('--seed <n>', "root seed of the simulations (default: the scenario's seed)", intOption('--seed'))
    .option(
      '-r, --replications <n>',
      `replications per configuration (default: ${defaults.replications})`,
      intOption('--replications', 1),
    )
    .addOption(
      new Option(
        '--seeds <mode>',
        'crn: every configuration uses the same random numbers (common random numbers); independent: a seed per configuration',
      )
        .choices(['crn', 'independent'])
        .default('crn'),
    )
    .option(
      '-w, --workers <n>',
      `worker threads running simulations, at most the cores (default: the cores, here ${defaultWorkers()}; 0 runs them on the main thread)`,
      intOption('--workers', 0),
    )
    .option(
      '--backend <url>',
      'run the trials on a Redis job queue taken by `e2ctwin worker` processes on any machines: redis://host:port[/db], or rediss:// (TLS); the password comes from E2C_REDIS_PASSWORD only, a private CA for rediss:// from E2C_REDIS_CA (a PEM file). Results are the same as local ones (docs/distributed-studies.md)',
    )
    .option(
      '-o, --out <dir>',
      'study folder: study.sqlite (every finished trial) and the result files (default: runs/<verb>-<scenario>-<hash of the study>); checked before any trial: a new or empty folder, or a study folder (it has study.sqlite), which resumes; never another non-empty folder',
    )
    .option(
      '--fresh',
      "delete the study folder's study.sqlite (even a damaged one) and start over instead of resuming; a folder whose trials came from other inputs (the scenario or a file it uses: app, host, link class, calibration, trace; --set; e2ctwin version) or whose store is damaged is refused (exit 2) until you do or pick another --out",
    )
    .option('--json', 'print the results as JSON on stdout instead of tables')
    .option(
      '--no-progress',
      'no progress bar (it only shows on a terminal; with --backend, a line "trial 12/64 · 3 workers · ETA 40 s" also off a terminal, when the workers change and every 10 s)',
    )
    .option(
      '--no-shortcuts',
      "simulate on the plain event path alone, without the model's exact speed-ups (the same as --set run.shortcuts=false)",
    )
    .option('--allow-dir <dir>', ALLOW_DIR_HELP, collect, []);
}

/** A running exploration: the study, plus what the command line adds around it. */
export interface CliStudy {
  study: Study;
  runner: TrialRunner;
  outDir: string;
  signal: AbortSignal;
  progress: Progress;
  /** The study folder's progress.json (what the browser shows); runStudy writes its last state. */
  progressFile: ProgressFile;
  /** Writes a file into the study folder; returns its path. */
  write(name: string, text: string): string;
  /** Stops the bar, closes the pool and the store, removes the Ctrl-C handler. */
  close(): Promise<void>;
}

/** The default study folder: runs/<verb>-<scenario>-<hash of what defines the study>. */
function defaultOutDir(verb: string, scenarioName: string, definition: unknown): string {
  const h = hash31(JSON.stringify(definition)).toString(16).padStart(8, '0');
  return path.join('runs', `${verb}-${scenarioName}-${h}`);
}

/**
 * Opens the study of a verb: the scenario (a bad one throws ScenarioError: exit 2), the space, the
 * worker pool, the store in the study folder (resuming what it holds), the progress bar and Ctrl-C.
 */
export async function startStudy(
  verb: string,
  file: string,
  flags: ExploreFlags,
  definition: unknown,
  extra: { replications?: number; space?: (scenario: ResolvedScenario) => Space } = {},
): Promise<CliStudy> {
  // Before the worker pool starts: a bad --out is refused at once (exit 2, nothing ran).
  // --no-shortcuts is an override like any other (trials and the study's identity see it).
  if (flags.shortcuts === false) flags.set = [...flags.set, 'run.shortcuts=false'];
  const checkOut = (dir: string) => checkOutFolder(dir, { option: '--out', kind: studyFolder });
  if (flags.out !== undefined) checkOut(flags.out);
  const controller = new AbortController();
  const { runner, backend } =
    flags.backend !== undefined
      ? await queueRunner(flags.backend)
      : { runner: localRunner(capWorkers(flags.workers)), backend: 'local' };
  const queue = runner as { workers?: { processes: number } };
  const tty = process.stderr.isTTY === true;
  const bar = progressBar(verb, {
    // Off a terminal, only a queue study prints progress lines (its workers come and go).
    enabled: flags.progress && (tty || flags.backend !== undefined),
    tty,
    ...(flags.backend !== undefined ? { workers: () => queue.workers?.processes ?? 0 } : {}),
  });
  let study: Study;
  let outDir: string;
  let tracker: ProgressFile | undefined;
  try {
    const roots = fileRoots(flags);
    const scenario = loadScenarioOrThrow(file, { overrides: flags.set, ...roots });
    const space = extra.space?.(scenario);
    outDir =
      flags.out ??
      defaultOutDir(verb, scenario.name, {
        verb,
        file: path.resolve(file),
        set: flags.set,
        param: flags.param,
        seed: flags.seed,
        replications: flags.replications,
        seeds: flags.seeds,
        definition,
      });
    if (flags.out === undefined) checkOut(outDir);
    study = openStudy({
      file,
      overrides: flags.set,
      roots,
      params: flags.param,
      ...(space ? { space } : {}),
      runner,
      outDir,
      fresh: flags.fresh ?? false,
      version: pkg.version,
      seedMode: flags.seeds,
      signal: controller.signal,
      onTrial: ({ source, trial }) => {
        // A trial asked for again within the study (a sweep's probe, a repeated design point) is no new trial.
        if (source === 'shared') return;
        bar.tick(source === 'resumed');
        if (source === 'simulated' && trial)
          tracker?.trial({
            config: study.space.record(trial.config),
            replication: trial.replication,
            metrics: trial.metrics,
          });
        else tracker?.touch();
      },
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(flags.replications !== undefined
        ? { replications: flags.replications }
        : extra.replications !== undefined
          ? { replications: extra.replications }
          : {}),
    });
  } catch (err) {
    void runner.close();
    throw err;
  }
  if (study.store && study.store.resumed > 0)
    process.stderr.write(
      `resuming: ${study.store.resumed} finished trial${study.store.resumed === 1 ? '' : 's'} in ${study.store.file}\n`,
    );
  study.store?.setMeta('lastCommand', { verb, file, flags: { ...flags }, definition });
  // The same file for every backend: the browser shows a queue study's progress as it shows a local one.
  const progressFile = new ProgressFile(outDir, {
    kind: verb,
    scenario: study.scenario.name,
    backend,
    params: study.space.params,
    counts: () => ({
      ...bar.counts(),
      workers: flags.backend !== undefined ? (queue.workers?.processes ?? 0) : runner.concurrency,
    }),
  });
  tracker = progressFile;
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  return {
    study,
    runner,
    outDir,
    signal: controller.signal,
    progress: {
      plan(n) {
        bar.plan(n);
        progressFile.touch();
      },
      stop: () => bar.stop(),
    },
    progressFile,
    write(name, text) {
      const f = path.join(outDir, name);
      // Whole or not at all: an interrupted write never leaves half a results file.
      replaceFile(f, text);
      return f;
    },
    async close() {
      bar.stop();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
      study.close();
      await runner.close();
    },
  };
}

/**
 * Runs a verb's body, then closes the study whatever happens. Bad input (a bad --param, metric,
 * constraint or option) prints one line and exits 2; Ctrl-C prints where the finished trials are and
 * exits 130 (the same command resumes); scenario errors go up to main.ts (formatted, exit 2).
 */
export async function runStudy(
  open: () => Promise<CliStudy>,
  body: (s: CliStudy) => Promise<void>,
): Promise<void> {
  let s: CliStudy | undefined;
  let outcome: Exclude<ProgressState, 'running'> = 'failed';
  try {
    s = await open();
    await body(s);
    outcome = 'finished';
  } catch (err) {
    if (err instanceof ExploreError && BAD_INPUT_CODES.has(err.code)) {
      process.stderr.write(`error: ${err.message}${err.hint ? ` (${err.hint})` : ''}  [${err.code}]\n`);
      process.exitCode = ExitCode.BAD_INPUT;
      return;
    }
    if (err instanceof ExploreError && err.code === ExploreErrorCode.INTERRUPTED && s) {
      outcome = 'interrupted';
      s.progress.stop();
      const n = s.study.store?.count() ?? 0;
      process.stderr.write(
        `\ninterrupted: ${n} finished trial${n === 1 ? '' : 's'} saved in ${s.study.store?.file ?? '(no store)'}; run the same command again to resume\n`,
      );
      process.exitCode = 130;
      return;
    }
    if (err instanceof ExploreError && err.code === ExploreErrorCode.BACKEND_LOST && s) {
      outcome = 'interrupted';
      s.progress.stop();
      const n = s.study.store?.count() ?? 0;
      process.stderr.write(
        `\nerror: ${err.message}; ${n} finished trial${n === 1 ? '' : 's'} saved in ${s.study.store?.file ?? '(no store)'}: run the same command again to resume  [${err.code}]\n`,
      );
      process.exitCode = ExitCode.FAILURE;
      return;
    }
    throw err;
  } finally {
    s?.progressFile.end(outcome);
    await s?.close();
  }
}

const localRunner = (workers: number): TrialRunner =>
  workers === 0 ? new InProcessRunner() : new PiscinaRunner(workers);

/**
 * The queue of `--backend`: a malformed URL, an unreachable Redis or a wrong password is bad input (exit 2,
 * within 5 s, before the study folder is touched). bullmq is loaded only here.
 */
async function queueRunner(url: string): Promise<{ runner: TrialRunner; backend: string }> {
  const { parseRedisUrl } = await import('../../explore/redis-url.js');
  const target = parseRedisUrl(url);
  const { QueueRunner } = await import('../../explore/queue-runner.js');
  const notice = (line: string) => process.stderr.write(`${line}\n`);
  const runner = await QueueRunner.open({ target, version: pkg.version, notice });
  const { processes, slots } = runner.workers;
  notice(
    processes === 0
      ? `queue ${target.display}: no worker connected yet; trials wait until one is (e2ctwin worker --backend ${target.display})`
      : `queue ${target.display}: ${processes} worker${processes === 1 ? '' : 's'}, ${slots} trial${slots === 1 ? '' : 's'} at a time`,
  );
  return { runner, backend: target.display };
}

/** The closing line of a study: trials simulated and resumed, and where the folder is. */
export function closingLine(s: CliStudy, files: readonly string[]): string {
  const e = s.study.evaluator;
  return `${e.simulated} trials simulated, ${e.resumed} resumed from the store · study folder ${path.resolve(s.outDir)} (study.sqlite, ${files.map((f) => path.basename(f)).join(', ')})\n`;
}

/** Writes JSON (NaN as null) with stable key order as given. */
export const json = (value: unknown): string => metricsJson(value);

/** CSV text: a header and rows; numbers as JS prints them (full precision), NaN empty, text quoted when needed. */
export function csv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
): string {
  const cell = (v: string | number | boolean | null | undefined) => {
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
    const t = String(v);
    return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}

/** Parses a comma-separated list option. */
export const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
];

/**
 * The worker threads to start: the cores by default, never more (each thread is a simulation with its own
 * heap; more threads than cores only add memory — 1,000 of them took 8 GB — and no speed).
 */
export function capWorkers(asked: number | undefined): number {
  const cores = defaultWorkers();
  if (asked === undefined) return cores;
  if (asked <= cores) return asked;
  process.stderr.write(`--workers ${asked}: capped at ${cores}, the cores of this machine\n`);
  return cores;
}
