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

/** A sensitivity study: the parameters' importance for each metric, then its indices or curves. */
export function renderSensitivity(el, box, study) {
  const grid = box.append('div').attr('class', 'chart-grid');
  const w = cardWidth(el, 2);
  const name = (path) => study.params.find((p) => p.path === path)?.name ?? path;
  const shares = study.metrics.map((m) => sensitivityImportance(study, m));
  const order = [...study.params]
    .map((p) => p.path)
    .sort((a, b) => d3.sum(shares, (s) => s.get(b) ?? 0) - d3.sum(shares, (s) => s.get(a) ?? 0));
  const index = { morris: 'μ*', sobol: 'total index ST', oat: 'range of its curve' }[study.method] ?? '';
  bars()
    .width(w)
    .title(`Parameter importance: each parameter's share of the ${index} summed over the parameters`)
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
    const card = grid.append('div').attr('class', 'card wide').attr('id', 'study-trials');
    card.append('h3').attr('class', 'chart-title').text('Indices (click a header to sort)');
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
    trialTable()
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
      .sortBy(`share:${study.metrics[0]}`, false)
      .csvName(`${study.method}-indices`)(card.append('div').datum(rows));
  }
  for (const metric of study.metrics) {
    if (study.method === 'morris') {
      const idx = study.indices[metric];
      bars()
        .width(w)
        .title(`Morris μ* of ${metric} (mean |elementary effect|, ± 95 % CI)`)
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
        .title(`Morris σ against μ* for ${metric}`)
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
                points: idx.map((x) => ({
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
        scatter()
          .width(w)
          .height(200)
          .title(`${metric} along ${name(c.param)} (others at the centre)`)
          .xLabel(c.param)
          .yLabel(metricLabel(metric))(
          grid
            .append('div')
            .attr('class', 'card chart-card study-chart')
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
