import { heatmap } from '../../charts/heatmap.js';
import { parallelCoordinates } from '../../charts/parallel-coordinates.js';
import { scatter } from '../../charts/scatter.js';
import { esc } from '../../format.js';
import { cardWidth } from '../../lib/layout.js';
import { fmt, metricLabel } from './common.js';

export function renderSweep(el, box, study) {
  const results = study.results ?? [];
  if (!results.length) return void box.append('p').attr('class', 'empty').text('No results.');
  const keys = Object.keys(results[0].mean);
  const preferred = ['responseTime.mean', 'responseTime.p95', 'throughput', 'energyJ'].filter((k) =>
    keys.includes(k),
  );
  const bar = box.append('div').attr('class', 'toolbar');
  bar.append('label').attr('for', 'study-metric').text('Metric ');
  const sel = bar.append('select').attr('id', 'study-metric');
  sel
    .selectAll('option')
    .data([...preferred, ...keys.filter((k) => !preferred.includes(k))])
    .join('option')
    .attr('value', (k) => k)
    .text((k) => k);
  const chartBox = box.append('div').attr('class', 'card chart-card').attr('id', 'study-chart');
  const tableBox = box.append('div').attr('class', 'card');
  const params = study.params;
  const draw = () => {
    const metric = sel.property('value');
    const label = metricLabel(metric);
    const value = (r) => r.mean[metric];
    const feasible = (r) => (r.mean.feasible ?? 1) >= 1;
    chartBox.html('');
    const width = cardWidth(el, 1, 640);
    if (params.length === 1) {
      const p = params[0];
      scatter().width(width).height(300).title(`${metric} over ${p.name}`).xLabel(p.path).yLabel(label)(
        chartBox.datum({
          groups: [
            {
              key: 'mean',
              label: `${metric} (mean; hover for the 95 % CI)`,
              color: '#2563eb',
              line: 'straight',
              points: results.map((r) => ({
                x: r.config[p.name],
                y: value(r),
                html: `<table><tr><th>${esc(p.name)}</th><td>${esc(r.config[p.name])}</td></tr><tr><th>${esc(metric)}</th><td>${esc(fmt(value(r)))}${r.ci95?.[metric] ? ` ± ${esc(fmt(r.ci95[metric]))}` : ''}</td></tr></table>`,
              })),
            },
          ],
        }),
      );
    } else if (params.length === 2 && params.every((p) => Array.isArray(p.levels))) {
      const [px, py] = params;
      chartBox.append('h3').attr('class', 'chart-title').text(`${metric} over ${px.name} × ${py.name}`);
      heatmap()
        .width(Math.min(width, 120 + 64 * px.levels.length + 160))
        .xLabel(px.path)
        .yLabel(py.path)
        .valueLabel(label)
        .format(fmt)(
        chartBox.append('div').datum({
          xLevels: px.levels,
          yLevels: py.levels,
          cells: results.map((r) => ({
            x: r.config[px.name],
            y: r.config[py.name],
            value: value(r),
            ci: r.ci95?.[metric],
            feasible: feasible(r),
          })),
        }),
      );
    } else {
      chartBox
        .append('h3')
        .attr('class', 'chart-title')
        .text(
          `${metric} over ${params.map((p) => p.name).join(', ')} (parallel coordinates; dashed: infeasible)`,
        );
      parallelCoordinates().width(width).height(300)(
        chartBox.append('div').datum({
          dims: [...params.map((p) => ({ key: p.name, label: p.name })), { key: '__metric', label }],
          rows: results.map((r) => ({ ...r.config, __metric: value(r), feasible: feasible(r) })),
        }),
      );
    }
    const best = [...results]
      .filter(feasible)
      .sort((a, b) => value(a) - value(b))
      .slice(0, 8);
    tableBox.html('');
    tableBox.append('h3').attr('class', 'chart-title').text(`Lowest ${metric} (feasible configurations)`);
    tableBox
      .append('table')
      .attr('class', 'data')
      .html(
        `<thead><tr>${params.map((p) => `<th class="num">${esc(p.name)}</th>`).join('')}<th class="num">${esc(label)}</th><th class="num">95 % CI</th></tr></thead><tbody>${best
          .map(
            (r) =>
              `<tr>${params.map((p) => `<td class="num">${esc(r.config[p.name])}</td>`).join('')}<td class="num">${esc(fmt(value(r)))}</td><td class="num">${r.ci95?.[metric] ? `± ${esc(fmt(r.ci95[metric]))}` : '—'}</td></tr>`,
          )
          .join('')}</tbody>`,
      );
    document.body.dataset.study = `${study.kind}:${metric}`;
  };
  sel.on('change', draw);
  draw();
}
