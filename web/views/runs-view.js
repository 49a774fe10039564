import d3 from '../vendor-d3.js';
import { bars } from '../charts/bars.js';
import { lineChart } from '../charts/line-chart.js';
import { dateTime, esc, number, percent, seconds } from '../format.js';
import { ksDistance } from '../lib/cdf-distance.js';
import { differenceCI } from '../lib/difference-ci.js';
import { cardWidth } from '../lib/layout.js';
import { abandonmentThreshold, distributionOf, domainMaxOf } from './latency-view.js';

const COLORS = { A: '#2563eb', B: '#f59e0b' };
/** Colours of the runs overlaid on A and B (none close to theirs). */
const MORE_COLORS = ['#16a34a', '#9333ea', '#dc2626', '#0891b2', '#db2777', '#65a30d', '#78350f', '#475569'];

/**
 * The runs folder as a table; pick A and B to see two runs side by side, and tick more runs to overlay
 * them on the charts (`onMore(ids)`).
 */
export function renderRuns(el, { runs, runsDir, compare, onPick, onMore, onOpen }) {
  el.innerHTML = '';
  const head = d3.select(el).append('div').attr('class', 'view-head');
  head.append('h2').text('Runs');
  head
    .append('p')
    .attr('class', 'muted')
    .text(
      `${runs.length} run folder${runs.length === 1 ? '' : 's'} in ${runsDir}. Pick A and B to compare two runs, tick more to overlay them on the charts; click a name to open a run.`,
    );
  if (!runs.length) return;
  const card = d3.select(el).append('div').attr('class', 'card table-card');
  const table = card.append('table').attr('class', 'data runs').attr('id', 'runs-table');
  table
    .append('thead')
    .html(
      '<tr><th>A</th><th>B</th><th title="drawn on the charts too">more</th><th>run</th><th>scenario</th><th>finished</th><th>seed</th><th>reps</th><th>overrides</th><th class="num">mean RT</th><th class="num">p95 RT</th><th class="num">throughput</th></tr>',
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
    <td><input type="checkbox" name="cmp-more" value="${esc(r.id)}" ${compare.more?.includes(r.id) ? 'checked' : ''} aria-label="overlay on the charts"></td>
    <td><a href="#timeline/${encodeURIComponent(r.id)}" class="run-link">${esc(r.id)}</a></td>
    <td>${esc(r.scenario)}</td><td>${esc(dateTime(r.finishedAt))}</td><td class="num">${r.seed ?? '—'}</td><td class="num">${r.replications ?? '—'}</td>
    <td class="overrides">${esc(r.overrides.join(' ') || '—')}</td>
    <td class="num">${esc(seconds(r.responseTime.mean))}</td><td class="num">${esc(seconds(r.responseTime.p95))}</td><td class="num">${r.throughput != null ? `${number(r.throughput)} req/s` : '—'}</td>`,
  );
  tr.select('input[name=cmp-a]').on('change', (_e, r) => onPick('A', r.id));
  tr.select('input[name=cmp-b]').on('change', (_e, r) => onPick('B', r.id));
  tr.select('input[name=cmp-more]').on('change', () =>
    onMore?.(
      table
        .selectAll('input[name=cmp-more]:checked')
        .nodes()
        .map((n) => n.value),
    ),
  );
  tr.select('a.run-link').on('click', (e, r) => {
    e.preventDefault();
    onOpen(r.id);
  });
  d3.select(el).append('div').attr('id', 'compare');
}

/**
 * Two runs side by side: metrics with differences, the differences B − A with their confidence intervals,
 * response-time CDFs, pool utilization, throughput; `more` runs overlaid on the CDFs and the throughput.
 */
export function renderCompare(el, a, b, more = []) {
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
  // Runs overlaid without metrics are left out (said under the charts).
  const extra = more.filter((x) => x.run.metrics);
  const hi = Math.max(...[a, b, ...extra].map((x) => domainMaxOf(x.run, x.trace, limit)));
  const dist = { A: distributionOf(a.run, a.trace, hi), B: distributionOf(b.run, b.trace, hi) };
  extra.forEach((x, i) => {
    dist[`R${i}`] = distributionOf(x.run, x.trace, hi);
  });
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

  differences(grid, a, b);
  const overlaid = extra.map((x, i) => ({ x, key: `R${i}`, name: x.run.id, color: MORE_COLORS[i % 8] }));
  const cdf = (x, key, name = key, color = COLORS[key]) => {
    const d = dist[key];
    return {
      key,
      label: `${name}: ${x.run.id}${role(x)} (${d.source === 'all' ? 'all requests' : 'traced requests'})`,
      color,
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
      .datum({
        series: [cdf(a, 'A'), cdf(b, 'B'), ...overlaid.map((o) => cdf(o.x, o.key, '+', o.color))],
        refs: [{ y: 0.95, label: '95 %' }],
      }),
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
  const anyLive = [a, b, ...extra].some(isLive);
  const zero = (x) =>
    !anyLive ? 0 : isLive(x) ? (m(x.run).timeline?.start?.[0] ?? 0) : (x.run.scenario?.run?.warmup ?? 0);
  const tl = (x, key, name = key, color = COLORS[key]) => {
    const t = m(x.run).timeline;
    return {
      key,
      label: `${name}: ${x.run.id}${role(x)}`,
      color,
      points: (t?.start ?? []).map((s, i) => ({ x: s - zero(x) + t.windowS / 2, y: t.throughput[i] })),
    };
  };
  // Simulations only, on one clock from 0: their warm-up shaded (the longest of the runs drawn).
  const warmup = anyLive ? 0 : Math.max(0, ...[a, b, ...extra].map((x) => x.run.scenario?.run?.warmup ?? 0));
  const end = Math.max(
    0,
    ...[a, b, ...extra].map((x) => {
      const t = m(x.run).timeline;
      return t?.start?.length ? t.start.at(-1) + t.windowS : 0;
    }),
  );
  const throughputChart = lineChart();
  if (warmup > 0 && end > warmup) throughputChart.xDomain([0, end]);
  throughputChart
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
        series: [tl(a, 'A'), tl(b, 'B'), ...overlaid.map((o) => tl(o.x, o.key, '+', o.color))],
        bands:
          warmup > 0 && end > warmup ? [{ x0: 0, x1: warmup, label: `warm-up (${number(warmup)} s)` }] : [],
        empty: 'These runs have no time windows (run.requests without a duration).',
      }),
  );
}

/** Metrics compared as differences B − A with a 95 % CI: path in metrics.json, label, format, better. */
const DIFFERENCES = [
  ['responseTime.mean', 'response time mean', seconds, 'lower'],
  ['responseTime.p50', 'response time p50', seconds, 'lower'],
  ['responseTime.p95', 'response time p95', seconds, 'lower'],
  ['responseTime.p99', 'response time p99', seconds, 'lower'],
  ['throughput', 'throughput (req/s)', (v) => number(v), 'higher'],
  ['abandonmentProbability', 'abandoned', (v) => percent(v, 2), 'lower'],
  ['rejectionProbability', 'rejected', (v) => percent(v, 2), 'lower'],
  ['energyJ', 'energy (J)', (v) => number(v, 0), 'lower'],
];

const read = (obj, path) => path.split('.').reduce((o, k) => o?.[k], obj);

/**
 * The differences B − A per metric with a 95 % confidence interval from the runs' replications (their
 * perReplication in metrics.json): paired when both ran the same replications from the same seed (common
 * random numbers), else Welch's. A difference whose interval excludes 0 is marked significant.
 */
function differences(grid, a, b) {
  const reps = (x) => x.run.metrics.perReplication ?? [];
  const ra = reps(a);
  const rb = reps(b);
  const card = grid.append('div').attr('class', 'card wide').attr('id', 'compare-differences');
  card.append('h3').attr('class', 'chart-title').text('Differences B − A with 95 % confidence intervals');
  if (ra.length < 2 || rb.length < 2) {
    card
      .append('p')
      .attr('class', 'muted')
      .text(
        `A has ${ra.length} and B ${rb.length} replication${rb.length === 1 ? '' : 's'} in metrics.json: a confidence interval needs two or more on each side (run with -r 2 or more).`,
      );
    return;
  }
  const sim = (x) => x.run.summary?.kind !== 'live';
  const paired = sim(a) && sim(b) && a.run.metrics.seed === b.run.metrics.seed && ra.length === rb.length;
  card
    .append('p')
    .attr('class', 'muted small')
    .text(
      paired
        ? `Paired: both runs simulated ${ra.length} replications from seed ${a.run.metrics.seed} (common random numbers), so replication i of B is compared with replication i of A; the interval is t(${ra.length - 1}) over the ${ra.length} differences.`
        : `Unpaired (${sim(a) && sim(b) ? 'other seeds or replication counts' : 'a live run'}): Welch's interval over ${ra.length} replications of A and ${rb.length} of B.`,
    );
  const rows = DIFFERENCES.map(([path, label, fmt, better]) => {
    const va = ra.map((r) => read(r, path)).filter(Number.isFinite);
    const vb = rb.map((r) => read(r, path)).filter(Number.isFinite);
    if (va.length < 2 || vb.length < 2) return '';
    const d = differenceCI(va, vb, { paired: paired && va.length === ra.length && vb.length === rb.length });
    const significant = d.lo > 0 || d.hi < 0;
    const cls = !significant ? '' : d.diff < 0 === (better === 'lower') ? 'better' : 'worse';
    const signed = (v) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${fmt(Math.abs(v))}`;
    return `<tr data-metric="${esc(path)}" data-diff="${d.diff}" data-lo="${d.lo}" data-hi="${d.hi}" data-method="${d.method}"><th>${esc(label)}</th><td class="num ${cls}">${esc(signed(d.diff))}</td><td class="num">${Number.isFinite(d.halfWidth) ? `± ${esc(fmt(d.halfWidth))}` : '—'}</td><td class="num">[${esc(signed(d.lo))}, ${esc(signed(d.hi))}]</td><td>${significant ? `<strong class="${cls}">significant</strong>` : 'not significant (the interval holds 0)'}</td></tr>`;
  });
  card
    .append('table')
    .attr('class', 'data compare')
    .attr('data-method', paired ? 'paired' : 'welch')
    .html(
      `<thead><tr><th></th><th class="num">B − A</th><th class="num">95 % CI ±</th><th class="num">interval</th><th>at 95 %</th></tr></thead><tbody>${rows.join('')}</tbody>`,
    );
}
