import { InvalidArgumentError, type Command } from 'commander';
import {
  bracketOf,
  capacity,
  loadField,
  type CapacityResult,
  type CapacityStep,
  type LoadField,
} from '../../explore/capacity.js';
import { ExploreError, ExploreErrorCode } from '../../explore/errors.js';
import { parseConstraint } from '../../explore/objectives.js';
import { Space } from '../../explore/space.js';
import { collect, intOption } from '../options.js';
import { count, num, pct, table } from '../table.js';
import {
  closingLine,
  csv,
  exploreOptions,
  json,
  runStudy,
  startStudy,
  type ExploreFlags,
} from './explore-shared.js';
import { predictConfigsWithSet } from '../set-prediction.js';

interface CapacityFlags extends ExploreFlags {
  load?: string;
  slo: string;
  range?: { lo: number; hi: number };
  config: string[];
  maxReplications: number;
  tolerance: number;
  calibrationSet?: string;
  piReplications: number;
}

function range(value: string): { lo: number; hi: number } {
  const m = /^\s*([\d.]+(?:e\d+)?)\s*\.\.\s*([\d.]+(?:e\d+)?)\s*$/.exec(value);
  const lo = Number(m?.[1]),
    hi = Number(m?.[2]);
  if (!m || !(lo > 0) || !(hi > lo))
    throw new InvalidArgumentError(`--range must be lo..hi with 0 < lo < hi (got "${value}")`);
  return { lo, hi };
}

function fraction(value: string): number {
  const x = Number(value);
  if (!(x > 0 && x < 1))
    throw new InvalidArgumentError(`--tolerance must be a fraction in (0, 1) (got "${value}")`);
  return x;
}

/** `label:path=v,path=v` or `path=v,path=v` (label = the overrides). */
function parseConfig(text: string): { label: string; overrides: string[] } {
  const colon = text.indexOf(':');
  const eq = text.indexOf('=');
  const hasLabel = colon > 0 && (eq < 0 || colon < eq);
  const label = hasLabel ? text.slice(0, colon).trim() : text.trim();
  const body = hasLabel ? text.slice(colon + 1) : text;
  const overrides = body
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const o of overrides)
    if (o.indexOf('=') <= 0)
      throw new ExploreError(ExploreErrorCode.BAD_PARAM, `--config "${text}": "${o}" is not path=value`, {
        config: text,
      });
  return { label: label || 'as given', overrides };
}

export function registerCapacity(program: Command): void {
  const cmd = program
    .command('capacity')
    .description(
      'How many simultaneous users (or what arrival rate) a configuration serves while a response-time percentile stays under a threshold: bisection on the load with replications added while the 95% CI straddles the threshold. Compare configurations with --config.',
    )
    .argument('<scenario>', 'scenario YAML file (e.g. scenarios/plantnet.yaml)')
    .option('--slo <expr>', "the service-level objective on a metric's mean", 'responseTime.p95 <= 3')
    .option(
      '--load <path>',
      "the load field (default: the first workload's hosts or users for a closed workload, its ratePerS for an open one)",
    )
    .option(
      '--range <lo..hi>',
      "search bracket (default: 1 (or current/64 for a rate) up to the scenario's value, doubled until the SLO fails)",
      range,
    )
    .option(
      '--config <[label:]path=value,…>',
      'a configuration to measure (repeatable; each with its own overrides; the first is the reference for "more users"). Default: the scenario as given',
      collect,
      [],
    )
    .option(
      '--max-replications <n>',
      'replications per load at most (doubling from -r while the CI straddles the threshold)',
      intOption('--max-replications', 1),
      16,
    )
    .option(
      '--tolerance <fraction>',
      'stop the bisection of a rate when the bracket is this fraction of its top (integer loads stop at 1)',
      fraction,
      0.01,
    );
  exploreOptions(cmd, { replications: '4' })
    .option(
      '--calibration-set <file>',
      "also simulate each configuration at its capacity under every plausible vector of a calibration set (`e2ctwin calibrate-twin`): the probability that the SLO holds there, and the metric's 90 % prediction interval",
    )
    .option(
      '--pi-replications <n>',
      'with --calibration-set: replications per plausible vector',
      intOption('--pi-replications', 1),
      1,
    )
    .addHelpText(
      'after',
      `
A load meets the SLO when the 95% CI of the metric lies within it and fails when it lies beyond it; when the CI
still straddles it at --max-replications the mean decides and the answer is flagged "uncertain". Every load uses
the same seeds (common random numbers). The metric is assumed to grow with the load.

Outputs, in the study folder (--out): study.sqlite, steps.csv (every load tried), result.json.

Examples:
  e2ctwin capacity scenarios/plantnet.yaml --slo "responseTime.p95 <= 3"
  e2ctwin capacity scenarios/plantnet.yaml --config baseline:cloud.engine.pools.extract=7 --config tuned:cloud.engine.pools.extract=8,cloud.engine.pools.http=60
  e2ctwin capacity scenarios/plantnet.yaml --load edge.users.quantity --range 50..400 --set run.duration=900`,
    )
    .action(async (file: string, flags: CapacityFlags) => {
      const configs = (flags.config.length > 0 ? flags.config : ['']).map(parseConfig);
      const slo = parseConstraint(flags.slo);
      let load: LoadField | undefined;
      const definition = {
        slo: flags.slo,
        load: flags.load,
        range: flags.range,
        config: flags.config,
        maxReplications: flags.maxReplications,
        tolerance: flags.tolerance,
      };
      await runStudy(
        () =>
          startStudy('capacity', file, { ...flags, param: [] }, definition, {
            replications: 4,
            space: (scenario) => {
              load = loadField(scenario, flags.load);
              return new Space([
                {
                  path: load.path,
                  name: load.path.split('.').at(-1)!,
                  min: flags.range?.lo ?? (load.integer ? 1 : load.current / 64),
                  max: flags.range?.hi ?? Math.max(1, load.current) * 4096,
                  log: false,
                  categorical: false,
                },
              ]);
            },
          }),
        async (s) => {
          const { study } = s;
          const results: { label: string; overrides: string[]; r: CapacityResult }[] = [];
          const head = {
            kind: 'capacity',
            scenario: study.scenario.name,
            load: load!.path,
            current: load!.current,
            slo: slo.text,
            rootSeed: study.rootSeed,
            seeds: study.seedMode,
          };
          // The page follows the search: result.json's shape with the configurations searched so far, the
          // one under way with the bracket its steps decided so far (`state: 'searching'`, the rest
          // `waiting`); `partial` counts the loads decided (the page fetches it again when that changes).
          let decided = 0;
          const soFar = (current?: readonly CapacityStep[]) =>
            s.progressFile.soFar({
              ...head,
              configs: configs.map((c, i) => {
                const done = results[i];
                if (done) return { ...configEntry(c.label, c.overrides, done.r), state: 'done' };
                const steps = i === results.length ? (current ?? []) : [];
                return {
                  ...configEntry(c.label, c.overrides, { ...bracketOf(steps), steps: [...steps] }),
                  state: i === results.length ? 'searching' : 'waiting',
                };
              }),
              partial: {
                done: decided,
                unit: 'loads',
                configurations: { done: results.length, of: configs.length },
              },
            });
          soFar();
          s.progressFile.write();
          for (const c of configs) {
            const r = await capacity(study, {
              load: load!,
              slo,
              extra: c.overrides,
              replications: study.replications,
              maxReplications: Math.max(flags.maxReplications, study.replications),
              tolerance: flags.tolerance,
              ...(flags.range ? { lo: flags.range.lo, hi: flags.range.hi } : {}),
              onStep: (steps) => {
                decided++;
                soFar(steps);
              },
            });
            results.push({ label: c.label, overrides: c.overrides, r });
            soFar();
          }
          s.progress.stop();
          // Under the calibration: does the SLO still hold at the capacity found, vector by vector?
          const atCap = results.filter(({ r }) => r.capacity !== undefined);
          const calibrated =
            flags.calibrationSet === undefined || atCap.length === 0
              ? undefined
              : await predictConfigsWithSet(
                  file,
                  atCap.map(({ label, overrides, r }) => ({
                    name: label,
                    overrides: [...flags.set, ...overrides, `${load!.path}=${r.capacity}`],
                  })),
                  [slo.key],
                  flags.calibrationSet,
                  { seed: study.rootSeed, replications: flags.piReplications, runner: s.runner },
                );
          const within = (x: number) =>
            slo.op === '<='
              ? x <= slo.bound
              : slo.op === '<'
                ? x < slo.bound
                : slo.op === '>='
                  ? x >= slo.bound
                  : x > slo.bound;
          const underSet = calibrated?.predictions.map((p, i) => {
            const x = p.metrics[slo.key]!;
            return {
              label: atCap[i]!.label,
              capacity: atCap[i]!.r.capacity!,
              pSloHolds: x.values.filter(within).length / x.values.length,
              point: x.point,
              lo90: x.lo,
              hi90: x.hi,
            };
          });
          const doc = {
            ...(underSet ? { underCalibrationSet: { samples: calibrated!.samples, configs: underSet } } : {}),
            ...head,
            configs: results.map(({ label, overrides, r }) => configEntry(label, overrides, r)),
          };
          const files = [
            s.write(
              'steps.csv',
              csv(
                ['config', 'load', 'replications', slo.key, `${slo.key}.ci95`, 'throughput', 'verdict'],
                results.flatMap(({ label, r }) =>
                  r.steps.map((st) => [
                    label,
                    st.load,
                    st.replications,
                    st.mean,
                    st.halfWidth,
                    st.throughput,
                    st.verdict,
                  ]),
                ),
              ),
            ),
            s.write('result.json', json(doc)),
          ];
          if (flags.json) process.stdout.write(json(doc));
          else {
            process.stdout.write(
              `${report(study.scenario.name, load!, slo.text, results, s.runner.description)}\n`,
            );
            if (underSet) {
              process.stdout.write(
                `\nAt the capacity found, under the calibration set (${calibrated!.samples} plausible parameter vectors):\n${table(
                  [
                    ['configuration', 'capacity', `P(${slo.text})`, `${slo.key} calibrated`, '90 % interval'],
                    ...underSet.map((u) => [
                      u.label,
                      load!.integer ? count(u.capacity) : num(u.capacity, 4),
                      pct(u.pSloHolds, 0),
                      num(u.point, 4),
                      `${num(u.lo90, 4)} – ${num(u.hi90, 4)}`,
                    ]),
                  ],
                  '  ',
                )}\n`,
              );
            }
          }
          process.stderr.write(closingLine(s, files));
        },
      );
    });
}

/** A configuration's entry in result.json (and, with its steps so far, in the document so far). */
function configEntry(
  label: string,
  overrides: string[],
  r: Pick<CapacityResult, 'capacity' | 'firstFailure' | 'uncertain' | 'atCapacity' | 'steps'>,
) {
  return {
    label,
    overrides,
    capacity: r.capacity ?? null,
    firstFailure: r.firstFailure ?? null,
    uncertain: r.uncertain,
    atCapacity: r.atCapacity
      ? {
          mean: r.atCapacity.mean,
          ci95: r.atCapacity.halfWidth,
          throughput: r.atCapacity.throughput,
          replications: r.atCapacity.replications,
        }
      : null,
    steps: r.steps,
  };
}

function report(
  name: string,
  load: LoadField,
  slo: string,
  results: { label: string; overrides: string[]; r: CapacityResult }[],
  runner: string,
): string {
  const out = [
    `${name}: capacity under ${slo}, varying ${load.path} (the scenario has ${load.integer ? count(load.current) : num(load.current, 4)}), ${runner}`,
    '',
  ];
  const ref = results[0]?.r.capacity;
  const fmt = (x: number | undefined) => (x === undefined ? '–' : load.integer ? count(x) : num(x, 4));
  out.push(
    table([
      [
        'configuration',
        'capacity',
        'first failing',
        `${slo.split(/\s/)[0]} at capacity`,
        'throughput',
        `vs ${results[0]?.label ?? ''}`,
        '',
      ],
      ...results.map(({ label, r }, i) => [
        label,
        r.capacity === undefined
          ? `< ${fmt(r.firstFailure)}`
          : r.firstFailure === undefined
            ? `≥ ${fmt(r.capacity)}`
            : fmt(r.capacity),
        fmt(r.firstFailure),
        r.atCapacity
          ? `${num(r.atCapacity.mean, 4)}${Number.isFinite(r.atCapacity.halfWidth) ? ` ± ${num(r.atCapacity.halfWidth, 2)}` : ''}`
          : '–',
        r.atCapacity ? `${num(r.atCapacity.throughput, 4)}/s` : '–',
        i === 0 || ref === undefined || r.capacity === undefined
          ? ''
          : `${r.capacity - ref >= 0 ? '+' : ''}${fmt(r.capacity - ref)} (${pct((r.capacity - ref) / ref, 1)})`,
        r.uncertain ? 'uncertain: decided by the mean at the CI limit' : '',
      ]),
    ]),
  );
  for (const { label, overrides, r } of results) {
    out.push('');
    out.push(`${label}${overrides.length > 0 ? ` (${overrides.join(', ')})` : ''}: bisection steps`);
    out.push(
      table(
        [
          ['load', 'replications', 'mean ± 95% CI', 'verdict'],
          ...r.steps.map((st) => [
            fmt(st.load),
            String(st.replications),
            `${num(st.mean, 4)}${Number.isFinite(st.halfWidth) ? ` ± ${num(st.halfWidth, 2)}` : ''}`,
            st.verdict,
          ]),
        ],
        '  ',
      ),
    );
  }
  return out.join('\n');
}
