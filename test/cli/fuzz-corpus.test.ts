import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/cli.js';

// The fuzz corpus (test/fixtures/fuzz/): hostile and careless scenarios (scenarios/*.yaml, each stating on its
// first line whether it must be refused or must run) and option sets (options/*.yaml: a command, a scenario
// and arguments). Each goes through the real command: `validate`, then `simulate` with short budgets where it
// validates. Each must end in a located error (exit 2), a finished run (exit 0) or a budget stop (exit 1,
// naming the option), within 30 s of CPU and 1 GiB of memory, and never print a stack trace.
// The commands run in measured child processes, several to a process (test/support/measured-batch.mjs: each
// command's own CPU time, the process's peak memory, which bounds each command's): a start-up costs more
// than most cases. A batch that crashes or does not exit is run again one command per process, so the
// failure is reported against its case.
const fuzz = path.join(repoRoot, 'test/fixtures/fuzz');
const rel = (f: string) => path.relative(repoRoot, f);
const LIMITS = { cpuSeconds: 30, rssKiB: 1024 * 1024 };
/** Budgets of the simulations: short, so that a run that would go on for long stops soon, by its budget. */
const SIMULATE_BOUNDS = ['--max-events', '150000', '--max-memory', '512'];
/** Scenario files validated by one process (start-up costs more than most validations). */
const BATCH = 24;
/** Simulations (and option sets) run by one process, one after the other. */
const COMMANDS_PER_PROCESS = 9;
/** A process still running after this long (wall time, on a loaded machine) is killed: a failure. */
const WALL_KILL_MS = 120_000;
const STACK_TRACE = /^\s{4}at \S|FATAL ERROR|Reached heap limit|Maximum call stack/m;
const BUDGET_STOP = /\[E2C_ERR_MODEL_BUDGET_EXCEEDED\]/;

interface Usage {
  maxRssKiB: number;
  cpuSeconds: number;
}
interface Run {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  usage?: Usage;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-fuzz-'));
let reports = 0;

/** Runs e2ctwin in a child process that reports its peak memory and CPU time. */
async function run(args: string[]): Promise<Run> {
  const report = path.join(tmp, `usage-${reports++}.json`);
  const r = await spawnMeasured(['test/support/measured-cli.mjs', report, ...args]);
  let usage: Usage | undefined;
  try {
    usage = JSON.parse(readFileSync(report, 'utf8')) as Usage;
  } catch {
    /* crashed or killed: no report */
  }
  return { ...r, ...(usage ? { usage } : {}) };
}

/** Runs a script of test/support in a child process with the corpus's memory ceiling and wall-time kill switch. */
function spawnMeasured(args: string[]): Promise<Omit<Run, 'usage'>> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=1536', path.join(repoRoot, args[0]!), ...args.slice(1)],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), WALL_KILL_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/**
 * Runs the command lines in few measured processes (see the note at the top), at most `parallel` at a time.
 * Each result carries its command's CPU time and the peak memory of the process that ran it.
 */
async function runAll(commands: string[][], parallel: number): Promise<Run[]> {
  const n = Math.ceil(commands.length / COMMANDS_PER_PROCESS);
  // Dealt round-robin: the heavy cases, written next to each other, land in different processes.
  const batches = Array.from({ length: n }, (_, b) => commands.map((_, i) => i).filter((i) => i % n === b));
  const out: Run[] = new Array(commands.length);
  await pool(
    batches.map((idx) => async () => {
      const runs = await runBatch(idx.map((i) => commands[i]!));
      idx.forEach((i, k) => {
        out[i] = runs[k]!;
      });
    }),
    parallel,
  );
  return out;
}

/** One measured process for the command lines; when it does not end well, one process per command instead. */
async function runBatch(commands: string[][]): Promise<Run[]> {
  const list = path.join(tmp, `commands-${reports++}.json`);
  writeFileSync(list, JSON.stringify(commands));
  const report = path.join(tmp, `usage-${reports++}.json`);
  const batch = await spawnMeasured(['test/support/measured-batch.mjs', report, list]);
  let got:
    | { runs: (Omit<Run, 'signal' | 'usage'> & { cpuSeconds: number })[]; maxRssKiB?: number }
    | undefined;
  try {
    got = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    /* crashed before the first command ended */
  }
  if (batch.signal !== null || got?.maxRssKiB === undefined || got.runs.length !== commands.length)
    return pool(
      commands.map((args) => () => run(args)),
      1,
    );
  // What the process printed outside any command (a warning of Node.js) is shown with each of its commands.
  return got.runs.map((r) => ({
    status: r.status,
    signal: null,
    stdout: r.stdout + batch.stdout,
    stderr: r.stderr + batch.stderr,
    usage: { cpuSeconds: r.cpuSeconds, maxRssKiB: got.maxRssKiB! },
  }));
}

/** Runs the jobs with at most `limit` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

type Expectation = 'refused' | 'runs' | 'budget';
interface ScenarioCase {
  file: string;
  expect: Expectation;
  why: string;
}
interface OptionCase {
  file: string;
  command: string;
  scenario: string;
  args: string[];
  expect: Expectation;
  mentions?: string;
}

const scenarioCases: ScenarioCase[] = readdirSync(path.join(fuzz, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const file = path.join(fuzz, 'scenarios', f);
    const head = /^# fuzz: (refused|runs) — (.*)$/m.exec(readFileSync(file, 'utf8').slice(0, 400));
    if (!head) throw new Error(`${rel(file)}: the first line must be "# fuzz: refused|runs — why"`);
    return { file, expect: head[1] as Expectation, why: head[2]! };
  });
const optionCases: OptionCase[] = readdirSync(path.join(fuzz, 'options'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => {
    const file = path.join(fuzz, 'options', f);
    // Every value is text, as on a command line (the failsafe schema reads 1e400 as "1e400", not Infinity).
    const o = parse(readFileSync(file, 'utf8'), { schema: 'failsafe' }) as Omit<OptionCase, 'file'>;
    return { ...o, file, args: o.args.map((a) => a.replaceAll('{tmp}', tmp)) };
  });

/** What happened to one scenario file: its part of a validate batch, and its simulation if it validated. */
interface ScenarioOutcome {
  validate: { status: number | null; block: string; batch: Run; files: number };
  simulate?: Run;
}
const scenarioOutcomes = new Map<string, ScenarioOutcome>();
const optionOutcomes = new Map<string, Run>();

/** The lines a validate batch printed for one file (a file's report starts with its name, the rest are indented). */
function blockOf(file: string, r: Run): { status: number; block: string } {
  const name = rel(file);
  const text = `${r.stdout}\n${r.stderr}`;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${name}: `));
  if (start < 0) return { status: -1, block: '' };
  let end = start + 1;
  while (end < lines.length && /^\s/.test(lines[end]!)) end++;
  const block = lines.slice(start, end).join('\n');
  return {
    status: lines[start]!.startsWith(`${name}: ok`) ? 0 : lines[start]!.startsWith(`${name}: error`) ? 2 : -1,
    block,
  };
}

beforeAll(async () => {
  const batches: ScenarioCase[][] = [];
  for (let i = 0; i < scenarioCases.length; i += BATCH) batches.push(scenarioCases.slice(i, i + BATCH));
  const workers = Math.max(1, Math.min(2, os.availableParallelism()));
  const validated = await pool(
    batches.map((b) => () => run(['validate', ...b.map((c) => rel(c.file))])),
    workers,
  );
  batches.forEach((b, bi) => {
    for (const c of b) {
      const { status, block } = blockOf(c.file, validated[bi]!);
      scenarioOutcomes.set(c.file, { validate: { status, block, batch: validated[bi]!, files: b.length } });
    }
  });
  const toSimulate = scenarioCases.filter((c) => scenarioOutcomes.get(c.file)!.validate.status === 0);
  const simulated = await runAll(
    toSimulate.map((c) => ['simulate', rel(c.file), '--json', ...SIMULATE_BOUNDS]),
    workers,
  );
  toSimulate.forEach((c, i) => {
    scenarioOutcomes.get(c.file)!.simulate = simulated[i]!;
  });
  const options = await runAll(
    optionCases.map((c) => {
      const bounds =
        c.command === 'simulate'
          ? SIMULATE_BOUNDS.filter((_, i, a) => !c.args.includes(a[i - (i % 2)]!))
          : [];
      return [c.command, path.join('test/fixtures/fuzz', c.scenario), ...c.args, ...bounds];
    }),
    workers,
  );
  optionCases.forEach((c, i) => optionOutcomes.set(c.file, options[i]!));
}, 900_000);

afterAll(() => {
  // The figures for the record: the heaviest process of the corpus, by CPU and by memory.
  const runs = [
    ...[...scenarioOutcomes].flatMap(([f, o]) => [
      [`validate batch of ${path.basename(f)}`, o.validate.batch] as const,
      ...(o.simulate ? [[`simulate ${path.basename(f)}`, o.simulate] as const] : []),
    ]),
    ...[...optionOutcomes].map(([f, r]) => [`options ${path.basename(f)}`, r] as const),
  ].filter(([, r]) => r.usage);
  const top = (k: keyof Usage) => runs.reduce((a, b) => (b[1].usage![k] > a[1].usage![k] ? b : a));
  const cpu = top('cpuSeconds');
  const rss = top('maxRssKiB');
  console.log(
    `fuzz corpus: ${scenarioCases.length} scenarios, ${optionCases.length} option sets; most CPU ${cpu[1].usage!.cpuSeconds.toFixed(1)} s (${cpu[0]}), most memory ${(rss[1].usage!.maxRssKiB / 1024).toFixed(0)} MiB (${rss[0]})`,
  );
  rmSync(tmp, { recursive: true, force: true });
});

/** Within the bounds, no stack trace, no crash. */
function expectWellBehaved(r: Run, cpuBudget = LIMITS.cpuSeconds): void {
  expect(r.signal, 'killed (ran past the wall-time kill switch)').toBeNull();
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(STACK_TRACE);
  expect(
    r.usage,
    `no usage report: the process crashed (exit ${r.status}): ${r.stderr.slice(0, 500)}`,
  ).toBeDefined();
  expect(r.usage!.cpuSeconds).toBeLessThanOrEqual(cpuBudget);
  expect(r.usage!.maxRssKiB).toBeLessThanOrEqual(LIMITS.rssKiB);
}

/** Every issue line of a refusal names a position (file:line:column) or a field path. */
function expectLocated(block: string): void {
  const issues = block.split('\n').filter((l) => /^\s{2}\S/.test(l));
  expect(issues.length, block).toBeGreaterThan(0);
  for (const l of issues)
    expect(l, 'an issue without a line or a field path').toMatch(
      /^\s{2}\S+:[1-9]\d*:\d+ |^\s{2}\S+ [\w$[\].'-]+: /,
    );
}

describe('fuzz corpus: scenarios', () => {
  it('holds at least 150 files, with cases of each kind', () => {
    expect(scenarioCases.length + optionCases.length).toBeGreaterThanOrEqual(150);
    expect(scenarioCases.filter((c) => c.expect === 'refused').length).toBeGreaterThan(50);
    expect(scenarioCases.filter((c) => c.expect === 'runs').length).toBeGreaterThan(20);
  });

  for (const c of scenarioCases) {
    it(`${path.basename(c.file)}: ${c.expect === 'refused' ? 'refused with a location' : 'valid, and runs or stops at its budget'} (${c.why})`, () => {
      const o = scenarioOutcomes.get(c.file)!;
      expectWellBehaved(o.validate.batch, LIMITS.cpuSeconds * o.validate.files);
      if (c.expect === 'refused') {
        expect(o.validate.status, o.validate.block || o.validate.batch.stderr.slice(0, 800)).toBe(2);
        expectLocated(o.validate.block);
        return;
      }
      expect(o.validate.status, o.validate.block).toBe(0);
      const s = o.simulate!;
      expectWellBehaved(s);
      if (s.status === 1)
        expect(s.stderr, 'exit 1 must be a budget stop naming its option').toMatch(/--max-(events|memory)/);
      else expect(s.status, s.stderr.slice(0, 800)).toBe(0);
      if (s.status === 1) expect(s.stderr).toMatch(BUDGET_STOP);
    });
  }
});

describe('fuzz corpus: no file leaves the machine through an error', () => {
  it('no output of any case holds a line of /etc/passwd (cases name it as calibration, host preset and link class)', () => {
    const secret = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .filter((l) => l.length >= 8);
    const outputs = [
      ...[...scenarioOutcomes.values()].flatMap((o) => [
        o.validate.batch,
        ...(o.simulate ? [o.simulate] : []),
      ]),
      ...optionOutcomes.values(),
    ];
    expect(outputs.length).toBeGreaterThan(150);
    for (const r of outputs)
      for (const line of secret) expect(`${r.stdout}\n${r.stderr}`).not.toContain(line);
  });
});

describe('fuzz corpus: option sets', () => {
  for (const c of optionCases) {
    it(`${path.basename(c.file)}: e2ctwin ${c.command} … ${c.expect}`, () => {
      const r = optionOutcomes.get(c.file)!;
      expectWellBehaved(r);
      if (c.expect === 'refused') {
        expect(r.status, r.stderr.slice(0, 800)).toBe(2);
        if (c.mentions !== undefined) expect(r.stderr).toContain(c.mentions);
        else expectLocated(r.stderr);
      } else if (c.expect === 'budget') {
        expect(r.status, r.stderr.slice(0, 800)).toBe(1);
        expect(r.stderr).toMatch(BUDGET_STOP);
        expect(r.stderr).toContain(c.mentions!);
      } else {
        expect([0, 1], r.stderr.slice(0, 800)).toContain(r.status);
        if (r.status === 1) expect(r.stderr).toMatch(BUDGET_STOP);
        if (c.mentions !== undefined) expect(r.stderr).toContain(c.mentions);
      }
    });
  }
});
