import d3 from '../vendor-d3.js';
import { bars } from '../charts/bars.js';
import { lineChart } from '../charts/line-chart.js';
import { dateTime, esc, number, percent, seconds } from '../format.js';
import { ksDistance } from '../lib/cdf-distance.js';
import { cardWidth } from '../lib/layout.js';
import { abandonmentThreshold, distributionOf, domainMaxOf } from './latency-view.js';

const COLORS = { A: '#2563eb', B: '#f59e0b' };

/** The runs folder as a table; pick A and B to see two runs side by side. */
export function renderRuns(el, { runs, runsDir, compare, onPick, onOpen }) {
  el.innerHTML = '';
  const head = d3.select(el).append('div').attr('class', 'view-head');
  head.append('h2').text('Runs');
  head
    .append('p')
    .attr('class', 'muted')
    .text(
      `${runs.length} run folder${runs.length === 1 ? '' : 's'} in ${runsDir}. Pick A and B to compare two runs; click a name to open a run.`,
    );
  if (!runs.length) return;
  const card = d3.select(el).append('div').attr('class', 'card table-card');
  const table = card.append('table').attr('class', 'data runs').attr('id', 'runs-table');
  table
    .append('thead')
    .html(
      '<tr><th>A</th><th>B</th><th>run</th><th>scenario</th><th>finished</th><th>seed</th><th>reps</th><th>overrides</th><th class="num">mean RT</th><th class="num">p95 RT</th><th class="num">throughput</th></tr>',
    );
  const tr = table
    .append('tbody')
    .selectAll('tr')
    .data(runs)
    .join('tr')
    .attr('data-run', (r) => r.id);
  tr.html(
    (r) => `
    <td><input type="radio" name="cmp-a" value="${esc(r.id)}" ${compare.A === r.id ? 'checked' : ''} aria-label="compare as A"></td>
    <td><input type="radio" name="cmp-b" value="${esc(r.id)}" ${compare.B === r.id ? 'checked' : ''} aria-label="compare as B"></td>
    <td><a href="#timeline/${encodeURIComponent(r.id)}" class="run-link">${esc(r.id)}</a></td>
    <td>${esc(r.scenario)}</td><td>${esc(dateTime(r.finishedAt))}</td><td class="num">${r.seed ?? '—'}</td><td class="num">${r.replications ?? '—'}</td>
    <td class="overrides">${esc(r.overrides.join(' ') || '—')}</td>
    <td class="num">${esc(seconds(r.responseTime.mean))}</td><td class="num">${esc(seconds(r.responseTime.p95))}</td><td class="num">${r.throughput != null ? `${number(r.throughput)} req/s` : '—'}</td>`,
  );
  tr.select('input[name=cmp-a]').on('change', (_e, r) => onPick('A', r.id));
  tr.select('input[name=cmp-b]').on('change', (_e, r) => onPick('B', r.id));
  tr.select('a.run-link').on('click', (e, r) => {
    e.preventDefault();
    onOpen(r.id);
  });
  d3.select(el).append('div').attr('id', 'compare');
}

/** Two runs side by side: metrics with differences, response-time CDFs, pool utilization, throughput. */
export function renderCompare(el, a, b) {
  const box = d3.select(el);
  box.html('');
  // A live run against a simulation: the twin's prediction against the testbed's measurement.
  const isLive = (x) => x.run.summary?.kind === 'live';
  const twinMode = isLive(a) !== isLive(b);
  const role = (x) => (twinMode ? (isLive(x) ? ' (testbed, live)' : ' (twin, simulated)') : '');
  box
    .append('h2')
    .text(
      twinMode
        ? `Predicted vs measured: A = ${a.run.id}${role(a)}, B = ${b.run.id}${role(b)}`
        : `Side by side: A = ${a.run.id}, B = ${b.run.id}`,
    );
  box.attr('data-twin', twinMode ? 'yes' : null);
  const missing = [a, b].filter((x) => !x.run.metrics).map((x) => x.run.id);
  if (missing.length) {
    box
      .append('p')
      .attr('class', 'muted')
      .text(`No metrics.json in ${missing.join(' and ')}: pick runs that measured something.`);
    return;
  }
  // better: 'lower' or 'higher' colours the difference green or red; null leaves it neutral.
  const row = (label, f, fmt, better = 'lower') => {
    const va = f(a.run);
    const vb = f(b.run);
    const d = Number.isFinite(va) && Number.isFinite(vb) && va !== 0 ? (vb - va) / Math.abs(va) : NaN;
    const cls =
      !better || !Number.isFinite(d) || Math.abs(d) < 0.005
        ? ''
        : d < 0 === (better === 'lower')
          ? 'better'
          : 'worse';
    return `<tr><th>${esc(label)}</th><td class="num">${esc(fmt(va))}</td><td class="num">${esc(fmt(vb))}</td><td class="num ${cls}">${Number.isFinite(d) ? `${d > 0 ? '+' : ''}${(d * 100).toFixed(1)} %` : '—'}</td></tr>`;
  };
  const m = (r) => r.metrics;
  const threshold = abandonmentThreshold(a.run.scenario);
  // Twin against testbed: the axis ends past both runs' requests, not at the abandonment threshold.
  const limit = twinMode ? { value: 0 } : threshold;
  const hi = Math.max(domainMaxOf(a.run, a.trace, limit), domainMaxOf(b.run, b.trace, limit));
  const dist = { A: distributionOf(a.run, a.trace, hi), B: distributionOf(b.run, b.trace, hi) };
  const ks = ksDistance(dist.A.cdf, dist.B.cdf);
  const grid = box.append('div').attr('class', 'chart-grid');
  const colW = cardWidth(el, 2);
  const tcard = grid.append('div').attr('class', 'card wide');
  tcard.append('h3').attr('class', 'chart-title').text('Metrics (B relative to A)');
  const poolKeys = [...new Set([...Object.keys(m(a.run).pools), ...Object.keys(m(b.run).pools)])];
  tcard
    .append('table')
    .attr('class', 'data compare')
    .attr('id', 'compare-table')
    .html(`<thead><tr><th></th><th class="num series-a">A</th><th class="num series-b">B</th><th class="num">B vs A</th></tr></thead><tbody>
    <tr><th>scenario</th><td class="num">${esc(m(a.run).scenario)}</td><td class="num">${esc(m(b.run).scenario)}</td><td></td></tr>
    <tr><th>overrides</th><td class="num">${esc(a.run.summary.overrides.join(' ') || '—')}</td><td class="num">${esc(b.run.summary.overrides.join(' ') || '—')}</td><td></td></tr>
    ${row('response time mean', (r) => m(r).responseTime.mean, seconds)}
    ${row('response time p50', (r) => m(r).responseTime.p50, seconds)}
    ${row('response time p95', (r) => m(r).responseTime.p95, seconds)}
    ${row('response time p99', (r) => m(r).responseTime.p99, seconds)}
    ${row(
      'throughput (req/s)',
      (r) => m(r).throughput,
      (v) => number(v),
      'higher',
    )}
    ${row(
      'abandoned',
      (r) => m(r).abandonmentProbability,
      (v) => percent(v, 2),
    )}
    ${row(
      'rejected',
      (r) => m(r).rejectionProbability,
      (v) => percent(v, 2),
    )}
    ${poolKeys
      .map((k) =>
        row(
          `pool ${k} utilization`,
          (r) => m(r).pools[k]?.utilization ?? NaN,
          (v) => percent(v),
          null,
        ),
      )
      .join('')}
    ${row(
      'GPU memory peak (GiB)',
      (r) => m(r).gpuMemoryPeakGiB,
      (v) => number(v),
    )}
    ${row(
      'energy (kJ)',
      (r) => m(r).energyJ / 1000,
      (v) => number(v, 1),
    )}
    ${row(
      'cost',
      (r) => m(r).cost,
      (v) => number(v, 2),
    )}
    <tr id="compare-ks"><th>KS distance of the response-time CDFs</th><td></td><td></td><td class="num">${Number.isFinite(ks) ? esc(ks.toFixed(3)) : '—'}</td></tr>
    ${row(
      'replications',
      (r) => m(r).replications,
      (v) => number(v, 0),
      null,
    )}
  </tbody>`);

  const cdf = (x, key) => {
    const d = dist[key];
    return {
      key,
      label: `${key}: ${x.run.id}${role(x)} (${d.source === 'all' ? 'all requests' : 'traced requests'})`,
      color: COLORS[key],
      points: d.cdf.filter((p) => p.x <= hi).map((p) => ({ x: p.x, y: p.p })),
    };
  };
  const fallbacks = [
    ['A', a],
    ['B', b],
  ].filter(([, x]) => !x.run.series?.responseTime?.count);
  if (fallbacks.length)
    box
      .insert('p', '.chart-grid')
      .attr('class', 'note')
      .attr('id', 'compare-fallback')
      .text(
        `${fallbacks.map(([k, x]) => `${k} (${x.run.id})`).join(' and ')} ha${fallbacks.length === 1 ? 's' : 've'} no series.json (written by an older e2ctwin): its CDF is drawn from the traced requests of replication 0, a sample that can disagree with the table.`,
      );
  lineChart()
    .width(colW)
    .height(240)
    .title(twinMode ? 'Response-time CDF: twin and testbed' : 'Response-time CDF')
    .xLabel('response time (s)')
    .yLabel('share of requests (%)')
    .yFormat(d3.format('.0%'))
    .yDomain([0, 1])
    .xDomain([0, hi])
    .curve(d3.curveStepAfter)(
    grid
      .append('div')
      .attr('class', 'card chart-card')
      .attr('id', 'compare-cdf')
      .datum({ series: [cdf(a, 'A'), cdf(b, 'B')], refs: [{ y: 0.95, label: '95 %' }] }),
  );
  bars()
    .width(colW)
    .title('Thread pools: mean utilization')
    .xLabel('busy threads / pool size (%)')
    .xMax(1)
    .format(d3.format('.1%'))
    .color(d3.scaleOrdinal(['A', 'B'], [COLORS.A, COLORS.B]))(
    grid
      .append('div')
      .attr('class', 'card chart-card')
      .attr('id', 'compare-pools')
      .datum({
        categories: poolKeys,
        series: ['A', 'B'].map((k) => ({
          key: k,
          label: `${k}: ${(k === 'A' ? a : b).run.id}`,
          values: poolKeys.map((p) => m((k === 'A' ? a : b).run).pools[p]?.utilization ?? NaN),
        })),
      }),
  );
  // With a live run, both series start where their measured window does (a live run's windows follow a
  // deployment, a simulation's warm-up starts at 0): the times are then read on one axis.
  const anyLive = isLive(a) || isLive(b);
  const zero = (x) =>
    !anyLive ? 0 : isLive(x) ? (m(x.run).timeline?.start?.[0] ?? 0) : (x.run.scenario?.run?.warmup ?? 0);
  const tl = (x, key) => {
    const t = m(x.run).timeline;
    return {
      key,
      label: `${key}: ${x.run.id}${role(x)}`,
      color: COLORS[key],
      points: (t?.start ?? []).map((s, i) => ({ x: s - zero(x) + t.windowS / 2, y: t.throughput[i] })),
    };
  };
  lineChart()
    .width(colW)
    .height(240)
    .title(twinMode ? 'Throughput over time: twin and testbed' : 'Throughput over time')
    .xLabel(anyLive ? 'time since the warm-up (s; wall clock for a live run)' : 'simulated time (s)')
    .yLabel('completed requests / s')
    .yFormat(d3.format('~g'))(
    grid
      .append('div')
      .attr('class', 'card chart-card')
      .attr('id', 'compare-throughput')
      .datum({
        series: [tl(a, 'A'), tl(b, 'B')],
        empty: 'These runs have no time windows (run.requests without a duration).',
      }),
  );
}
