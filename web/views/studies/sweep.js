import { heatmap } from '../../charts/heatmap.js';
import { scatter } from '../../charts/scatter.js';
import { esc } from '../../format.js';
import { cardWidth } from '../../lib/layout.js';
import { fmt, metricLabel, trialsAddress } from './common.js';
import { renderTrials } from './trials.js';

/**
 * A sweep: its configurations over one parameter (a line) or two (a heat map), then its trials explored.
 * `view` is what the user picked in an earlier drawing of the same study, kept when it is drawn again as
 * trials arrive: { metric, sort: { key, ascending }, contour: [x, y] }; `view.onMetric(metric)` is told of
 * the metric the user picks, `view.onUnknownMetric(metric)` of a `view.metric` the study does not have.
 */
export function renderSweep(el, box, study, id, view = {}) {
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
  if (view.metric && keys.includes(view.metric)) sel.property('value', view.metric);
  else if (view.metric) view.onUnknownMetric?.(view.metric);
  // One parameter: a line; two on a grid: a heat map; more: the parallel coordinates of the trials below.
  const chartBox = box.append('div').attr('class', 'card chart-card').attr('id', 'study-chart');
  const trialsBox = box.append('div');
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
    }
    chartBox.attr('hidden', chartBox.select('svg').empty() ? '' : null);
    trialsBox.html('');
    renderTrials(el, trialsBox, {
      trials: results.map((r, i) => ({
        id: i + 1,
        config: r.config,
        values: r.mean,
        ci: r.ci95,
        feasible: feasible(r),
      })),
      params,
      metric,
      columns: [...new Set([metric, ...preferred])],
      idLabel: 'configuration',
      csvName: `${id}-configurations`,
      sort: view.sort,
      contour: view.contour,
      ...trialsAddress(view),
    });
    document.body.dataset.study = `${study.kind}:${metric}`;
  };
  sel.on('change', () => {
    draw();
    view.onMetric?.(sel.property('value'));
  });
  draw();
}
