import d3 from '../vendor-d3.js';
import { bars } from '../charts/bars.js';
import { lineChart } from '../charts/line-chart.js';
import { esc } from '../format.js';
import { cardWidth } from '../lib/layout.js';

const pct = d3.format('.0%');
const pct1 = d3.format('.1%');
const num = d3.format(',.3~f');

/**
 * Queues and utilization over time: per pool (busy threads, waiting requests), per service (CPU, GPU),
 * requests in the system — from the run's series.json (runs started from this page) — plus throughput,
 * mean response time and abandonments per window and GPU memory, from its metrics.
 */
export function renderUtilization(el, { run }) {
  el.innerHTML = '';
  const head = d3.select(el).append('div').attr('class', 'view-head');
  head.append('h2').text('Queues and utilization over time');
  if (!run) {
    head.append('p').attr('class', 'muted').text('Open a run to see its queues and utilization.');
    return;
  }
  const { metrics: m, series: s } = run;
  if (!m) {
    head
      .append('p')
      .attr('class', 'muted')
      .text(
        `Run ${run.id} has no metrics.json (a ${run.summary.kind} run that stopped before measuring?): nothing to draw here; its timeline may still show its spans.`,
      );
    return;
  }
  head
    .append('p')
    .attr('class', 'muted')
    .text(
      s
        ? `Time-weighted means per window of ${num(s.t1[0] - s.t0[0])} s over the measured period, averaged over each service's hosts and over ${s.replications} replication${s.replications === 1 ? '' : 's'}.`
        : "This run folder has no series.json (it was not started from this page, e.g. e2ctwin simulate --out): pools and resources show their means over the measured period; throughput and response time come from the metrics' windows.",
    );
  const grid = d3.select(el).append('div').attr('class', 'chart-grid');
  const colW = cardWidth(el, 2);
  const card = (id) => grid.append('div').attr('class', 'card chart-card').attr('id', id);
  const xLabel = 'simulated time (s)';

  if (s) {
    const mid = s.t0.map((t, i) => (t + s.t1[i]) / 2);
    const pts = (arr, f = (v) => v) => arr.map((v, i) => ({ x: mid[i], y: f(v) }));
    lineChart()
      .width(colW)
      .height(220)
      .title('Thread pools: busy threads / pool size')
      .xLabel(xLabel)
      .yLabel('utilization (%)')
      .yFormat(pct)
      .yDomain([0, 1])(
      card('chart-pool-utilization').datum({
        series: Object.entries(s.pools).map(([k, p]) => ({
          key: k,
          label: `${k} (${p.size} threads)`,
          points: pts(p.busy, (v) => v / p.size),
        })),
      }),
    );
    lineChart()
      .width(colW)
      .height(220)
      .title('Thread pools: requests waiting for a thread')
      .xLabel(xLabel)
      .yLabel('mean queue length (requests)')
      .yFormat(d3.format('~g'))(
      card('chart-pool-queue').datum({
        series: Object.entries(s.pools).map(([k, p]) => ({ key: k, label: k, points: pts(p.queue) })),
      }),
    );
    const res = [
      ...Object.entries(s.cpu).map(([k, v]) => ({
        key: `${k} CPU`,
        label: `${k} CPU (all cores)`,
        points: pts(v),
      })),
      ...Object.entries(s.gpu).map(([k, v]) => ({
        key: `${k} GPU`,
        label: `${k} GPU busy`,
        points: pts(v),
        dash: true,
      })),
    ];
    lineChart()
      .width(colW)
      .height(220)
      .title('Resources: CPU and GPU utilization')
      .xLabel(xLabel)
      .yLabel('utilization (%)')
      .yFormat(pct)
      .yDomain([0, 1])(
      card('chart-resources').datum({ series: res, empty: 'No CPU or GPU stages in this scenario.' }),
    );
    lineChart()
      .width(colW)
      .height(220)
      .title('Requests in the system')
      .xLabel(xLabel)
      .yLabel('requests (time-weighted mean)')
      .yFormat(d3.format('~g'))(
      card('chart-in-system').datum({
        series: [{ key: 'in system', label: 'requests sent and not yet answered', points: pts(s.inSystem) }],
      }),
    );
  } else {
    const pools = Object.entries(m.pools);
    bars()
      .width(colW)
      .title('Thread pools: mean utilization over the measured period')
      .xLabel('busy threads / pool size (%)')
      .xMax(1)
      .format(pct1)(
      card('chart-pool-utilization').datum({
        categories: pools.map(([k, p]) => `${k} (${p.size})`),
        series: [{ key: 'u', label: 'utilization', values: pools.map(([, p]) => p.utilization) }],
      }),
    );
    bars()
      .width(colW)
      .title('Thread pools: mean queue length')
      .xLabel('requests waiting for a thread')
      .format(d3.format('~g'))(
      card('chart-pool-queue').datum({
        categories: pools.map(([k]) => k),
        series: [{ key: 'q', label: 'mean queue', values: pools.map(([, p]) => p.meanQueue) }],
      }),
    );
  }

  const tl = m.timeline;
  if (tl?.start.length) {
    const mid = tl.start.map((t) => t + tl.windowS / 2);
    const pts = (arr) => arr.map((v, i) => ({ x: mid[i], y: v }));
    lineChart()
      .width(colW)
      .height(220)
      .title(`Throughput (windows of ${num(tl.windowS)} s)`)
      .xLabel(xLabel)
      .yLabel('completed requests / s')
      .yFormat(d3.format('~g'))
      .xDomain([tl.start[0], tl.start.at(-1) + tl.windowS])(
      card('chart-throughput').datum({
        series: [{ key: 'throughput', label: 'throughput', points: pts(tl.throughput) }],
        refs: [{ y: m.throughput, label: `mean ${num(m.throughput)} req/s` }],
      }),
    );
    const rtSeries = [{ key: 'rt', label: 'mean response time', points: pts(tl.responseTimeMean) }];
    lineChart()
      .width(colW)
      .height(220)
      .title('Mean response time per window')
      .xLabel(xLabel)
      .yLabel('response time (s)')
      .yFormat(d3.format('~g'))
      .xDomain([tl.start[0], tl.start.at(-1) + tl.windowS])(
      card('chart-response-time').datum({
        series: rtSeries,
        refs: [{ y: m.responseTime.mean, label: `overall mean ${num(m.responseTime.mean)} s` }],
      }),
    );
    if (tl.abandoned.some((v) => v > 0)) {
      lineChart()
        .width(colW)
        .height(220)
        .title('Abandoned requests per window')
        .xLabel(xLabel)
        .yLabel('requests abandoned')
        .yFormat(d3.format('~g'))(
        card('chart-abandoned').datum({
          series: [{ key: 'abandoned', label: 'abandoned', points: pts(tl.abandoned), color: '#f97316' }],
        }),
      );
    }
  }

  // GPU memory: the model reserves it when the service starts (base + one share per thread of the pool).
  const gpuServices = Object.entries(m.services).filter(([, v]) => v.gpuMemoryGiB > 0);
  if (gpuServices.length) {
    const t0 = tl?.start?.[0] ?? 0;
    const t1 = tl?.start?.length ? tl.start.at(-1) + tl.windowS : t0 + m.measuredSeconds;
    const capacity = (id) => run.scenario?.services?.find((x) => x.id === id)?.host?.gpu;
    const c = card('chart-gpu-memory');
    lineChart()
      .width(colW)
      .height(180)
      .title('GPU memory reserved per GPU')
      .xLabel(xLabel)
      .yLabel('GiB')
      .yFormat(d3.format('~g'))(
      c.datum({
        series: gpuServices.map(([id, v]) => ({
          key: id,
          label: `${id} reserved`,
          points: [
            { x: t0, y: v.gpuMemoryGiB },
            { x: t1, y: v.gpuMemoryGiB },
          ],
        })),
        refs: gpuServices.flatMap(([id]) =>
          capacity(id)
            ? [
                {
                  y: capacity(id).memoryGiB,
                  label: `${capacity(id).type} capacity ${capacity(id).memoryGiB} GiB`,
                  color: '#dc2626',
                },
              ]
            : [],
        ),
      }),
    );
    c.append('p')
      .attr('class', 'note')
      .html(
        `Constant over time in the model: reserved at start-up (base + one share per thread of the GPU pool). Peak ${esc(num(m.gpuMemoryPeakGiB))} GiB; ${m.feasible ? 'fits the GPU' : `<strong>infeasible</strong>: ${esc(m.infeasible.join('; '))}`}.`,
      );
  }
}
