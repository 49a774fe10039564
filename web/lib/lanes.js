// Gantt rows for trace spans. Spans of hosts that run thread pools are grouped by host, one row per
// thread (lane) of each pool plus packed rows for the pool's queue; spans of hosts without pools (the
// clients, often hundreds of hosts) are grouped by service, in packed rows of requests and of network
// transfers. Packed rows: each span goes to the first row free at its start (interval partitioning).

const TRACK_ORDER = { requests: 0, network: 1 };

/**
 * @param spans trace spans ({request, kind, name, service, host, pool?, lane?, start, end})
 * @param poolOrder pool names in the order to show them (e.g. the app's), others after
 * @param knownLanes threads to give a row even without spans here: `${host}\u0000${pool}` → lane numbers
 *   (those of the whole trace, when the spans are a window of it: the rows stay the same from one window
 *   to the next); see lanesOf
 * @returns {{ groups: {key, label, rows: number[], service, pooled, hosts}[], rows: {group, track, label, lane?}[], rowOf: Int32Array }}
 */
export function layoutLanes(spans, poolOrder = [], knownLanes = null) {
  // Loops without per-span allocation where they can: a trace can hold a quarter of a million spans.
  const pooledHosts = new Set();
  for (const s of spans) if (s.pool !== undefined) pooledHosts.add(s.host);
  const hostsOfService = new Map();
  for (const s of spans) {
    if (!hostsOfService.has(s.service)) hostsOfService.set(s.service, new Set());
    hostsOfService.get(s.service).add(s.host);
  }
  const groupOf = (s) => (pooledHosts.has(s.host) ? s.host : s.service);
  const queueNames = new Map();
  const queueOf = (pool) => {
    if (!queueNames.has(pool)) queueNames.set(pool, `${pool} queue`);
    return queueNames.get(pool);
  };
  const trackOf = (s) => {
    if (s.kind === 'request') return 'requests';
    if (s.kind === 'wait') return queueOf(s.pool ?? s.name);
    if (s.pool !== undefined && s.lane !== undefined) return s.pool;
    if (s.kind === 'network') return 'network';
    return s.pool ?? s.name;
  };
  const poolRank = (track) => {
    const pool = track.replace(/ queue$/, '');
    const i = poolOrder.indexOf(pool);
    return (i < 0 ? poolOrder.length : i) * 2 + (track.endsWith(' queue') ? 0 : 1);
  };
  const trackRank = (track) => (track in TRACK_ORDER ? TRACK_ORDER[track] : 10 + poolRank(track));

  // Group → track → spans (by index).
  const groups = new Map();
  spans.forEach((s, i) => {
    const g = groupOf(s);
    if (!groups.has(g))
      groups.set(g, { key: g, pooled: pooledHosts.has(s.host), service: s.service, tracks: new Map() });
    const tracks = groups.get(g).tracks;
    const t = trackOf(s);
    if (!tracks.has(t)) tracks.set(t, []);
    tracks.get(t).push(i);
  });
  // Client groups first (requests start there), then hosts with pools, each in order of appearance.
  const ordered = [...groups.values()].sort((a, b) => Number(a.pooled) - Number(b.pooled));

  const rows = [];
  const outGroups = [];
  const rowOf = new Int32Array(spans.length);
  for (const g of ordered) {
    const n = hostsOfService.get(g.service)?.size ?? 1;
    const label = g.pooled ? g.key : `${g.key}${n > 1 ? ` (${n} hosts)` : ''}`;
    const groupRows = [];
    const tracks = [...g.tracks.entries()].sort(
      (a, b) => trackRank(a[0]) - trackRank(b[0]) || a[0].localeCompare(b[0]),
    );
    for (const [track, idx] of tracks) {
      const laned = idx.every(
        (i) => spans[i].lane !== undefined && spans[i].kind !== 'wait' && spans[i].kind !== 'request',
      );
      if (laned) {
        const seen = new Set(idx.map((i) => spans[i].lane));
        for (const lane of knownLanes?.get(`${g.key}\u0000${track}`) ?? []) seen.add(lane);
        const lanes = [...seen].sort((a, b) => a - b);
        const base = rows.length;
        for (const lane of lanes) {
          groupRows.push(rows.length);
          rows.push({ group: g.key, track, label: `#${lane}`, lane });
        }
        const rowOfLane = new Map(lanes.map((lane, k) => [lane, base + k]));
        for (const i of idx) rowOf[i] = rowOfLane.get(spans[i].lane);
      } else {
        const byStart = (a, b) => spans[a].start - spans[b].start || spans[a].end - spans[b].end;
        let inOrder = true;
        for (let j = 1; j < idx.length && inOrder; j++) inOrder = byStart(idx[j - 1], idx[j]) <= 0;
        const sorted = inOrder ? idx : [...idx].sort(byStart);
        const ends = [];
        const base = rows.length;
        for (const i of sorted) {
          const start = spans[i].start;
          let k = 0;
          while (k < ends.length && ends[k] > start) k++;
          if (k === ends.length) {
            ends.push(0);
            groupRows.push(rows.length);
            rows.push({ group: g.key, track, label: '' });
          }
          ends[k] = spans[i].end;
          rowOf[i] = base + k;
        }
      }
    }
    outGroups.push({ key: g.key, label, rows: groupRows, service: g.service, pooled: g.pooled, hosts: n });
  }
  return { groups: outGroups, rows, rowOf };
}

/** The threads of each host's pools that run spans in `spans` (for layoutLanes' knownLanes). */
export function lanesOf(spans) {
  const out = new Map();
  for (const s of spans) {
    if (s.lane === undefined || s.pool === undefined || s.kind === 'wait' || s.kind === 'request') continue;
    const key = `${s.host}\u0000${s.pool}`;
    if (!out.has(key)) out.set(key, new Set());
    out.get(key).add(s.lane);
  }
  return out;
}

/** Pool names in the order the scenario's apps declare them. */
export function poolOrderOf(scenario) {
  const out = [];
  for (const s of scenario?.services ?? [])
    for (const p of Object.keys(s.app?.pools ?? {})) if (!out.includes(p)) out.push(p);
  return out;
}
