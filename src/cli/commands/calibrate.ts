import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../exit-codes.js';
import { stringify } from 'yaml';
import {
  CalibrateError,
  CalibrateErrorCode,
  calibrationFromFits,
  calibrationWithFactors,
  fitFactors,
  fitStageLaws,
  stageMeans,
  type TrainingRun,
} from '../../calibrate/index.js';
import {
  calibrationParams,
  CALIBRATION_HEADER,
  checkOutFile,
  readRecordedRun,
  readResolvedScenario,
  replaceFile,
  requireTrace,
  RunFolderError,
  RunFolderErrorCode,
} from '../../run-folder/index.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import type { SpanRecord } from '../../trace/index.js';
import { collect, intOption } from '../options.js';
import { runSwitches } from '../run-switches.js';
import { num, table } from '../table.js';

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description(
      'Fit per-stage demand laws (exponential, lognormal, gamma, Weibull by maximum likelihood, chosen by AIC, with the KS distance) from the traces of run folders, and write a calibration params file that scenarios include with `calibration: <file>`.',
    )
    .argument(
      '<run-dirs...>',
      'run folders holding trace.jsonl or trace.jsonl.gz (live runs, or simulated runs written with --out)',
    )
    .requiredOption(
      '-o, --out <params.yaml>',
      'params file to write (e.g. calibration/local-testbed/params.yaml); checked before any fitting, it replaces only a params file that calibrate wrote (its "# Written by" header), never another file',
    )
    .option(
      '--min-samples <n>',
      'fit only stages with at least this many spans',
      intOption('--min-samples', 5),
      20,
    )
    .option(
      '--fit-factors',
      'then also fit two scale factors by Nelder–Mead over simulations of the same runs (fixed seeds): of network stage sizes (transfer costs the link model lacks, e.g. TCP slow start) and of compute demands (contention the model lacks), minimizing the squared relative errors of their measured mean, p95, throughput and mean stage durations; needs metrics.json and scenario.resolved.json in each run folder',
    )
    .option(
      '--twin-set <run.field=value>',
      'with --fit-factors: a model switch of the twin the factors are fitted under (repeatable; run.tcpSlowStart, run.tcpFraming, run.tcpEfficiency, run.shortcuts), recorded in the params file: score and use it with the same switch (validate-twin --twin-set)',
      // Checked as each is parsed: a bad one is a usage error (exit 2) before anything is read.
      (v: string, prev: string[]) => (runSwitches([v]), collect(v, prev)),
      [],
    )
    .option(
      '-r, --replications <n>',
      'with --fit-factors: replications per simulated run',
      intOption('--replications', 1),
      5,
    )
    .addHelpText(
      'after',
      '\nExamples:\n  e2ctwin simulate scenarios/plantnet.yaml --set run.spanSample=5000 --out runs/p1\n  e2ctwin calibrate runs/p1 -o calibration/p1/params.yaml\n  e2ctwin calibrate calibration/local-testbed/runs/training/* -o runs/params.yaml --fit-factors\n\nEvery run folder named is used: one that cannot be read (a missing trace, a file that is not valid JSON,\na field of the wrong type) stops the command before any fit, naming the file, line and field (exit 2).',
    )
    .action(
      (
        dirs: string[],
        flags: {
          out: string;
          minSamples: number;
          fitFactors?: boolean;
          replications: number;
          twinSet: string[];
        },
      ) => {
        const switches = runSwitches(flags.twinSet);
        if (flags.twinSet.length > 0 && !flags.fitFactors) {
          process.stderr.write(
            'error: --twin-set applies to --fit-factors (the stage laws come from the traces alone)\n',
          );
          process.exitCode = ExitCode.BAD_INPUT;
          return;
        }
        const out = checkOutFile(flags.out, { option: '--out', kind: calibrationParams });
        const spans: SpanRecord[] = [];
        let scenario: ResolvedScenario | undefined;
        dirs.forEach((dir, i) => {
          if (!existsSync(dir))
            throw new RunFolderError(RunFolderErrorCode.READ_MISSING, { file: dir }, 'no such run folder');
          const trace = requireTrace(dir);
          // Hosts of different runs are different hosts (concurrency is counted per host).
          for (const s of trace.spans) spans.push(dirs.length > 1 ? { ...s, host: `${i}/${s.host}` } : s);
          if (!scenario && existsSync(path.join(dir, 'scenario.resolved.json')))
            scenario = readResolvedScenario(dir);
        });
        // Every file --fit-factors needs is read (and checked) before any fitting starts.
        const runs = flags.fitFactors ? dirs.map((d) => trainingRun(d, switches)) : undefined;
        const fits = fitStageLaws(spans, scenario, flags.minSamples);
        if (fits.length === 0)
          throw new CalibrateError(
            CalibrateErrorCode.TOO_FEW,
            `no stage has ${flags.minSamples} spans or more to fit`,
            { minSamples: flags.minSamples },
          );
        const sources = dirs.map((d) => path.relative(process.cwd(), path.resolve(d)) || '.');
        let params = calibrationFromFits(fits, sources);
        let factorTable = '';
        if (runs) {
          const fit = fitFactors(runs, params, { replications: flags.replications });
          params = calibrationWithFactors(params, runs[0]!.scenario, fit, sources);
          if (flags.twinSet.length > 0)
            (params.provenance as Record<string, Record<string, unknown>>).factors!.twinSet = flags.twinSet;
          factorTable = `\n\nfactors (Nelder–Mead, ${fit.evaluations} evaluations of ${runs.length} runs × ${flags.replications} replications): network sizes × ${num(fit.factors.network, 4)}, compute demands × ${num(fit.factors.compute, 4)}\n${table(
            [
              ['run', 'mean s measured', 'twin', 'p95 s measured', 'twin', 'req/s measured', 'twin'],
              ...fit.runs.map((r) => [
                r.name,
                num(r.measured.mean),
                num(r.simulated.mean),
                num(r.measured.p95),
                num(r.simulated.p95),
                num(r.measured.throughput),
                num(r.simulated.throughput),
              ]),
            ],
          )}`;
        }
        replaceFile(
          out.path,
          `${CALIBRATION_HEADER} ${dirs.join(' ')} -o ${flags.out}\`.\n# Include it from a scenario with: calibration: <path to this file>\n${stringify(params, { aliasDuplicateObjects: false })}`,
        );
        process.stdout.write(
          `${table([
            ['stage', 'spans', 'law', 'mean s', 'cv', 'KS', 'ΔAIC to next', 'concurrency curve'],
            ...fits.map((f) => [
              `${f.service}.${f.stage}`,
              String(f.samples),
              f.best.dist,
              num(f.best.mean),
              num(f.best.cv, 3),
              num(f.best.ks, 3),
              f.all[1] ? num(f.all[1].aic - f.best.aic, 3) : '–',
              f.contention
                ? `max ${num(f.contention.maxSpeedup, 3)}, half ${num(f.contention.halfConcurrency, 3)} (mean n ${num(f.contention.meanConcurrency, 3)})`
                : '',
            ]),
          ])}${factorTable}\nwrote ${flags.out}\n`,
        );
      },
    );
}

/** A run folder as a training run of the factor fit: the scenario as it ran, over its measured window. */
function trainingRun(dir: string, switches: Record<string, unknown>): TrainingRun {
  // --fit-factors simulates each run as it ran: scenario.resolved.json, run.json and metrics.json are needed.
  const run = readRecordedRun(dir);
  // A live run measured a window of its own length: the twin simulates that window.
  const window =
    run.kind === 'live' && run.durationS ? { duration: run.durationS, warmup: run.warmupS ?? 0 } : {};
  return {
    name: path.basename(path.resolve(dir)),
    scenario: { ...run.scenario, run: { ...run.scenario.run, ...window, ...switches } },
    measured: {
      ...run.measured,
      stages: stageMeans(run.spans, run.kind === 'live' ? run.windows : undefined),
    },
  };
}
