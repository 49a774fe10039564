import d3 from '../vendor-d3.js';
import { bars } from '../charts/bars.js';
import { chartSync } from '../charts/chart-sync.js';
import { lineChart } from '../charts/line-chart.js';
import { esc } from '../format.js';
import { describeMarkers } from '../lib/event-markers.js';
import { cardWidth } from '../lib/layout.js';
import { dynamicsPanels } from './dynamics-panels.js';

const pct = d3.format('.0%');
const pct1 = d3.format('.1%');
const num = d3.format(',.3~f');

/**
 * Queues and utilization over time: per pool (busy threads, waiting requests), per service (CPU, GPU),
 * requests in the system — from the run's series.json (runs started from this page) — plus throughput,
 * mean response time and abandonments per window and GPU memory, from its metrics. A run whose conditions
 * change (metrics.json `dynamics`: timed events, balancing, autoscaling) has its events marked on every
 * panel over time, and its instances up and failed requests per window (views/dynamics-panels.js).
 */
export function renderUtilization(
  el,
  { run, range = null, onRange = () => {}, onBadRange = () => {}, host = null, onHost = () => {} },
) {
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
        ? `Time-weighted means per window of ${num(s.t1[0] - s.t0[0])} s over the measured period, averaged over each service's hosts (per host below, for services of 2 to 16) and over ${s.replications} ${run.summary.kind === 'live' ? 'repetition' : 'replication'}${s.replications === 1 ? '' : 's'}${s.responseTimeP95 ? `; the p95 per window is each ${run.summary.kind === 'live' ? 'repetition' : 'replication'}’s, averaged` : ''}.`
        : "This run folder has no series.json (it was not started from this page, e.g. e2ctwin simulate --out): pools and resources show their means over the measured period; throughput and response time come from the metrics' windows.",
    );
  const grid = d3.select(el).append('div').attr('class', 'chart-grid');
  const colW = cardWidth(el, 2);
  const card = (id) => grid.append('div').attr('class', 'card chart-card').attr('id', id);
  const live = run.summary.kind === 'live';
  const xLabel = live ? 'time (s, wall clock)' : 'simulated time (s)';
  // Every panel over time shares one crosshair and one time range (drag across a panel to zoom them all),
  // over the whole run: the warm-up (not measured) shaded, then the measured windows.
  const sync = chartSync();
  // The range brushed goes to the address (`?from=&to=`, null: the whole run).
  sync.on('range', 'address', (r) => onRange(r));
  const tl = m.timeline;
  const warmup = live ? 0 : (run.scenario?.run?.warmup ?? 0);
  const end = Math.max(s?.t1?.at(-1) ?? 0, tl?.start?.length ? tl.start.at(-1) + tl.windowS : 0);
  const domain = warmup > 0 && end > warmup ? [0, end] : null;
  const bands = domain ? [{ x0: 0, x1: warmup, label: `warm-up (${num(warmup)} s, not measured)` }] : [];
  // The run's events (stops, scaling, load and link changes) on the clock of the panels: the simulated
  // clock, or a live repetition's (0 at its workload start), where the scenario's times are too.
  const dyn = m.dynamics;
  const events = dyn
    ? describeMarkers(dyn.markers ?? [], { events: run.scenario?.events ?? [], lateS: live ? 5 : 1e-9 })
    : [];
  /** A line chart of this dashboard: synced, over the whole run, the warm-up and the events marked. */
  const timeChart = () => {
    const c = lineChart().width(colW).height(220).xLabel(xLabel).sync(sync).events(events);
    return domain ? c.xDomain(domain) : c;
  };
  if (domain || s || tl?.start.length)
    head
      .append('p')
      .attr('class', 'muted small')
      .attr('id', 'utilization-sync-hint')
      .text(
        `Hover a panel to read the same instant on all; drag across one to show that time range on all, double-click to see the whole run again.${events.length ? ` Vertical rules mark the run’s ${events.length} event${events.length === 1 ? '' : 's'} (stops, scaling, load and link changes): hover a flag above a panel for what happened when; the list is under the panels.` : ''}`,
      );

  if (s) {
    const mid = s.t0.map((t, i) => (t + s.t1[i]) / 2);
    const pts = (arr, f = (v) => v) => arr.map((v, i) => ({ x: mid[i], y: f(v) }));
    timeChart()
      .title('Thread pools: busy threads / pool size')
      .yLabel('utilization (%)')
      .yFormat(pct)
      .yDomain([0, 1])(
      card('chart-pool-utilization').datum({
        series: Object.entries(s.pools).map(([k, p]) => ({
          key: k,
          label: `${k} (${p.size} threads)`,
          points: pts(p.busy, (v) => v / p.size),
        })),
        bands,
      }),
    );
    timeChart()
      .title('Thread pools: requests waiting for a thread')
      .yLabel('mean queue length (requests)')
      .yFormat(d3.format('~g'))(
      card('chart-pool-queue').datum({
        series: Object.entries(s.pools).map(([k, p]) => ({ key: k, label: k, points: pts(p.queue) })),
        bands,
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
    timeChart()
      .title('Resources: CPU and GPU utilization')
      .yLabel('utilization (%)')
      .yFormat(pct)
      .yDomain([0, 1])(
      card('chart-resources').datum({ series: res, bands, empty: 'No CPU or GPU stages in this scenario.' }),
    );
    timeChart()
      .title('Requests in the system')
      .yLabel('requests (time-weighted mean)')
      .yFormat(d3.format('~g'))(
      card('chart-in-system').datum({
        series: [{ key: 'in system', label: 'requests sent and not yet answered', points: pts(s.inSystem) }],
        bands,
      }),
    );
    hostBreakdown(grid, { s, pts, timeChart, bands, host, onHost, onBadHost: onBadRange });
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

  if (tl?.start.length) {
    const mid = tl.start.map((t) => t + tl.windowS / 2);
    const pts = (arr) => arr.map((v, i) => ({ x: mid[i], y: v }));
    const whole = domain ?? [tl.start[0], tl.start.at(-1) + tl.windowS];
    timeChart()
      .title(`Throughput (windows of ${num(tl.windowS)} s)`)
      .yLabel('completed requests / s')
      .yFormat(d3.format('~g'))
      .xDomain(whole)(
      card('chart-throughput').datum({
        series: [{ key: 'throughput', label: 'throughput', points: pts(tl.throughput) }],
        refs: [{ y: m.throughput, label: `mean ${num(m.throughput)} req/s` }],
        bands,
      }),
    );
    // The p95 per window (series.json of a simulation: its windows are the progress chunks) next to the
    // mean per window of the metrics.
    const p95 = s?.responseTimeP95;
    const rtSeries = [
      { key: 'rt', label: 'mean response time', points: pts(tl.responseTimeMean) },
      ...(p95?.length
        ? [
            {
              key: 'p95',
              label: 'p95 response time',
              color: '#dc2626',
              points: p95.map((v, i) => ({ x: (s.t0[i] + s.t1[i]) / 2, y: v ?? NaN })),
            },
          ]
        : []),
    ];
    timeChart()
      .title(p95?.length ? 'Response time per window: mean and p95' : 'Mean response time per window')
      .yLabel('response time (s)')
      .yFormat(d3.format('~g'))
      .xDomain(whole)(
      card('chart-response-time').datum({
        series: rtSeries,
        refs: [
          { y: m.responseTime.mean, label: `overall mean ${num(m.responseTime.mean)} s` },
          ...(p95?.length
            ? [{ y: m.responseTime.p95, label: `overall p95 ${num(m.responseTime.p95)} s`, color: '#dc2626' }]
            : []),
        ],
        bands,
      }),
    );
    if (tl.abandoned.some((v) => v > 0)) {
      timeChart()
        .title('Abandoned requests per window')
        .yLabel('requests abandoned')
        .yFormat(d3.format('~g'))(
        card('chart-abandoned').datum({
          series: [{ key: 'abandoned', label: 'abandoned', points: pts(tl.abandoned), color: '#f97316' }],
          bands,
        }),
      );
    }
    if (dyn)
      dynamicsPanels({
        timeChart: () => timeChart().xDomain(whole),
        card,
        dynamics: dyn,
        timeline: tl,
        events,
        scenario: run.scenario,
        bands,
        reps: m.replications ?? 1,
        live,
        perRep: m.perReplication,
      });
  }

  // GPU memory: the model reserves it when the service starts (base + one share per thread of the pool).
  const gpuServices = Object.entries(m.services).filter(([, v]) => v.gpuMemoryGiB > 0);
  if (gpuServices.length) {
    const t0 = tl?.start?.[0] ?? 0;
    const t1 = tl?.start?.length ? tl.start.at(-1) + tl.windowS : t0 + m.measuredSeconds;
    const capacity = (id) => run.scenario?.services?.find((x) => x.id === id)?.host?.gpu;
    const c = card('chart-gpu-memory');
    timeChart().height(180).title('GPU memory reserved per GPU').yLabel('GiB').yFormat(d3.format('~g'))(
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
        bands,
      }),
    );
    c.append('p')
      .attr('class', 'note')
      .html(
        `Constant over time in the model: reserved at start-up (base + one share per thread of the GPU pool). Peak ${esc(num(m.gpuMemoryPeakGiB))} GiB; ${m.feasible ? 'fits the GPU' : `<strong>infeasible</strong>: ${esc(m.infeasible.join('; '))}`}.`,
      );
  }
  if (range) restoreRange(range);

  /** The time range of the address (strings `from`, `to`) brushed on every panel, or said not to fit. */
  function restoreRange({ from, to }) {
    const [a, b] = [Number(from), Number(to)];
    const eps = 1e-6 * Math.max(1, end);
    if (from == null || to == null || !Number.isFinite(a) || !Number.isFinite(b) || !(a < b))
      onBadRange(
        `Cannot show this address exactly: the time range from=${from ?? ''}&to=${to ?? ''} is not one (two numbers, from < to).`,
      );
    else if (a < -eps || b > end + eps)
      onBadRange(
        `Cannot show this address exactly: the time range ${a} s to ${b} s is outside this run (0 s to ${end} s).`,
      );
    else return void sync.range([a, b]);
    onRange(null);
  }
}

/**
 * Per host: one line per host instance of a service (series.json's `hosts`, services of 2 to 16 hosts),
 * its CPU utilization or a pool's busy threads per thread, to see hosts the load balancer loads unevenly.
 * `host` is the option to show first (the address's `?host=`: `<service>|cpu` or `<service>|pool|<pool>`);
 * `onHost` is told the option the user picks, `onBadHost` a message for a `host` this run does not have.
 */
function hostBreakdown(grid, { s, pts, timeChart, bands, host, onHost, onBadHost }) {
  const services = Object.entries(s.hosts ?? {});
  if (!services.length) {
    if (host) {
      onBadHost(`Cannot show the per-host chart "${host}" from the address: this run has no chart per host.`);
      onHost(null);
    }
    return;
  }
  const c = grid.append('div').attr('class', 'card chart-card').attr('id', 'chart-per-host');
  const bar = c.append('div').attr('class', 'toolbar');
  bar.append('label').attr('for', 'per-host-metric').text('Per host ');
  const options = services.flatMap(([id, h]) => [
    ...(h.cpu.length ? [{ value: `${id}|cpu`, label: `${id}: CPU utilization` }] : []),
    ...Object.keys(h.busy).map((p) => ({ value: `${id}|pool|${p}`, label: `${id}: pool ${p} busy threads` })),
  ]);
  const sel = bar.append('select').attr('id', 'per-host-metric');
  sel
    .selectAll('option')
    .data(options)
    .join('option')
    .attr('value', (o) => o.value)
    .text((o) => o.label);
  if (host && options.some((o) => o.value === host)) sel.property('value', host);
  else if (host) {
    onBadHost(
      `Cannot show the per-host chart "${host}" from the address: this run has no such service and metric per host.`,
    );
    onHost(null); // the address says what is shown: the first
  }
  const box = c.append('div');
  const draw = () => {
    const [id, what, pool] = sel.property('value').split('|');
    const h = s.hosts[id];
    const size = pool ? (s.pools[pool]?.size ?? s.pools[`${id}.${pool}`]?.size) : null;
    const perHost = what === 'cpu' ? h.cpu : h.busy[pool];
    const scale = (v) => (size ? v / size : v);
    timeChart()
      .title(
        `Per host: ${id} ${what === 'cpu' ? 'CPU utilization' : `pool ${pool}, busy threads / pool size`}`,
      )
      .yLabel('utilization (%)')
      .yFormat(pct)
      .yDomain([0, 1])(
      box.datum({
        series: perHost.map((v, i) => ({ key: `host ${i}`, label: `${id} #${i}`, points: pts(v, scale) })),
        bands,
      }),
    );
    c.attr('data-hosts', perHost.length).attr('data-shown', sel.property('value'));
  };
  sel.on('change', () => {
    draw();
    onHost(sel.property('value'));
  });
  draw();
}
