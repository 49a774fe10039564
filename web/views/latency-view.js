import d3 from '../vendor-d3.js';
import { distribution } from '../charts/distribution.js';
import { ci, esc, number, percent, seconds } from '../format.js';
import { fromLogHistogram, fromSamples, quantileOf } from '../lib/histogram.js';
import { cardWidth } from '../lib/layout.js';

/** The abandonment threshold: the workloads' patience, else 3 s (what users tolerate, by default). */
export function abandonmentThreshold(scenario) {
  const p = (scenario?.services ?? []).map((s) => s.workload?.patienceS).filter((v) => Number.isFinite(v));
  if (p.length)
    return {
      value: Math.min(...p),
      label: `abandonment ${seconds(Math.min(...p))}`,
      legend: `abandonment threshold ${seconds(Math.min(...p))} (workload patienceS)`,
    };
  return {
    value: 3,
    label: 'abandonment 3 s',
    legend: 'abandonment threshold 3 s (default: the scenario sets no patience)',
  };
}

/**
 * The response-time distribution of a run: every measured request of every replication (series.json, the
 * requests metrics.json's percentiles come from); for a folder written before series.json existed, the
 * traced sample of replication 0, with a note saying so (`fallback`).
 */
export function distributionOf(run, trace, domainMax) {
  if (run.series?.responseTime?.count) {
    const r = run.series.replications;
    return {
      ...fromLogHistogram(run.series.responseTime, domainMax),
      sourceLabel: `all ${run.series.responseTime.count.toLocaleString('en-US')} measured requests, ${r} ${run.series.source === 'live' ? 'repetition' : 'replication'}${r === 1 ? '' : 's'}`,
      fallback: null,
    };
  }
  const values = (trace?.spans ?? [])
    .filter((s) => s.kind === 'request' && (s.status ?? 'ok') === 'ok')
    .map((s) => s.end - s.start);
  return {
    ...fromSamples(values, domainMax),
    sourceLabel: `the ${values.length} traced requests of replication 0`,
    fallback: `This run folder has no series.json (written by an e2ctwin older than this page): the histogram and CDF are drawn from the ${values.length} traced requests of replication 0, a sample that can disagree with the run's percentiles in the table. Run it again to draw every measured request.`,
  };
}

/** Upper end of the x axis: past p99 and the threshold, and past nearly all requests. */
export function domainMaxOf(run, trace, threshold) {
  const rt = run.metrics.responseTime;
  let tail = rt.p99;
  if (run.series?.responseTime?.count)
    tail = Math.max(
      tail,
      quantileOf(fromLogHistogram(run.series.responseTime, Math.max(rt.max || 1, 1e-6), 400).cdf, 0.998),
    );
  else if (trace)
    tail = Math.max(
      tail,
      d3.quantile(
        trace.spans
          .filter((s) => s.kind === 'request')
          .map((s) => s.end - s.start)
          .sort(d3.ascending),
        0.998,
      ) ?? 0,
    );
  const hi = Math.max(tail * 1.08, rt.p99 * 1.15, threshold.value * 1.12);
  return Number.isFinite(hi) && hi > 0 ? hi : 1;
}

/** Response-time histogram and CDF with p50/p95/p99 and the abandonment threshold. */
export function renderLatency(el, { run, trace }) {
  el.innerHTML = '';
  const head = d3.select(el).append('div').attr('class', 'view-head');
  head.append('h2').text('Response-time distribution');
  if (!run) {
    head.append('p').attr('class', 'muted').text('Open a run to see its response times.');
    return;
  }
  const m = run.metrics;
  if (!m) {
    head
      .append('p')
      .attr('class', 'muted')
      .text(`Run ${run.id} has no metrics.json: no response-time distribution to draw.`);
    return;
  }
  const rt = m.responseTime;
  const reps = m.replications;
  const threshold = abandonmentThreshold(run.scenario);
  const dist = distributionOf(run, trace, domainMaxOf(run, trace, threshold));
  const crossing = quantileOf(dist.cdf, 0.95);
  head
    .append('p')
    .attr('class', 'muted')
    .attr('id', 'latency-source')
    .text(
      dist.fallback
        ? `Histogram and CDF of ${dist.sourceLabel}. Percentile markers are the run's metrics (metrics.json).`
        : `Histogram and CDF of ${dist.sourceLabel} (series.json: the requests metrics.json is computed from; the traced sample is drawn by the Timeline only). Percentile markers are the run's metrics: the mean over ${reps} replication${reps === 1 ? '' : 's'} of each replication's percentile, each within 1 % (log-bucket histogram); the CDF of all requests pooled crosses 95 % at ${seconds(crossing)}.`,
    );
  if (dist.fallback)
    head.append('p').attr('class', 'note').attr('id', 'latency-fallback').text(dist.fallback);
  const markers = ['p50', 'p95', 'p99'].map((k) => ({
    key: k,
    value: rt[k],
    label: `${k} ${seconds(rt[k])}`,
    legend: `${k} = ${seconds(rt[k])} ${ci(m.ci95[`responseTime.${k}`])}`.trim(),
    detail: `95 % CI over replications: ${ci(m.ci95[`responseTime.${k}`]) || 'n/a (one replication)'}`,
  }));
  const box = d3
    .select(el)
    .append('div')
    .attr('class', 'card chart-card')
    .attr('id', 'latency')
    .attr('data-source', dist.source)
    .attr('data-cdf-p95', String(crossing));
  distribution()
    .width(cardWidth(el, 1, 640))
    .height(Math.max(260, Math.min(420, window.innerHeight - 420)))(
    box.datum({ ...dist, markers, threshold }),
  );

  const stats = d3.select(el).append('div').attr('class', 'card');
  stats.append('h3').attr('class', 'chart-title').text('Response time and outcomes');
  const rows = [
    ['mean', seconds(rt.mean), ci(m.ci95['responseTime.mean'])],
    ['p50 (median)', seconds(rt.p50), ci(m.ci95['responseTime.p50'])],
    ['p95', seconds(rt.p95), ci(m.ci95['responseTime.p95'])],
    ['p99', seconds(rt.p99), ci(m.ci95['responseTime.p99'])],
    ['max', seconds(rt.max), ''],
    ['throughput', `${number(m.throughput)} req/s`, ci(m.ci95.throughput, (v) => number(v))],
    ['completed', number(m.completed, 0), ''],
    ['abandoned', `${number(m.abandoned, 0)} (${percent(m.abandonmentProbability, 2)})`, ''],
    ['rejected', `${number(m.rejected, 0)} (${percent(m.rejectionProbability, 2)})`, ''],
    [
      'over the threshold',
      `${percent(1 - quantileAt(dist.cdf, threshold.value), 2)} of ${dist.source === 'all' ? 'all measured' : 'traced'} requests took longer than ${seconds(threshold.value)}`,
      '',
    ],
  ];
  stats
    .append('table')
    .attr('class', 'data stats')
    .html(
      `<thead><tr><th></th><th>mean over replications</th><th>95 % CI</th></tr></thead><tbody>${rows.map(([k, v, c]) => `<tr><th>${esc(k)}</th><td class="num">${esc(v)}</td><td class="num">${esc(c)}</td></tr>`).join('')}</tbody>`,
    );
}

function quantileAt(cdf, x) {
  let p = 0;
  for (const pt of cdf) if (pt.x <= x) p = pt.p;
  return p;
}
