import d3 from '../../vendor-d3.js';
import { scatter } from '../../charts/scatter.js';
import { esc } from '../../format.js';
import { cardWidth } from '../../lib/layout.js';
import { fmt } from './common.js';
import { renderIntervals, renderScores } from './validation-scores.js';

/**
 * A validate-twin report (plot.json, with validation.json's scores when it is beside): the scores and
 * targets, the prediction intervals as bands, the twin's predictions against the testbed's measurements
 * per metric, both response-time distributions of a configuration, and the table.
 */
export function renderValidation(el, box, study) {
  const points = study.points ?? [];
  if (!points.length) return void box.append('p').attr('class', 'empty').text('No configuration was scored.');
  const grid = box.append('div').attr('class', 'chart-grid');
  const w = cardWidth(el, 2);
  const pct = d3.format('+.1%');
  // The report's scores and, with a calibration set, its prediction intervals (validation.json).
  if (study.report) {
    renderScores(grid, study.report);
    renderIntervals(grid, study.report, w);
  }
  for (const m of study.metrics) {
    const scored = points.filter((p) => p.predicted?.[m.key] && p.measured?.[m.key]);
    const values = scored.flatMap((p) => [p.predicted[m.key].value, p.measured[m.key].value]);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    scatter()
      .width(w)
      .height(260)
      .title(`${m.metricKey}: twin against testbed (± 95 % CI; on the line, a perfect prediction)`)
      .xLabel(`measured on the testbed (${m.unit})`)
      .yLabel(`predicted by the twin (${m.unit})`)(
      grid
        .append('div')
        .attr('class', 'card chart-card study-chart validation-chart')
        .attr('data-metric', m.key)
        .datum({
          groups: [
            {
              key: 'diagonal',
              label: 'predicted = measured',
              color: '#94a3b8',
              line: 'straight',
              dots: false,
              points: [
                { x: lo, y: lo },
                { x: hi, y: hi },
              ],
            },
            {
              key: 'configs',
              label: 'held-out configuration',
              color: '#2563eb',
              points: scored.map((p) => {
                const pr = p.predicted[m.key];
                const me = p.measured[m.key];
                return {
                  x: me.value,
                  y: pr.value,
                  xLo: me.lo,
                  xHi: me.hi,
                  yLo: pr.lo,
                  yHi: pr.hi,
                  html: `<div class="tt-title">${esc(p.name)}</div><table><tr><th>twin</th><td>${esc(fmt(pr.value))} [${esc(fmt(pr.lo))}, ${esc(fmt(pr.hi))}]</td></tr><tr><th>testbed</th><td>${esc(fmt(me.value))} [${esc(fmt(me.lo))}, ${esc(fmt(me.hi))}]</td></tr><tr><th>error</th><td>${esc(pct(pr.value / me.value - 1))}</td></tr></table>`,
                };
              }),
            },
          ],
        }),
    );
  }
  // Response-time distributions of one configuration, twin and testbed.
  const cdfs = study.cdfs ?? [];
  if (cdfs.length) {
    const card = grid.append('div').attr('class', 'card chart-card');
    const bar = card.append('div').attr('class', 'toolbar');
    bar.append('label').attr('for', 'validation-config').text('Configuration ');
    const sel = bar.append('select').attr('id', 'validation-config');
    sel
      .selectAll('option')
      .data(cdfs)
      .join('option')
      .attr('value', (_c, i) => i)
      .text((c) => `${c.name} (KS ${fmt(c.ks)})`);
    const chart = card.append('div');
    const draw = () => {
      const c = cdfs[+sel.property('value')];
      const curve = (d) => (d?.x ?? []).map((x, i) => ({ x, y: d.p[i] }));
      scatter()
        .width(w)
        .height(240)
        .title(`Response-time distribution of ${c.name}: KS distance ${fmt(c.ks)}`)
        .xLabel('response time (s)')
        .yLabel('fraction of requests')(
        chart.datum({
          groups: [
            {
              key: 'measured',
              label: 'testbed',
              color: '#0f172a',
              line: 'step',
              dots: false,
              points: curve(c.measured),
            },
            {
              key: 'predicted',
              label: 'twin',
              color: '#2563eb',
              line: 'step',
              dots: false,
              points: curve(c.predicted),
            },
          ],
        }),
      );
    };
    sel.on('change', draw);
    draw();
  }
  const metrics = study.metrics;
  const card = grid.append('div').attr('class', 'card wide');
  card
    .append('h3')
    .attr('class', 'chart-title')
    .text('Per configuration: twin vs testbed (relative error of the twin)');
  card
    .append('table')
    .attr('class', 'data')
    .attr('id', 'validation-table')
    .html(
      `<thead><tr><th>configuration</th>${metrics.map((m) => `<th class="num">${esc(m.key)} twin</th><th class="num">testbed</th><th class="num">error</th>`).join('')}</tr></thead><tbody>${points
        .map(
          (p) =>
            `<tr><td>${esc(p.name)}</td>${metrics
              .map((m) => {
                const pr = p.predicted?.[m.key];
                const me = p.measured?.[m.key];
                return pr && me
                  ? `<td class="num">${esc(fmt(pr.value))}</td><td class="num">${esc(fmt(me.value))}</td><td class="num">${esc(pct(pr.value / me.value - 1))}</td>`
                  : '<td class="num">—</td><td class="num">—</td><td class="num">—</td>';
              })
              .join('')}</tr>`,
        )
        .join('')}</tbody>`,
    );
  if (study.missing?.length)
    card
      .append('p')
      .attr('class', 'muted')
      .text(`Not scored: ${study.missing.map((m) => m.name ?? m).join(', ')}`);
  document.body.dataset.study = `${study.kind}:${points.length}`;
}
