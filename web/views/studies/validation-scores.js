import d3 from '../../vendor-d3.js';
import { intervals } from '../../charts/intervals.js';
import { esc } from '../../format.js';
import { fmt } from './common.js';

const pct = d3.format('.1%');
const signed = d3.format('+.1%');
const METRICS = [
  ['mean', 'mean'],
  ['p95', 'p95'],
  ['throughput', 'throughput'],
];

/**
 * The headline scores of a validate-twin report (validation.json) as a card: MAPE, bias, Spearman ρ,
 * KS and Wasserstein distances, regret and the testbed's own noise per metric, each target met or not,
 * and the coverage of the prediction intervals when a calibration set gave some.
 */
export function renderScores(grid, report) {
  const o = report.overall ?? {};
  const card = grid.append('div').attr('class', 'card wide').attr('id', 'validation-scores');
  const targets = report.targets ?? [];
  const met = targets.filter((t) => t.met).length;
  card
    .append('h3')
    .attr('class', 'chart-title')
    .text(
      `Twin against testbed: ${o.configurations ?? '?'} held-out configurations, ${met} of ${targets.length} targets met`,
    );
  const per = (rec, f) =>
    METRICS.map(([k, l]) => `${l} ${rec?.[k] === undefined ? '—' : f(rec[k])}`).join(' · ');
  const pi = report.predictionIntervals;
  const scores = [
    [
      'MAPE',
      pct(o.mape?.mean),
      `mean absolute percentage error of the mean response time; ${per(o.mape, pct)}`,
    ],
    [
      'bias',
      signed(o.bias?.mean),
      `signed error (positive: the twin predicts too high); ${per(o.bias, signed)}`,
    ],
    [
      'Spearman ρ',
      fmt(o.spearman?.mean),
      `rank correlation of the configurations (what optimizers rely on); ${per(o.spearman, fmt)}`,
    ],
    [
      'KS distance',
      fmt(o.ks?.mean),
      `response-time distributions, mean over the configurations (max ${fmt(o.ks?.max)})`,
    ],
    ['Wasserstein-1', `${fmt(o.wassersteinMean)} s`, 'mean horizontal gap between the response-time CDFs'],
    [
      'regret',
      fmt(o.regret?.mean),
      `measured value of the twin's pick over the measured best (1: the same pick); ${per(o.regret, fmt)}`,
    ],
    [
      'testbed noise',
      pct(o.noiseFloor?.mean),
      `the testbed's own run-to-run 95 % half-width, relative; ${per(o.noiseFloor, pct)}`,
    ],
    ...(pi
      ? [
          [
            'in 90 % PIs',
            `${pi.covered?.all?.inside ?? '?'}/${pi.covered?.all?.of ?? '?'}`,
            `measured values inside the prediction intervals over ${pi.samples} plausible parameter vectors; ${Object.entries(
              pi.covered ?? {},
            )
              .filter(([k]) => k !== 'all')
              .map(([k, v]) => `${k} ${v.inside}/${v.of}`)
              .join(' · ')}`,
          ],
        ]
      : []),
  ];
  const target = (label) =>
    targets.find((t) =>
      label === 'MAPE'
        ? /MAPE of the mean/.test(t.what)
        : label === 'Spearman ρ'
          ? /Spearman/.test(t.what)
          : false,
    );
  card
    .append('div')
    .attr('class', 'score-card')
    .selectAll('div.score')
    .data(scores)
    .join('div')
    .attr('class', ([l]) => {
      const t = target(l);
      return `score${t ? (t.met ? ' met' : ' missed') : ''}`;
    })
    .attr('data-score', ([l]) => l)
    .attr('title', ([, , why]) => why)
    .html(
      ([l, v, why]) =>
        `<div class="what">${esc(l)}</div><div class="value">${esc(v)}</div><div class="what">${esc(why)}</div>`,
    );
  if (targets.length)
    card
      .append('ul')
      .attr('class', 'targets')
      .selectAll('li')
      .data(targets)
      .join('li')
      .attr('class', (t) => (t.met ? 'met' : 'missed'))
      .text(
        (t) =>
          `${t.met ? '✓ met' : '✗ missed'}: ${t.what} ${/MAPE/.test(t.what) ? pct(t.value) : fmt(t.value)} (target ${t.op} ${/MAPE/.test(t.what) ? pct(t.bound) : fmt(t.bound)})`,
      );
  if (report.missing?.length)
    card
      .append('p')
      .attr('class', 'muted')
      .text(`Not scored: ${report.missing.map((m) => `${m.name} (${m.reason})`).join('; ')}`);
}

/**
 * The calibration set's prediction intervals as bands, one chart per metric, each measured value on
 * its band: the twin's uncertainty against the testbed.
 */
export function renderIntervals(grid, report, width) {
  const pi = report.predictionIntervals;
  if (!pi?.configs?.length) return;
  const metrics = [...new Set(pi.configs.map((c) => c.metric))];
  for (const m of metrics) {
    const rows = pi.configs.filter((c) => c.metric === m);
    const c = pi.covered?.[m];
    const cm = pi.coveredMeasured?.[m];
    const level = Math.round(pi.level * 100);
    intervals()
      .width(width)
      .relative(true)
      .title(
        `${m}: ${level} % prediction intervals over the calibration set${c ? ` (${c.inside} of ${c.of} measured values inside${cm ? `; ${cm.inside} of ${cm.of} inside the interval of a measurement` : ''})` : ''}`,
      )
      .levelLabel(`${level} % interval of the twin's value`)
      .outerLabel(`${level} % interval of a measurement (with measurement noise and discrepancy)`)
      .xLabel("relative to the twin's point prediction")(
      grid
        .append('div')
        .attr('class', 'card chart-card intervals-card')
        .attr('data-metric', m)
        .datum({
          rows: rows.map((r) => ({
            ...r,
            name: r.name,
            ...(r.measuredInterval ? { outerLo: r.measuredInterval.lo, outerHi: r.measuredInterval.hi } : {}),
          })),
        }),
    );
  }
}
