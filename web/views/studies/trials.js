import d3 from '../../vendor-d3.js';
import { bars } from '../../charts/bars.js';
import { contour } from '../../charts/contour.js';
import { parallelCoordinates } from '../../charts/parallel-coordinates.js';
import { scatter } from '../../charts/scatter.js';
import { trialTable } from '../../charts/trial-table.js';
import { esc } from '../../format.js';
import { parameterImportance } from '../../lib/importance.js';
import { cardWidth } from '../../lib/layout.js';
import { spansDecades } from '../../lib/log-scale.js';
import { fmt, metricLabel } from './common.js';

/**
 * The trials of a sweep or an optimizer run, explored as Optuna Dashboard does: the parameters'
 * importance for the metric drawn, parallel coordinates whose axes filter the table (drag along one),
 * one slice plot per parameter (the metric against it), a contour plot over two chosen parameters, and
 * the table of every trial, sortable and exported as CSV. A parameter sampled on a log scale, or spanning
 * two decades or more, is drawn on log axes.
 *
 *   renderTrials(el, box, { trials: [{ id, config, values, ci?, feasible }], params: [{ name, path }],
 *     metric: 'responseTime.mean', columns: ['responseTime.mean', …], idLabel: 'trial', csvName,
 *     sort?, contour?, onSort?, onUnknownSort?, onContour?, onUnknownContour? })
 *
 * `sort` ({key, ascending}) and `contour` ([x, y]) are what to show first (an earlier drawing's, or the
 * address's); `onSort` and `onContour` are told what the user picks, `onUnknown…` of a `sort` or
 * `contour` this study does not have (its default shown instead).
 */
export function renderTrials(
  el,
  box,
  {
    trials,
    params,
    metric,
    columns,
    idLabel = 'trial',
    csvName,
    sort,
    contour: picked,
    onSort = () => {},
    onUnknownSort = () => {},
    onContour = () => {},
    onUnknownContour = () => {},
  },
) {
  const names = params.map((p) => p.name);
  const label = metricLabel(metric);
  const value = (t) => t.values[metric];
  // Log axes for a parameter sampled on a log scale, or whose range or values span two decades.
  const log = new Map(
    params.map((p) => {
      const range = p.levels ?? [p.min, p.max].filter((v) => v !== undefined);
      const values = trials.map((t) => t.config[p.name]);
      return [
        p.name,
        values.every((v) => typeof v === 'number' && v > 0) &&
          (p.log === true || spansDecades(range) || spansDecades(values)),
      ];
    }),
  );
  const numeric = names.filter((n) => trials.every((t) => typeof t.config[n] === 'number'));
  const tip = (t) =>
    `<div class="tt-title">${esc(idLabel)} ${esc(t.id)}</div><table>${names.map((n) => `<tr><th>${esc(n)}</th><td>${esc(t.config[n])}</td></tr>`).join('')}<tr><th>${esc(metric)}</th><td>${esc(fmt(value(t)))}${t.ci?.[metric] ? ` ± ${esc(fmt(t.ci[metric]))}` : ''}</td></tr>${t.feasible ? '' : '<tr><th>constraints</th><td>violated</td></tr>'}</table>`;

  const grid = box.append('div').attr('class', 'chart-grid trials');
  const w2 = cardWidth(el, 2);
  const w1 = cardWidth(el, 1, 640);

  // Importance: the share of the metric's variance each parameter's main effect explains.
  const imp = parameterImportance(
    trials.map((t) => ({ ...t.config, __v: value(t) })),
    numeric,
    (r) => r.__v,
  );
  bars()
    .width(w2)
    .title(
      `Parameter importance for ${metric}: main effects explain ${d3.format('.0%')(imp.explained)} of its variance`,
    )
    .xLabel('share of the variance explained (main effects)')
    .xMax(1)
    .format(d3.format('.0%'))(
    grid
      .append('div')
      .attr('class', 'card chart-card importance-chart')
      .attr('id', 'study-importance')
      .datum({
        categories: imp.map((o) => o.param),
        series: [{ key: 'share', label: 'importance', values: imp.map((o) => o.share), color: '#7c3aed' }],
      }),
  );

  // Slice plots: the metric against each parameter, every trial a dot.
  const slices = grid.append('div').attr('class', 'card chart-card slices wide').attr('id', 'study-slices');
  slices.append('h3').attr('class', 'chart-title').text(`Slices: ${metric} against each parameter`);
  const perRow = Math.max(1, Math.min(numeric.length, Math.floor(w1 / 230)));
  const sliceW = Math.floor((w1 - 8 * (perRow - 1)) / perRow);
  const sliceBox = slices.append('div').attr('class', 'slice-grid');
  for (const n of numeric) {
    scatter()
      .width(sliceW)
      .height(130)
      .xLabel(`${n}${log.get(n) ? ' (log)' : ''}`)
      .yLabel(metric)
      .xLog(log.get(n))(
      sliceBox
        .append('div')
        .attr('class', 'slice-chart')
        .attr('data-param', n)
        .datum({
          groups: [
            {
              key: 'ok',
              label: 'constraints met',
              color: '#2563eb',
              r: 3,
              points: trials
                .filter((t) => t.feasible)
                .map((t) => ({ x: t.config[n], y: value(t), html: tip(t) })),
            },
            {
              key: 'bad',
              label: 'violated',
              color: '#dc2626',
              fill: '#fff',
              r: 3,
              points: trials
                .filter((t) => !t.feasible)
                .map((t) => ({ x: t.config[n], y: value(t), html: tip(t) })),
            },
          ].filter((g) => g.points.length),
        }),
    );
  }

  // Contour plot over two parameters, the two most important at first.
  if (numeric.length >= 2) {
    const card = grid.append('div').attr('class', 'card chart-card').attr('id', 'study-contour');
    card.append('h3').attr('class', 'chart-title').text(`Contour: ${metric} over two parameters`);
    const bar = card.append('div').attr('class', 'toolbar');
    const pick = (id, text, initial) => {
      bar.append('label').attr('for', id).text(text);
      const s = bar.append('select').attr('id', id);
      s.selectAll('option')
        .data(numeric)
        .join('option')
        .attr('value', (n) => n)
        .property('selected', (n) => n === initial)
        .text((n) => n);
      return s;
    };
    const fits = picked?.every((n) => numeric.includes(n)) && picked[0] !== picked[1];
    if (picked && !fits) onUnknownContour(picked.join(','));
    const [first, second] = fits ? picked : imp.map((o) => o.param);
    const sx = pick('contour-x', 'x ', first);
    const sy = pick('contour-y', 'y ', second);
    const chartBox = card.append('div');
    const draw = () => {
      const px = sx.property('value');
      const py = sy.property('value');
      contour()
        .width(w2)
        .height(240)
        .xLabel(px)
        .yLabel(py)
        .valueLabel(label)
        .xLog(log.get(px))
        .yLog(log.get(py))(
        chartBox.datum({
          points: trials.map((t) => ({ x: t.config[px], y: t.config[py], v: value(t), html: tip(t) })),
        }),
      );
      card.attr('data-params', `${px}|${py}`);
    };
    const changed = () => {
      draw();
      onContour([sx.property('value'), sy.property('value')]);
    };
    sx.on('change', changed);
    sy.on('change', changed);
    draw();
  }

  // Importance and contour side by side, the slices in a row of their own under them.
  grid.node().append(slices.node());

  // The table of trials, filtered by the parallel coordinates' brushes.
  const table = trialTable()
    .columns([
      { key: '__id', label: idLabel, value: (t) => t.id },
      ...names.map((n) => ({ key: `p:${n}`, label: n, value: (t) => t.config[n] })),
      ...columns.map((k) => ({
        key: `m:${k}`,
        label: metricLabel(k),
        value: (t) => t.values[k],
        format: fmt,
      })),
      ...(trials.some((t) => t.pareto)
        ? [{ key: '__pareto', label: 'Pareto front', num: false, value: (t) => (t.pareto ? 'yes' : '') }]
        : []),
      {
        key: '__feasible',
        label: 'constraints',
        num: false,
        value: (t) => (t.feasible ? 'met' : 'violated'),
      },
    ])
    .csvName(csvName);
  // The order the user picked in an earlier drawing, when its column is still there.
  if (sort && table.columns().some((c) => c.key === sort.key)) table.sortBy(sort.key, sort.ascending);
  else {
    if (sort) onUnknownSort(`column "${sort.key}"`);
    table.sortBy(`m:${metric}`);
  }
  table.onSort(onSort);

  if (names.length >= 2) {
    const card = grid.append('div').attr('class', 'card chart-card wide').attr('id', 'study-parallel');
    card
      .append('h3')
      .attr('class', 'chart-title')
      .text(
        `${metric} over ${names.join(', ')} (parallel coordinates; drag along an axis to filter the lines and the table; dashed: infeasible)`,
      );
    parallelCoordinates()
      .width(w1)
      .height(280)
      .onFilter((rows) => table.rows(rows.map((r) => r.__trial)))(
      card.append('div').datum({
        dims: [...names.map((n) => ({ key: n, label: n, log: log.get(n) })), { key: '__metric', label }],
        rows: trials.map((t) => ({ ...t.config, __metric: value(t), feasible: t.feasible, __trial: t })),
      }),
    );
  }
  const tableCard = grid.append('div').attr('class', 'card wide').attr('id', 'study-trials');
  tableCard.append('h3').attr('class', 'chart-title').text(`Every ${idLabel} (click a header to sort)`);
  table(tableCard.append('div').datum(trials));
}
