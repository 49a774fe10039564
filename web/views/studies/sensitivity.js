import d3 from '../../vendor-d3.js';
import { bars } from '../../charts/bars.js';
import { scatter } from '../../charts/scatter.js';
import { esc } from '../../format.js';
import { cardWidth } from '../../lib/layout.js';
import { trialTable } from '../../charts/trial-table.js';
import { fmt, metricLabel } from './common.js';

/**
 * Each parameter's importance for a metric, from a sensitivity study's own indices, as shares summing to
 * 1 (comparable with the importance of a sweep's trials): Morris μ* (mean |elementary effect|), Sobol
 * total indices ST (negative estimates count as 0), or the range of a one-at-a-time curve.
 */
export function sensitivityImportance(study, metric) {
  const raw =
    study.method === 'morris'
      ? (study.indices?.[metric] ?? []).map((x) => [x.param, x.muStar])
      : study.method === 'sobol'
        ? (study.indices?.[metric]?.params ?? []).map((x) => [x.param, x.ST])
        : (study.curves?.[metric] ?? []).map((c) => {
            const ys = c.points.map((p) => p.mean).filter(Number.isFinite);
            return [c.param, ys.length ? Math.max(...ys) - Math.min(...ys) : 0];
          });
  const clean = raw.map(([p, v]) => [p, Number.isFinite(v) && v > 0 ? v : 0]);
  const sum = clean.reduce((a, [, v]) => a + v, 0);
  return new Map(clean.map(([p, v]) => [p, sum > 0 ? v / sum : 0]));
}

/**
 * A sensitivity study: the parameters' importance for each metric, then its indices or curves.
 * A running one (`study.live`, its result document so far; `study.partial`: {done, of, unit}) shows its
 * Morris indices over the trajectories complete so far, or its one-at-a-time curves over their points
 * simulated so far, said so; Sobol indices need the whole design, so
 * a running Sobol study shows how far it is and its points so far as a table (`study.trials`, from its
 * store) instead. `view`: { indexSort, onIndexSort, onUnknownIndexSort, sort, onSort } — the indices
 * table's order to show first and the callbacks told of the user's picks (see renderSweep).
 */
export function renderSensitivity(el, box, study, id, view = {}) {
  const grid = box.append('div').attr('class', 'chart-grid');
  const w = cardWidth(el, 2);
  const name = (path) => study.params.find((p) => p.path === path)?.name ?? path;
  const partial = study.live ? study.partial : undefined;
  if (partial && study.method === 'sobol') {
    sobolSoFar(grid, study, id, partial, view);
    document.body.dataset.study = `${study.kind}:${study.method}`;
    return;
  }
  // "so far" in every title while it runs: the reader never takes them for the final indices.
  const soFar = partial ? ` — so far, ${partial.done} of ${partial.of} ${partial.unit}` : '';
  if (partial) {
    const oat = study.method === 'oat';
    const note = grid.append('div').attr('class', 'card wide').attr('id', 'study-so-far');
    note
      .attr('data-done', partial.done)
      .attr('data-of', partial.of)
      .append('h3')
      .attr('class', 'chart-title')
      .text(
        `${oat ? 'Curves' : 'Indices'} so far: ${partial.done} of ${partial.of} ${partial.unit} ${oat ? 'simulated' : 'complete'}`,
      );
    note
      .append('p')
      .attr('class', 'muted')
      .text(
        oat
          ? partial.done > 0
            ? "Each curve over its points simulated so far (the others at the centre); a curve's range, and so the importance, is over those points and changes as more come in."
            : 'Drawn as soon as a point of the curves is simulated.'
          : partial.done > 0
            ? `Computed as at the end, over the ${partial.unit} whose ${study.params.length + 1} points are all simulated (σ needs two of them); they change as more complete.`
            : `Drawn as soon as a trajectory's ${study.params.length + 1} points are all simulated.`,
      );
    if (partial.done === 0) {
      document.body.dataset.study = `${study.kind}:${study.method}`;
      return;
    }
  }
  const shares = study.metrics.map((m) => sensitivityImportance(study, m));
  const order = [...study.params]
    .map((p) => p.path)
    .sort((a, b) => d3.sum(shares, (s) => s.get(b) ?? 0) - d3.sum(shares, (s) => s.get(a) ?? 0));
  const index = { morris: 'μ*', sobol: 'total index ST', oat: 'range of its curve' }[study.method] ?? '';
  bars()
    .width(w)
    .title(`Parameter importance: each parameter's share of the ${index} summed over the parameters${soFar}`)
    .xLabel(`share of the ${index} (sums to 100 % per metric)`)
    .xMax(1)
    .format(d3.format('.0%'))(
    grid
      .append('div')
      .attr('class', 'card chart-card importance-chart')
      .attr('id', 'study-importance')
      .datum({
        categories: order.map(name),
        series: study.metrics.map((m, i) => ({
          key: m,
          label: m,
          values: order.map((p) => shares[i].get(p) ?? 0),
        })),
      }),
  );
  if (study.method === 'morris' || study.method === 'sobol') {
    const card = grid.append('div').attr('class', 'card wide').attr('id', 'study-indices');
    card.append('h3').attr('class', 'chart-title').text(`Indices (click a header to sort)${soFar}`);
    const rows = order.map((p) => {
      const row = { param: name(p) };
      study.metrics.forEach((m, i) => {
        row[`share:${m}`] = shares[i].get(p) ?? 0;
        const x =
          study.method === 'morris'
            ? study.indices[m]?.find((o) => o.param === p)
            : study.indices[m]?.params.find((o) => o.param === p);
        if (study.method === 'morris')
          Object.assign(row, { [`muStar:${m}`]: x?.muStar, [`sigma:${m}`]: x?.sigma });
        else Object.assign(row, { [`S1:${m}`]: x?.S1, [`ST:${m}`]: x?.ST });
      });
      return row;
    });
    const keys = study.method === 'morris' ? ['muStar', 'sigma'] : ['S1', 'ST'];
    const pretty = { muStar: 'μ*', sigma: 'σ', S1: 'S1', ST: 'ST' };
    const table = trialTable()
      .columns([
        { key: 'param', label: 'parameter', num: false },
        ...study.metrics.flatMap((m) => [
          { key: `share:${m}`, label: `${m} importance`, format: d3.format('.1%'), ascending: false },
          ...keys.map((k) => ({
            key: `${k}:${m}`,
            label: `${m} ${pretty[k]}`,
            format: fmt,
            ascending: false,
          })),
        ]),
      ])
      .csvName(`${id ?? study.method}-indices`)
      .onSort((sort) => view.onIndexSort?.(sort));
    // The order the address (or an earlier drawing) names, when this table has that column.
    const picked = view.indexSort;
    if (picked && table.columns().some((c) => c.key === picked.key))
      table.sortBy(picked.key, picked.ascending);
    else {
      if (picked) view.onUnknownIndexSort?.(`column "${picked.key}"`);
      table.sortBy(`share:${study.metrics[0]}`, false);
    }
    table(card.append('div').datum(rows));
  }
  for (const metric of study.metrics) {
    if (study.method === 'morris') {
      const idx = study.indices[metric];
      bars()
        .width(w)
        .title(`Morris μ* of ${metric} (mean |elementary effect|, ± 95 % CI)${soFar}`)
        .xLabel(`μ*: change of ${metricLabel(metric)} per step`)
        .format(d3.format('.3~g'))(
        grid
          .append('div')
          .attr('class', 'card chart-card study-chart')
          .datum({
            categories: idx.map((x) => name(x.param)),
            series: [
              {
                key: 'mu*',
                label: 'μ*',
                values: idx.map((x) => x.muStar),
                errors: idx.map((x) => x.muStarCi95),
              },
            ],
          }),
      );
      scatter()
        .width(w)
        .height(220)
        .title(`Morris σ against μ* for ${metric}${soFar}`)
        .xLabel('μ* (importance)')
        .yLabel('σ (interactions, non-linearity)')(
        grid
          .append('div')
          .attr('class', 'card chart-card study-chart')
          .datum({
            groups: [
              {
                key: 'p',
                label: 'parameter',
                color: '#7c3aed',
                // σ is unknown from one trajectory (null in the document so far): no point for it.
                points: idx
                  .filter((x) => Number.isFinite(x.sigma))
                  .map((x) => ({
                    x: x.muStar,
                    y: x.sigma,
                    html: `<div class="tt-title">${esc(name(x.param))}</div><table><tr><th>μ*</th><td>${esc(fmt(x.muStar))} ± ${esc(fmt(x.muStarCi95))}</td></tr><tr><th>μ</th><td>${esc(fmt(x.mu))}</td></tr><tr><th>σ</th><td>${esc(fmt(x.sigma))}</td></tr></table>`,
                  })),
              },
            ],
          }),
      );
    } else if (study.method === 'sobol') {
      const idx = study.indices[metric];
      bars()
        .width(w)
        .title(`Sobol indices of ${metric} (share of its variance, ± 95 % CI)`)
        .xLabel('share of the variance')
        .xMax(1)
        .format(d3.format('.2f'))(
        grid
          .append('div')
          .attr('class', 'card chart-card study-chart')
          .datum({
            categories: idx.params.map((x) => name(x.param)),
            series: [
              {
                key: 'S1',
                label: 'first order S1',
                values: idx.params.map((x) => x.S1),
                errors: idx.params.map((x) => x.S1Ci95),
              },
              {
                key: 'ST',
                label: 'total ST',
                values: idx.params.map((x) => x.ST),
                errors: idx.params.map((x) => x.STCi95),
              },
            ],
          }),
      );
    } else if (study.method === 'oat') {
      for (const c of study.curves[metric]) {
        const n = c.points.length;
        scatter()
          .width(w)
          .height(200)
          .title(
            `${metric} along ${name(c.param)} (others at the centre)${partial ? ` — so far, ${n} point${n === 1 ? '' : 's'}` : ''}`,
          )
          .xLabel(c.param)
          .yLabel(metricLabel(metric))(
          grid
            .append('div')
            .attr('class', 'card chart-card study-chart oat-curve')
            .attr('data-param', c.param)
            .attr('data-metric', metric)
            .datum({
              groups: [
                {
                  key: 'c',
                  label: `${metric} (mean)`,
                  color: '#2563eb',
                  line: 'straight',
                  points: c.points.map((p) => ({ x: p.value, y: p.mean })),
                },
              ],
            }),
        );
      }
    }
  }
  document.body.dataset.study = `${study.kind}:${study.method}`;
}

/**
 * A running Sobol study: its indices need the whole design (every estimator pairs the points of A, B and
 * each A_B⁽ⁱ⁾), so none is shown before the end; what is shown is how far the design is and its points
 * simulated so far, as a sortable table (not a sweep's charts: the points are a quasi-random design, not
 * a grid to read effects from).
 */
function sobolSoFar(grid, study, id, partial, view) {
  const note = grid.append('div').attr('class', 'card wide').attr('id', 'study-so-far');
  note.attr('data-done', partial.done).attr('data-of', partial.of);
  note
    .append('h3')
    .attr('class', 'chart-title')
    .text(`Sobol indices need the whole design: ${partial.done} of ${partial.of} ${partial.unit} simulated`);
  note
    .append('p')
    .attr('class', 'muted')
    .text(
      `Each index pairs the points of the design's matrices A, B and A with one column from B (N = ${study.samples} rows each): drawn when all ${partial.of} are simulated. Below, the points simulated so far.`,
    );
  const trials = study.trials ?? [];
  const card = grid.append('div').attr('class', 'card wide').attr('id', 'study-trials');
  card
    .append('h3')
    .attr('class', 'chart-title')
    .text(
      `Points simulated so far: ${trials.length} trial${trials.length === 1 ? '' : 's'} (a point the design repeats is simulated once; click a header to sort)`,
    );
  const names = study.params.map((p) => p.name);
  const table = trialTable()
    .columns([
      ...names.map((n) => ({ key: `p:${n}`, label: n, value: (r) => r.config[n] })),
      { key: 'replication', label: 'replication' },
      ...study.metrics.map((m) => ({ key: `m:${m}`, label: m, format: fmt, value: (r) => r.metrics[m] })),
    ])
    .csvName(`${id}-points-so-far`)
    .onSort((sort) => view.onSort?.(sort));
  const picked = view.sort;
  if (picked && table.columns().some((c) => c.key === picked.key)) table.sortBy(picked.key, picked.ascending);
  else table.sortBy(`m:${study.metrics[0]}`);
  table(card.append('div').datum(trials));
}
