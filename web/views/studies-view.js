import d3 from '../vendor-d3.js';
import { bars } from '../charts/bars.js';
import { heatmap } from '../charts/heatmap.js';
import { parallelCoordinates } from '../charts/parallel-coordinates.js';
import { scatter } from '../charts/scatter.js';
import { dateTime, esc } from '../format.js';
import { cardWidth } from '../lib/layout.js';
import { progressCell } from './study-progress.js';

const fmt = d3.format('.4~g');

/** A metric key with its unit, e.g. "responseTime.mean (s)". */
export function metricLabel(key) {
  const unit = /^responseTime\.|responseTime\.(mean|p\d+)$/.test(key)
    ? 's'
    : /throughput$/.test(key)
      ? 'req/s'
      : /energyJ$/.test(key)
        ? 'J'
        : /GiB$/.test(key)
          ? 'GiB'
          : /(utilization|Probability)$/.test(key)
            ? 'fraction'
            : /measuredSeconds$/.test(key)
              ? 's'
              : '';
  return unit ? `${key} (${unit})` : key;
}

/** Exploration studies found in the runs folder, and the one picked. */
export function renderStudies(el, { studies, onOpen }) {
  el.innerHTML = '';
  const head = d3.select(el).append('div').attr('class', 'view-head');
  head.append('h2').text('Exploration studies');
  head
    .append('p')
    .attr('class', 'muted')
    .text(
      studies.length
        ? 'Study folders of e2ctwin sweep, sensitivity, optimize, capacity and validate-twin in the runs folder (their result JSON). Running studies show their progress, on this machine or on a Redis queue alike. Click one to see it.'
        : 'No study folders in the runs folder yet: run e2ctwin sweep, sensitivity, optimize or validate-twin with --out inside it (e.g. --out runs/my-sweep).',
    );
  if (!studies.length) return;
  const card = d3.select(el).append('div').attr('class', 'card table-card');
  card
    .append('table')
    .attr('class', 'data')
    .attr('id', 'studies-table')
    .html(
      `<thead><tr><th>study</th><th>kind</th><th>design / method</th><th>scenario</th><th>parameters</th><th class="num">points</th><th>progress</th><th>written</th></tr></thead><tbody>${studies
        .map(
          (s) => `
    <tr data-study="${esc(s.id)}"><td><a href="#studies/${encodeURIComponent(s.id)}" class="study-link">${esc(s.id)}</a></td><td>${esc(s.kind)}</td><td>${esc(s.method)}</td><td>${esc(s.scenario)}</td>
    <td>${esc(s.params.join(', '))}</td><td class="num">${s.points ?? '—'}</td><td class="study-progress">${progressCell(s)}</td><td>${esc(dateTime(s.modifiedAt))}</td></tr>`,
        )
        .join('')}</tbody>`,
    );
  card.selectAll('a.study-link').on('click', function (event) {
    event.preventDefault();
    onOpen(this.closest('tr').dataset.study);
  });
  d3.select(el).append('div').attr('id', 'study');
}

/** One study, drawn by kind. */
export function renderStudy(el, { id, file, study }) {
  const box = d3.select(el);
  box.html('');
  box.append('h2').text(`${study.kind}: ${id}`);
  const meta = [
    study.scenario,
    study.design ?? study.method ?? study.algorithm,
    study.replications
      ? `${study.replications} replication${study.replications === 1 ? '' : 's'} per point`
      : null,
    study.seeds === 'crn' ? 'common random numbers' : study.seeds ? 'independent seeds' : null,
    `from ${file}`,
  ].filter(Boolean);
  box.append('p').attr('class', 'muted').text(meta.join(' · '));
  if (study.kind === 'sweep') renderSweep(el, box, study);
  else if (study.kind === 'sensitivity') renderSensitivity(el, box, study);
  else if (study.kind === 'optimize') renderOptimize(el, box, study);
  else if (study.kind === 'validation') renderValidation(el, box, study);
  else
    box
      .append('div')
      .attr('class', 'card')
      .append('pre')
      .attr('class', 'summary')
      .text(JSON.stringify(study, null, 2).slice(0, 4000));
}

function renderSweep(el, box, study) {
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

function renderSensitivity(el, box, study) {
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

function renderOptimize(el, box, study) {
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
  const card = grid.append('div').attr('class', 'card wide');
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
  document.body.dataset.study = `${study.kind}:${study.algorithm}`;
}

/** A validate-twin report (plot.json): the twin's predictions against the testbed's measurements. */
function renderValidation(el, box, study) {
  const points = study.points ?? [];
  if (!points.length) return void box.append('p').attr('class', 'empty').text('No configuration was scored.');
  const grid = box.append('div').attr('class', 'chart-grid');
  const w = cardWidth(el, 2);
  const pct = d3.format('+.1%');
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
