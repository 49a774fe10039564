import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatPath, type ResolvedScenario } from '../scenario/index.js';
import { jsonlOfLines, toChromeTrace, type SpanRecord, type TraceHeader } from '../trace/index.js';
import { RunFolderError, RunFolderErrorCode as Code } from './errors.js';
import { E2CTWIN_VERSION, gitCommit } from './provenance.js';
import { replaceFolder } from './replace.js';
import { seriesFile, type RunSeriesData } from './series.js';
import { RunJson, type LiveRunJson, type SimulationRunJson } from './run-json.js';
import { metricsJson } from './stable-json.js';
import { traceOverviewFile } from './trace-overview.js';

/** A file of a run folder: its path inside the folder (`logs/<id>/out.log`) and its text (bytes for a compressed file). */
export type RunFileText = readonly [name: string, text: string | Buffer];

/**
 * run.json as a file of a run folder in `dir`, checked against its kind's schema: a writer that drifts
 * from what readers expect fails here, before anything is written, not in a later `calibrate`. It is
 * written as the writer built it (the check does not reorder or drop fields).
 */
export function runJsonFile(dir: string, run: RunJson): RunFileText {
  const checked = RunJson.safeParse(run);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new RunFolderError(
      Code.WRITE_SHAPE,
      { file: path.join(dir, 'run.json'), field: formatPath(issue.path) || undefined },
      `the ${String(run.kind)} run.json being written does not match its schema: ${issue.message}`,
    );
  }
  return ['run.json', metricsJson(run)];
}

/**
 * Adds the run's phase times (seconds each) to the live run.json of the run folder `folder`: they are
 * known only after cleanup, which runs after the folder is written. Checked against the schema like any
 * run.json write.
 */
export function addLivePhases(folder: string, phases: Record<string, number>): void {
  const file = path.join(folder, 'run.json');
  const run = JSON.parse(readFileSync(file, 'utf8')) as LiveRunJson;
  const rounded = Object.fromEntries(
    Object.entries(phases).map(([k, v]) => [k, Math.round(v * 1000) / 1000]),
  );
  writeFileSync(file, runJsonFile(folder, { ...run, phases: rounded })[1]);
}

/** Writes files into `dir` in order, sub-folders created as needed. @returns their names */
function writeFiles(dir: string, files: readonly RunFileText[]): string[] {
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return files.map(([name]) => name);
}

/**
 * Writes the files of a run folder into `dir` (an empty folder the caller then puts in place): run.json
 * (checked before anything is written, see {@link runJsonFile}), then the others.
 */
export function writeRunFiles(dir: string, run: RunJson, files: readonly RunFileText[]): string[] {
  return writeFiles(dir, [runJsonFile(dir, run), ...files]);
}

/**
 * The spans of a run in the project's trace format (trace.jsonl), and when they are more than the
 * browser's first timeline frame shows, the overview of them that frame draws (trace.overview.json.gz, see
 * traceOverviewFile): every writer of a run folder (simulate, live, the server) writes its trace here.
 */
export function traceFiles(
  header: Omit<TraceHeader, 'format' | 'version'>,
  spans: readonly SpanRecord[],
): RunFileText[] {
  const full = { format: 'e2ctwin-trace', version: 1, ...header } as TraceHeader;
  const lines = spans.map((s) => JSON.stringify(s));
  const text = jsonlOfLines(full, lines);
  const overview = traceOverviewFile('trace.jsonl', text, { header: full, spans: [...spans], lines });
  return overview ? [['trace.jsonl', text], overview] : [['trace.jsonl', text]];
}

/** What a simulation run folder holds: the scenario as it ran, the result, a sample of request spans. */
export interface SimulationRun {
  scenario: ResolvedScenario;
  overrides: readonly string[];
  /** The simulation's result (metrics.json); its seed and replications are recorded in run.json. */
  result: { seed: number; replications: number };
  spans: readonly SpanRecord[];
  sampledRequests: number;
  wallSeconds: number;
  /** Every measured request's response time and the per-window levels (series.json). */
  series: RunSeriesData;
}

/**
 * Writes a simulation run folder (`simulate --out`, a simulation started from the browser): what ran
 * (resolved scenario, seed, overrides, version, commit: run.json), what it measured (metrics.json), and
 * the response times of every measured request and the levels over time (series.json: what the browser
 * view draws distributions from), a bounded sample of request spans in the project's trace format plus
 * their Chrome trace export (opens in Perfetto), plus `extra` files of the caller (`scenario.yaml` of the
 * server). The
 * folder is replaced whole (written beside it, then renamed into place): a previous run's files never
 * remain beside the new ones, and a failed write leaves the previous folder as it was.
 * @returns the paths of the files written
 */
export function writeSimulationRun(
  dir: string,
  run: SimulationRun,
  extra: readonly RunFileText[] = [],
): string[] {
  const runJson: SimulationRunJson = {
    kind: 'simulation',
    scenario: run.scenario.name,
    scenarioFile: run.scenario.source.file,
    overrides: [...run.overrides],
    seed: run.result.seed,
    replications: run.result.replications,
    e2ctwinVersion: E2CTWIN_VERSION,
    gitCommit: gitCommit() ?? null,
    node: process.version,
    finishedAt: new Date().toISOString(),
    wallSeconds: run.wallSeconds,
  };
  const files: RunFileText[] = [
    ['scenario.resolved.json', metricsJson(run.scenario)],
    runJsonFile(dir, runJson),
    ['metrics.json', metricsJson(run.result)],
    seriesFile('simulation', run.series),
    ...traceFiles(
      {
        source: 'simulation',
        scenario: run.scenario.name,
        seed: run.result.seed,
        replication: 0,
        sampledRequests: run.sampledRequests,
      },
      run.spans,
    ),
    ['chrome-trace.json', `${JSON.stringify(toChromeTrace(run.spans))}\n`],
    ...extra,
  ];
  replaceFolder(dir, (tmp) => writeFiles(tmp, files));
  return files.map(([name]) => path.join(dir, name));
}

/** The live run's files other than run.json, as plain data (live mode assembles them; this layer writes them). */
export interface LiveRunFiles {
  plan: unknown;
  scenario: ResolvedScenario;
  /** The testbed with its secrets redacted. */
  testbed: unknown;
  network: unknown;
  /** Absent when the run collected nothing (it failed before measuring, or collecting failed). */
  collected?: {
    metrics?: unknown;
    /** Every measured request's response time, pooled over the repetitions (series.json); with the metrics. */
    series?: RunSeriesData;
    trace: { seed: number; sampledRequests: number; spans: readonly SpanRecord[] };
    hostMetrics: unknown;
    engineStats: unknown;
    /** Per process id: its out.log and err.log (as fetched). */
    logs: ReadonlyMap<string, Readonly<Record<string, string>>>;
  };
}

/**
 * Writes a live run folder's files into `dir` (live mode's journaled temporary sibling, which it then
 * puts in place of `--out`): plan, resolved scenario, testbed (no secrets), run.json, network checks,
 * and when the run collected something its metrics, series (series.json), trace, host metrics, engine statistics and logs.
 */
export function writeLiveRun(dir: string, run: LiveRunJson, f: LiveRunFiles): string[] {
  const files: RunFileText[] = [
    ['plan.json', metricsJson(f.plan)],
    ['scenario.resolved.json', metricsJson(f.scenario)],
    ['testbed.json', metricsJson(f.testbed)],
    runJsonFile(dir, run),
    ['network.json', metricsJson(f.network)],
  ];
  const c = f.collected;
  if (c) {
    if (c.metrics) files.push(['metrics.json', metricsJson(c.metrics)]);
    if (c.series) files.push(seriesFile('live', c.series));
    files.push(
      ...traceFiles(
        {
          source: 'live',
          scenario: f.scenario.name,
          seed: c.trace.seed,
          replication: 0,
          sampledRequests: c.trace.sampledRequests,
        },
        c.trace.spans,
      ),
    );
    files.push(
      ['host-metrics.json', metricsJson(c.hostMetrics)],
      ['engine-stats.json', metricsJson(c.engineStats)],
    );
    for (const [id, logs] of c.logs) {
      const d = path.join('logs', id.replace(/[^\w.@-]/g, '_'));
      mkdirSync(path.join(dir, d), { recursive: true }); // a process's folder even when it left no log
      for (const name of ['out.log', 'err.log'])
        if (logs[name] !== undefined) files.push([path.join(d, name), logs[name]!]);
    }
  }
  return writeFiles(dir, files);
}
