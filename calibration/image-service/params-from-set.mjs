// Writes the campaign's params file (what `validate-twin --calibration` applies to the twin) from the
// calibration set of `e2ctwin calibrate-twin`: each calibrated parameter at the median of its plausible
// values. The image service emits no per-stage spans, so `e2ctwin calibrate` (maximum likelihood on stage
// spans) has nothing to fit; this is the point twin, and the set itself gives the prediction intervals.
//   node calibration/image-service/params-from-set.mjs <calibration-set.yaml> <params.yaml>
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';

const [setFile, out] = process.argv.slice(2);
const set = parse(readFileSync(setFile, 'utf8'));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const services = {};
const provenance = {};
for (const key of Object.keys(set.priors)) {
  // <layer>.<service>.stages.<stage>.<field…>: only stage fields go into a params file.
  const m = /^([\w-]+\.[\w-]+)\.stages\.([\w-]+)\.(.+)$/.exec(key);
  if (!m) throw new Error(`${key}: not a stage parameter, a params file cannot hold it`);
  const [, service, stage, field] = m;
  const value = Number(median(set.samples.map((s) => s[key])).toPrecision(6));
  const target = (((services[service] ??= { stages: {} }).stages[stage] ??= {}));
  const parts = field.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) node = node[p] ??= {};
  node[parts.at(-1)] = value;
  provenance[key] = {
    method: `median of the ${set.samples.length} plausible values of the calibration set (calibrate-twin)`,
    prior: set.priors[key],
    from: setFile,
  };
}
// A demand mean alone is no law: keep the law and cv the scenario gives the stage (its `stages:` block).
const scenario = parse(readFileSync(path.resolve(path.dirname(setFile), set.scenario), 'utf8'));
for (const [service, { stages }] of Object.entries(services)) {
  const [layer, name] = service.split('.');
  const own = scenario.layers.find((l) => l.name === layer).services.find((s) => s.name === name).stages;
  for (const [stage, o] of Object.entries(stages))
    if (o.demand) o.demand = { ...own[stage].demand, ...o.demand };
}
writeFileSync(
  out,
  `# Written by calibration/image-service/params-from-set.mjs from ${setFile}.\n${stringify({
    description: `Calibrated parameters at the medians of the calibration set ${setFile}.`,
    provenance,
    services,
  })}`,
);
