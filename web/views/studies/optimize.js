import { scatter } from '../../charts/scatter.js';
import { esc } from '../../format.js';
import { cardWidth } from '../../lib/layout.js';
import { fmt, metricLabel, trialsAddress } from './common.js';
import { renderTrials } from './trials.js';

/**
 * An optimizer run: convergence, the Pareto front of two objectives, the best configuration, then every
 * evaluation explored (importance, parallel coordinates, slices, contour, table) for a chosen objective.
 * A running one (`study.live`: its result document so far) shows its best so far, not yet confirmed.
 * `view` is what the user picked in an earlier drawing of it (see renderSweep): { metric, sort, contour }.
 */
export function renderOptimize(el, box, study, id, view = {}) {
  const objectives = (study.objectives ?? []).map((o) => o.replace(/^(minimize|maximize) /, ''));
  const history = study.history ?? [];
  const grid = box.append('div').attr('class', 'chart-grid');
  const w = cardWidth(el, 2);
  const first = objectives[0] ?? 'objective';
  const ok = history.filter((h) => h.violation === 0);
  const bad = history.filter((h) => h.violation > 0);
  const tip = (h) =>
    `<div class="tt-title">evaluation ${h.evaluation}</div><table>${Object.entries(h.config)
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
      .join(
        '',
      )}${h.values.map((v, i) => `<tr><th>${esc(objectives[i] ?? `objective ${i + 1}`)}</th><td>${esc(fmt(v))}</td></tr>`).join('')}<tr><th>constraints</th><td>${h.violation === 0 ? 'met' : `violated by ${esc(fmt(h.violation))}`}</td></tr></table>`;
  scatter()
    .width(w)
    .height(260)
    .title(`Convergence: ${first} of each evaluation and the best so far`)
    .xLabel('evaluation')
    .yLabel(metricLabel(first))(
    grid
      .append('div')
      .attr('class', 'card chart-card study-chart')
      .attr('id', 'study-convergence')
      .datum({
        groups: [
          {
            key: 'ok',
            label: 'evaluation (constraints met)',
            color: '#2563eb',
            points: ok.map((h) => ({ x: h.evaluation, y: h.values[0], html: tip(h) })),
          },
          {
            key: 'bad',
            label: 'evaluation (constraints violated)',
            color: '#dc2626',
            fill: '#fff',
            points: bad.map((h) => ({ x: h.evaluation, y: h.values[0], html: tip(h) })),
          },
          {
            key: 'best',
            label: 'best feasible so far',
            color: '#0f172a',
            line: 'step',
            dots: false,
            points: history
              .filter((h) => h.best && h.best.violation === 0)
              .map((h) => ({ x: h.evaluation, y: h.best.value })),
          },
        ],
      }),
  );
  if (objectives.length >= 2) {
    const front = (study.pareto ?? [])
      .map((p) => ({
        x: p[objectives[0]]?.mean,
        y: p[objectives[1]]?.mean,
        html: `<table>${Object.entries(p.config)
          .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
          .join('')}</table>`,
      }))
      .sort((a, b) => a.x - b.x);
    scatter()
      .width(w)
      .height(260)
      .title(`Pareto front: ${objectives[0]} against ${objectives[1]}`)
      .xLabel(metricLabel(objectives[0]))
      .yLabel(metricLabel(objectives[1]))(
      grid
        .append('div')
        .attr('class', 'card chart-card study-chart')
        .attr('id', 'study-pareto')
        .datum({
          groups: [
            {
              key: 'all',
              label: 'evaluations (constraints met)',
              color: '#94a3b8',
              r: 3,
              points: ok.map((h) => ({ x: h.values[0], y: h.values[1], html: tip(h) })),
            },
            { key: 'front', label: 'Pareto front', color: '#f59e0b', line: 'straight', r: 5, points: front },
          ],
        }),
    );
  }
  const b = study.best;
  const card = grid.append('div').attr('class', 'card wide').attr('id', 'study-best');
  if (!b && study.live) bestSoFar(card, history, first);
  else
    card
      .append('h3')
      .attr('class', 'chart-title')
      .text(b ? `Best configuration (${b.replications} replications)` : 'No feasible configuration found');
  if (b) {
    card
      .append('table')
      .attr('class', 'data')
      .html(`<tbody>${Object.entries(b.config)
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td></tr>`)
        .join('')}
      <tr><th>${esc(b.objective.key)}</th><td class="num">${esc(fmt(b.objective.mean))}${b.objective.ci95 ? ` ± ${esc(fmt(b.objective.ci95))}` : ''}</td></tr>
      ${
        b.vsRunnerUp
          ? `<tr><th>vs runner-up</th><td class="num">${esc(fmt(b.vsRunnerUp.meanDifference))} ± ${esc(fmt(b.vsRunnerUp.ci95))} (${esc(
              Object.entries(b.vsRunnerUp.config)
                .map(([k, v]) => `${k}=${v}`)
                .join(' '),
            )})</td></tr>`
          : ''
      }</tbody>`);
  }
  if (history.length) {
    const names = objectives.length ? objectives : ['objective'];
    const onFront = new Set((study.pareto ?? []).map((p) => JSON.stringify(Object.entries(p.config).sort())));
    const trials = history.map((h) => ({
      id: h.evaluation,
      config: h.config,
      values: Object.fromEntries(names.map((k, i) => [k, h.values[i]])),
      feasible: h.violation === 0,
      pareto: onFront.has(JSON.stringify(Object.entries(h.config).sort())),
    }));
    const bar = box.append('div').attr('class', 'toolbar');
    bar.append('label').attr('for', 'study-metric').text('Objective ');
    const sel = bar.append('select').attr('id', 'study-metric');
    sel
      .selectAll('option')
      .data(names)
      .join('option')
      .attr('value', (k) => k)
      .text((k) => k);
    if (view.metric && names.includes(view.metric)) sel.property('value', view.metric);
    const trialsBox = box.append('div');
    const params = (study.params ?? []).filter((p) => trials.some((t) => p.name in t.config));
    const draw = () => {
      trialsBox.html('');
      renderTrials(el, trialsBox, {
        trials,
        params,
        metric: sel.property('value'),
        columns: names,
        idLabel: 'evaluation',
        csvName: `${id}-evaluations`,
        sort: view.sort,
        contour: view.contour,
        ...trialsAddress(view),
      });
    };
    sel.on('change', () => {
      draw();
      view.onMetric?.(sel.property('value'));
    });
    draw();
  }
  document.body.dataset.study = `${study.kind}:${study.algorithm}`;
}

/**
 * The best so far of a running search: the incumbent after its last evaluation (the best feasible one at
 * full fidelity), which the confirmation at its end re-evaluates with more replications.
 */
function bestSoFar(card, history, objective) {
  const last = history.at(-1);
  const best = last?.best;
  if (!best || best.violation > 0) {
    card
      .append('h3')
      .attr('class', 'chart-title')
      .text(`No feasible configuration so far (${history.length} evaluations)`);
    return;
  }
  const at = history.find(
    (h) => h.values[0] === best.value && JSON.stringify(h.config) === JSON.stringify(best.config),
  );
  card
    .attr('data-best', best.value)
    .append('h3')
    .attr('class', 'chart-title')
    .text(
      `Best so far, after ${history.length} evaluation${history.length === 1 ? '' : 's'} (confirmed with more replications when the search ends)`,
    );
  card
    .append('table')
    .attr('class', 'data')
    .html(
      `<tbody>${Object.entries(best.config)
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td></tr>`)
        .join('')}<tr><th>${esc(objective)}</th><td class="num best-value">${esc(fmt(best.value))}</td></tr>${
        at ? `<tr><th>found at</th><td class="num">evaluation ${esc(at.evaluation)}</td></tr>` : ''
      }</tbody>`,
    );
}
