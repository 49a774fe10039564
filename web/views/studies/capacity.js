import d3 from '../../vendor-d3.js';
import { esc } from '../../format.js';
import { cardWidth } from '../../lib/layout.js';
import { scatter } from '../../charts/scatter.js';
import { trialTable } from '../../charts/trial-table.js';
import { fmt, metricLabel, trialsAddress } from './common.js';

// Verdicts of a load, as the search decides them (explore/capacity.ts): its 95 % CI within the SLO, beyond
// it, or straddling it at the most replications allowed (then its mean decides, and the answer is flagged).
const VERDICTS = [
  { key: 'meets', label: 'meets the SLO', color: '#15803d' },
  { key: 'fails', label: 'fails the SLO', color: '#dc2626' },
  { key: 'meets (by mean)', label: 'meets by its mean (CI straddles)', color: '#0891b2' },
  { key: 'fails (by mean)', label: 'fails by its mean (CI straddles)', color: '#c2410c' },
];

/**
 * A capacity study (`e2ctwin capacity`): per configuration the most load meeting the SLO, the first load
 * failing it, the metric and throughput at capacity, then each configuration's loads tried (the metric's
 * mean ± 95 % CI against the SLO's bound) and the table of every step. A running one (`study.live`, its
 * result document so far; `study.partial`: {done: loads decided, unit, configurations: {done, of}}) is
 * drawn the same from the steps decided so far: the configuration under way (`state: 'searching'`) with
 * the bracket they give (the largest load that met the SLO and the smallest that failed), those not
 * started yet (`waiting`) listed, every title saying so far. `view`: { sort, onSort, onUnknownSort } — the
 * steps table's order to show first and the callbacks told of the user's picks (see renderSweep).
 */
export function renderCapacity(el, box, study, id, view = {}) {
  const grid = box.append('div').attr('class', 'chart-grid');
  const w = cardWidth(el, 2);
  const partial = study.live ? study.partial : undefined;
  const metric = String(study.slo).split(/\s/)[0];
  const bound = Number(String(study.slo).split(/\s+/).at(-1));
  const integer = Number.isInteger(study.current) && !/ratePerS$/.test(study.load);
  const load = (x) => (x === null || x === undefined ? '–' : integer ? d3.format(',')(x) : fmt(x));
  const configs = study.configs ?? [];
  const soFar = partial ? ` — so far, ${partial.done} load${partial.done === 1 ? '' : 's'} decided` : '';

  if (partial) {
    const under = configs.findIndex((c) => c.state === 'searching');
    const note = grid.append('div').attr('class', 'card wide').attr('id', 'study-so-far');
    note.attr('data-done', partial.done);
    note
      .append('h3')
      .attr('class', 'chart-title')
      .text(
        `Search so far: ${partial.done} load${partial.done === 1 ? '' : 's'} decided, ${partial.configurations.done} of ${partial.configurations.of} configuration${partial.configurations.of === 1 ? '' : 's'} searched`,
      );
    note
      .append('p')
      .attr('class', 'muted')
      .text(
        under >= 0
          ? `Searching "${configs[under].label}": its capacity lies between the largest load that met the SLO so far and the smallest that failed; the bisection narrows that bracket as loads are decided.`
          : 'Drawn as soon as a load is decided.',
      );
  }

  // The configurations side by side, as the command prints them.
  const ref = configs[0]?.state === 'searching' ? undefined : configs[0]?.capacity;
  const summary = grid.append('div').attr('class', 'card wide table-card').attr('id', 'capacity-summary');
  summary
    .append('h3')
    .attr('class', 'chart-title')
    .text(
      `Capacity under ${study.slo}, varying ${study.load} (the scenario has ${load(study.current)})${soFar}`,
    );
  const capacityText = (c) =>
    c.state === 'waiting'
      ? '–'
      : c.capacity === null
        ? c.firstFailure === null
          ? '–'
          : `< ${load(c.firstFailure)}`
        : c.firstFailure === null || c.state === 'searching'
          ? `≥ ${load(c.capacity)}`
          : load(c.capacity);
  const status = (c) =>
    c.state === 'searching'
      ? 'searching: the bracket so far'
      : c.state === 'waiting'
        ? 'waiting'
        : c.uncertain
          ? 'uncertain: decided by the mean at the CI limit'
          : '';
  const versus = (c, i) =>
    i === 0 || ref === null || ref === undefined || c.capacity === null || (c.state && c.state !== 'done')
      ? ''
      : `${c.capacity - ref >= 0 ? '+' : ''}${load(c.capacity - ref)} (${d3.format('+.1%')((c.capacity - ref) / ref)})`;
  summary
    .append('div')
    .attr('class', 'table-scroll')
    .append('table')
    .attr('class', 'data')
    .html(
      `<thead><tr><th>configuration</th><th class="num">capacity</th><th class="num">first failing</th><th class="num">${esc(metric)} at capacity</th><th class="num">throughput</th><th>vs ${esc(configs[0]?.label ?? '')}</th><th>status</th></tr></thead><tbody>${configs
        .map(
          (c, i) =>
            `<tr data-config="${esc(c.label)}" data-state="${esc(c.state ?? 'done')}"><td title="${esc(c.overrides.join(', '))}">${esc(c.label)}</td><td class="num">${esc(capacityText(c))}</td><td class="num">${esc(load(c.firstFailure))}</td><td class="num">${c.atCapacity ? `${esc(fmt(c.atCapacity.mean))}${Number.isFinite(c.atCapacity.ci95) ? ` ± ${esc(fmt(c.atCapacity.ci95))}` : ''}` : '–'}</td><td class="num">${c.atCapacity ? `${esc(fmt(c.atCapacity.throughput))}/s` : '–'}</td><td>${esc(versus(c, i))}</td><td>${esc(status(c))}</td></tr>`,
        )
        .join('')}</tbody>`,
    );

  // Each configuration's loads tried against the SLO's bound, its capacity (so far) marked.
  for (const c of configs) {
    if (!c.steps.length) continue;
    const loads = c.steps.map((s) => s.load);
    const [lo, hi] = d3.extent(loads);
    const ys = c.steps.flatMap((s) => [s.mean - (s.halfWidth ?? 0), s.mean + (s.halfWidth ?? 0)]);
    const [y0, y1] = d3.extent([...ys.filter(Number.isFinite), bound]);
    const n = c.steps.length;
    scatter()
      .width(w)
      .height(220)
      .title(
        `${c.label}: ${metric} at each load tried (mean ± 95 % CI), ${n} load${n === 1 ? '' : 's'}${c.state === 'searching' ? ' — so far, searching' : ''}`,
      )
      .xLabel(study.load)
      .yLabel(metricLabel(metric))(
      grid
        .append('div')
        .attr('class', 'card chart-card study-chart capacity-chart')
        .attr('data-config', c.label)
        .attr('data-steps', n)
        .datum({
          groups: [
            {
              key: 'slo',
              label: `SLO bound (${study.slo})`,
              color: '#64748b',
              line: 'straight',
              dots: false,
              points: [
                { x: lo, y: bound },
                { x: hi, y: bound },
              ],
            },
            ...(c.capacity === null
              ? []
              : [
                  {
                    key: 'capacity',
                    label: `capacity${c.state === 'searching' ? ' so far' : ''}: ${load(c.capacity)}`,
                    color: '#7c3aed',
                    line: 'straight',
                    dots: false,
                    points: [
                      { x: c.capacity, y: y0 },
                      { x: c.capacity, y: y1 },
                    ],
                  },
                ]),
            ...VERDICTS.map((v) => ({
              key: v.key.replace(/\W+/g, '-'),
              label: v.label,
              color: v.color,
              points: c.steps
                .map((s, k) => ({ s, k }))
                .filter(({ s }) => s.verdict === v.key)
                .map(({ s, k }) => ({
                  x: s.load,
                  y: s.mean,
                  yLo: s.mean - s.halfWidth,
                  yHi: s.mean + s.halfWidth,
                  html: `<div class="tt-title">${esc(c.label)}: load ${esc(load(s.load))}</div><table><tr><th>step</th><td>${k + 1} of ${n}</td></tr><tr><th>${esc(metric)}</th><td>${esc(fmt(s.mean))}${Number.isFinite(s.halfWidth) ? ` ± ${esc(fmt(s.halfWidth))}` : ''}</td></tr><tr><th>replications</th><td>${s.replications}</td></tr><tr><th>throughput</th><td>${esc(fmt(s.throughput))}/s</td></tr><tr><th>verdict</th><td>${esc(s.verdict)}</td></tr></table>`,
                })),
            })).filter((g) => g.points.length > 0),
          ],
        }),
    );
  }

  // Every step of every configuration, in the order decided (sortable; CSV exports what is shown).
  const rows = configs
    .flatMap((c) => c.steps.map((s, k) => ({ config: c.label, step: k + 1, ...s })))
    .map((r, i) => ({ order: i + 1, ...r }));
  const card = grid.append('div').attr('class', 'card wide').attr('id', 'study-trials');
  card
    .append('h3')
    .attr('class', 'chart-title')
    .text(`Loads tried: ${rows.length} (click a header to sort)${soFar}`);
  const told = trialsAddress(view);
  const table = trialTable()
    .columns([
      { key: 'order', label: '#' },
      { key: 'config', label: 'configuration', num: false },
      { key: 'step', label: 'step' },
      { key: 'load', label: study.load, format: load },
      { key: 'replications', label: 'replications' },
      { key: 'mean', label: `${metric} mean`, format: fmt },
      { key: 'halfWidth', label: '± 95 % CI', format: fmt },
      { key: 'throughput', label: 'req/s', format: fmt },
      { key: 'verdict', label: 'verdict', num: false },
    ])
    .csvName(`${id ?? 'capacity'}-steps`)
    .onSort(told.onSort);
  const picked = view.sort;
  if (picked && table.columns().some((c) => c.key === picked.key)) table.sortBy(picked.key, picked.ascending);
  else {
    if (picked) told.onUnknownSort(`column "${picked.key}"`);
    table.sortBy('order');
  }
  table(card.append('div').datum(rows));
  document.body.dataset.study = study.kind;
}
