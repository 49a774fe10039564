import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { calibrationFromFits, fitStageLaws } from '../../calibrate/index.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import type { SpanRecord } from '../../trace/index.js';
import { readRunTrace } from '../run-folder-read.js';
import { intOption } from '../options.js';
import { num, table } from '../table.js';

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('Fit per-stage demand laws (exponential, lognormal, gamma, Weibull by maximum likelihood, chosen by AIC, with the KS distance) from the traces of run folders, and write a calibration params file that scenarios include with `calibration: <file>`.')
    .argument('<run-dirs...>', 'run folders holding trace.jsonl or trace.jsonl.gz (live runs, or simulated runs written with --out)')
    .requiredOption('-o, --out <params.yaml>', 'params file to write (e.g. calibration/local-testbed/params.yaml)')
    .option('--min-samples <n>', 'fit only stages with at least this many spans', intOption('--min-samples', 5), 20)
    .addHelpText('after', '\nExample:\n  e2ctwin simulate scenarios/plantnet.yaml --set run.spanSample=5000 --out runs/p1\n  e2ctwin calibrate runs/p1 -o calibration/p1/params.yaml')
    .action((dirs: string[], flags: { out: string; minSamples: number }) => {
      const spans: SpanRecord[] = [];
      let scenario: ResolvedScenario | undefined;
      dirs.forEach((dir, i) => {
        const trace = readRunTrace(dir);
        if (!trace) throw Object.assign(new Error(`${dir}: no trace.jsonl (is it a run folder?)`), { code: 'E2C_ERR_CALIBRATE_NO_TRACE' });
        // Hosts of different runs are different hosts (concurrency is counted per host).
        for (const s of trace.spans) spans.push(dirs.length > 1 ? { ...s, host: `${i}/${s.host}` } : s);
        const resolved = path.join(dir, 'scenario.resolved.json');
        if (!scenario && existsSync(resolved)) scenario = JSON.parse(readFileSync(resolved, 'utf8')) as ResolvedScenario;
      });
      const fits = fitStageLaws(spans, scenario, flags.minSamples);
      if (fits.length === 0) throw Object.assign(new Error(`no stage has ${flags.minSamples} spans or more to fit`), { code: 'E2C_ERR_CALIBRATE_TOO_FEW' });
      const params = calibrationFromFits(fits, dirs.map((d) => path.relative(process.cwd(), path.resolve(d)) || '.'));
      mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
      writeFileSync(flags.out, `# Written by \`e2ctwin calibrate ${dirs.join(' ')} -o ${flags.out}\`.\n# Include it from a scenario with: calibration: <path to this file>\n${stringify(params, { aliasDuplicateObjects: false })}`);
      process.stdout.write(`${table([
        ['stage', 'spans', 'law', 'mean s', 'cv', 'KS', 'ΔAIC to next', 'concurrency curve'],
        ...fits.map((f) => [`${f.service}.${f.stage}`, String(f.samples), f.best.dist, num(f.best.mean), num(f.best.cv, 3), num(f.best.ks, 3), f.all[1] ? num(f.all[1].aic - f.best.aic, 3) : '–',
          f.contention ? `max ${num(f.contention.maxSpeedup, 3)}, half ${num(f.contention.halfConcurrency, 3)} (mean n ${num(f.contention.meanConcurrency, 3)})` : '']),
      ])}\nwrote ${flags.out}\n`);
    });
}
