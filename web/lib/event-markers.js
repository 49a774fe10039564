// The events of a run with changing conditions (metrics.json's `dynamics.markers`: stops, restarts,
// instances launched, up, drained or gone, scaling, pool sizes, load steps, link changes) as the charts
// over time draw them: what each says, which ones share a rule at the chart's scale, where their labels
// fit; and the instances-up timeline as a step series. Pure: no DOM, no d3 (test/web/event-markers.test.ts).

/**
 * Per marker kind: its category (the rule's colour, style.css `.event-<category>`), its short label and
 * its rank for the label of a group of markers (lower first: a failure names the group before the
 * instances it starts).
 */
const KINDS = {
  stop: { category: 'failure', rank: 0, short: (m) => `stop${inst(m)}` },
  'link-cut': { category: 'failure', rank: 0, short: () => 'link cut' },
  autoscale: { category: 'scaling', rank: 1, short: (m) => `auto → ${m.value}` },
  scale: { category: 'scaling', rank: 1, short: (m) => `scale → ${m.value}` },
  restart: { category: 'recovery', rank: 2, short: (m) => `restart${inst(m)}` },
  'link-restore': { category: 'recovery', rank: 2, short: () => 'link restored' },
  load: { category: 'change', rank: 3, short: (m) => `load ×${m.value}` },
  link: { category: 'change', rank: 3, short: () => 'link changed' },
  pool: { category: 'change', rank: 3, short: (m) => `pool → ${m.value}` },
  start: { category: 'scaling', rank: 4, short: (m) => `launch${inst(m)}` },
  drain: { category: 'scaling', rank: 4, short: (m) => `drain${inst(m)}` },
  gone: { category: 'scaling', rank: 5, short: (m) => `gone${inst(m)}` },
  up: { category: 'recovery', rank: 5, short: (m) => `up${inst(m)}` },
};

/** The categories, in the order a legend lists them, with what they mean. */
export const EVENT_CATEGORIES = [
  { key: 'failure', label: 'failure (stop, link cut)' },
  { key: 'scaling', label: 'scaling (decision, launch, drain, gone)' },
  { key: 'recovery', label: 'back up (restart, up, link restored)' },
  { key: 'change', label: 'change (load, link, pool size)' },
];

const inst = (m) => (m.instance != null ? ` #${m.instance}` : '');
const num = (v) => (Number.isInteger(v) ? String(v) : String(+Number(v).toPrecision(4)));

/** What a marker says in a sentence, with the scenario's event of the same kind at that time when there is one. */
function what(m, event) {
  const who = `${m.service}${inst(m)}`;
  switch (m.kind) {
    case 'stop': {
      const r = typeof event?.recovery === 'number' ? `; back after ${num(event.recovery)} s` : '';
      return `${who} stopped (a failure: its requests in flight fail)${r}`;
    }
    case 'restart':
      return `${who} restarted`;
    case 'start':
      return `${who} launched (serves once started: cold start)`;
    case 'up':
      return `${who} up: serving`;
    case 'drain':
      return `${who} draining (takes no new request)`;
    case 'gone':
      return `${who} gone (drained)`;
    case 'scale':
      return `${m.service} scaled to ${m.value} instance${m.value === 1 ? '' : 's'}`;
    case 'autoscale':
      return `${m.service}: the autoscaler wants ${m.value} instance${m.value === 1 ? '' : 's'}`;
    case 'pool':
      return `${m.service}${event?.pool ? ` pool ${event.pool}` : ': a pool'} set to ${m.value} threads`;
    case 'load':
      return `${m.service} load ×${m.value}`;
    case 'link': {
      const parts = [
        event?.delayMs != null ? `delay ${num(event.delayMs)} ms` : '',
        event?.rateMbps != null ? `rate ${num(event.rateMbps)} Mbit/s` : '',
        event?.lossPercent != null ? `loss ${num(event.lossPercent)} %` : '',
      ].filter(Boolean);
      return `link ${arrow(m.service)} changed${parts.length ? ` (${parts.join(', ')})` : ''}`;
    }
    case 'link-cut':
      return `link ${arrow(m.service)} cut`;
    case 'link-restore':
      return `link ${arrow(m.service)} restored`;
    default:
      return `${who} ${m.kind}`;
  }
}

const arrow = (s) => String(s).replace('->', ' → ');

/**
 * The scenario's event a marker comes from: the same action on the same service or link, scheduled at
 * the marker's time (a live run applies it a little later: within `lateS`). Markers the run makes itself
 * (the autoscaler's, instances up or gone) have none.
 */
function eventOf(m, events, lateS) {
  const action = m.kind === 'link-cut' ? 'link' : m.kind;
  return events.find(
    (e) =>
      e.action === action &&
      (e.service ?? `${e.src}->${e.dst}`) === m.service &&
      m.t >= e.at - 1e-9 &&
      m.t - e.at <= lateS,
  );
}

/**
 * The markers as the charts show them: {t, kind, category, rank, short, what}, in time order.
 * @param markers metrics.json `dynamics.markers` ({t, kind, service, instance?, value?})
 * @param o.events the scenario's `events` (scenario.resolved.json), for the values a marker does not carry
 * @param o.lateS how late after its scheduled time an event may be applied (live runs)
 */
export function describeMarkers(markers, { events = [], lateS = 1 } = {}) {
  return markers
    .map((m, i) => {
      const k = KINDS[m.kind] ?? { category: 'change', rank: 6, short: () => m.kind };
      return {
        t: m.t,
        kind: m.kind,
        service: m.service,
        category: k.category,
        rank: k.rank,
        short: k.short(m),
        what: what(m, eventOf(m, events, lateS)),
        order: i,
      };
    })
    .sort((a, b) => a.t - b.t || a.order - b.order);
}

/**
 * Markers that fall on the same pixels at the chart's scale share one rule: groups of markers less than
 * `gapPx` apart (from the group's first), each {x, t, markers, lead, category, label}, `lead` the
 * marker that names it (the lowest rank: a failure before the scaling it causes). Markers outside
 * [0, width] (before or after the time shown) are left out.
 * @param described describeMarkers()'s list (in time order)
 * @param x time → pixel
 */
export function groupMarkers(described, x, { width, gapPx = 6 } = {}) {
  const groups = [];
  for (const m of described) {
    const px = x(m.t);
    if (!Number.isFinite(px) || px < -0.5 || px > width + 0.5) continue;
    const last = groups.at(-1);
    if (last && px - last.x < gapPx) last.markers.push(m);
    else groups.push({ x: px, t: m.t, markers: [m] });
  }
  for (const g of groups) {
    g.lead = g.markers.reduce((a, b) => (b.rank < a.rank ? b : a));
    g.category = g.lead.category;
    g.label = g.markers.length > 1 ? `${g.lead.short} +${g.markers.length - 1}` : g.lead.short;
  }
  return groups;
}

/**
 * Rows for the groups' labels above the plot: each label starts at its rule (or ends there near the right
 * edge) and takes the first of `rows` rows where it touches no label placed before it. The most telling
 * groups are placed first (a failure's label before the scaling around it), then from left to right; a
 * label that fits in no row is left out (row -1: its flag, its rule and the tooltip still say it). Labels
 * are measured as `charPx` per character (the charts' 10.5 px font).
 * @returns the groups (in their order), each with `row` and the label's `x0`, `x1`, `anchor` ('start' | 'end')
 */
export function placeLabels(groups, { width, rows = 2, charPx = 6, padPx = 6 } = {}) {
  const taken = Array.from({ length: rows }, () => []);
  const free = (row, x0, x1) => taken[row].every(([a, b]) => x1 + padPx <= a || x0 >= b + padPx);
  const order = [...groups].sort((a, b) => (a.lead?.rank ?? 0) - (b.lead?.rank ?? 0) || a.x - b.x);
  for (const g of order) {
    const w = g.label.length * charPx;
    const anchor = g.x + 3 + w > width ? 'end' : 'start';
    const x0 = anchor === 'start' ? g.x + 3 : g.x - 3 - w;
    const x1 = x0 + w;
    let row = -1;
    if (x0 >= 0) for (let r = 0; r < rows && row < 0; r++) if (free(r, x0, x1)) row = r;
    if (row >= 0) taken[row].push([x0, x1]);
    Object.assign(g, { row, x0, x1, anchor });
  }
  return groups;
}

/** The groups whose rule is within `tolPx` of pixel `px` (what the crosshair's tooltip adds). */
export function groupsNear(groups, px, tolPx = 5) {
  return groups.filter((g) => Math.abs(g.x - px) <= tolPx);
}

/**
 * A per-window series as points for a step line (d3.curveStep): one point at each window's middle (the
 * step changes half-way between them, at the windows' bounds, and the crosshair reads the window under
 * it), plus the first window's start and the last one's end with their windows' values. A missing value
 * (null) is NaN: a gap.
 * @param start the windows' starts (metrics.json timeline.start)
 * @param windowS their width
 * @param values one per window
 */
export function stepPoints(start, windowS, values) {
  const n = Math.min(start.length, values.length);
  if (n === 0) return [];
  const y = (v) => (v == null ? NaN : v);
  const pts = [{ x: start[0], y: y(values[0]) }];
  for (let i = 0; i < n; i++) pts.push({ x: start[i] + windowS / 2, y: y(values[i]) });
  pts.push({ x: start[n - 1] + windowS, y: y(values[n - 1]) });
  return pts;
}

/** How many markers of each category, for the charts' descriptions ("3 failure, 12 scaling"). */
export function countByCategory(described) {
  const counts = new Map();
  for (const m of described) counts.set(m.category, (counts.get(m.category) ?? 0) + 1);
  return EVENT_CATEGORIES.filter((c) => counts.has(c.key)).map((c) => `${counts.get(c.key)} ${c.key}`);
}

/** A time as "10800 s (3:00:00)": seconds, and from a minute on the clock reading too. */
export function markerTime(t) {
  const s = `${+t.toFixed(t < 100 ? 3 : 1)} s`;
  if (t < 60) return s;
  const r = Math.round(t);
  const h = Math.floor(r / 3600);
  const mm = String(Math.floor((r % 3600) / 60)).padStart(2, '0');
  const ss = String(r % 60).padStart(2, '0');
  return `${s} (${h}:${mm}:${ss})`;
}
