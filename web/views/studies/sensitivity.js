import d3 from '../../vendor-d3.js';
import { bars } from '../../charts/bars.js';
import { scatter } from '../../charts/scatter.js';
import { esc } from '../../format.js';
import { cardWidth } from '../../lib/layout.js';
import { fmt, metricLabel } from './common.js';

export function renderSensitivity(el, box, study) {
  const grid = box.append('div').attr('class', 'chart-grid');
  const w = cardWidth(el, 2);
  const name = (path) => study.params.find((p) => p.path === path)?.name ?? path;
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
