// Prints the twin's predictions of the held-out configurations (predictions/<name>.json, written by
// `e2ctwin simulate … --calibration-set … --json` before the held-out runs were measured) as one table:
// the calibrated point (the set's median vector: what validate-twin --calibration-set scores) of the mean,
// p95 and throughput, with the 90 % prediction interval over the calibration set.
//   node calibration/image-service/predictions-table.mjs calibration/image-service/predictions
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const f = (x) => (x === undefined ? '–' : Number(x).toPrecision(3));
const pi = (c, k) => (c?.[k] ? `[${f(c[k].lo90)}, ${f(c[k].hi90)}]` : '–');
const rows = [['config', 'mean s', '90 % PI', 'p95 s', '90 % PI', 'req/s', '90 % PI']];
for (const file of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const m = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const c = m.calibrated;
  rows.push([
    file.replace(/\.json$/, ''),
    f(c['responseTime.mean'].point),
    pi(c, 'responseTime.mean'),
    f(c['responseTime.p95'].point),
    pi(c, 'responseTime.p95'),
    f(c.throughput.point),
    pi(c, 'throughput'),
  ]);
}
const width = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((v, i) => (i ? v.padStart(width[i]) : v.padEnd(width[i]))).join('  '));
