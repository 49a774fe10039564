import type { DynamicsMetrics, InstanceMarker, ReplicationMetrics } from '../../model/index.js';
import type { ResolvedScenario } from '../../scenario/index.js';
import type { SpanRecord } from '../../trace/index.js';
import type { LiveWindow } from './metrics.js';

/** A timed event as applied in a live repetition: when (the run's clock) and what, in the simulator's marker terms. */
export interface AppliedMarker {
  t: number;
  kind: 'stop' | 'restart' | 'link' | 'link-cut' | 'link-restore' | 'load' | 'scale' | 'pool' | 'autoscale';
  /** The service, or for link events the constraint (`src->dst`). */
  service: string;
  instance?: number;
  /** A load step's factor, a scale's instance count, a pool's new size, an autoscaler's count (as the simulator's markers). */
  value?: number;
}

/**
 * The `dynamics` part of a live repetition's metrics, with the simulator's keys (metrics-over-time of
 * `e2ctwin simulate --json`): instances up per window of the timeline for each service an event stops
 * or restarts (from the applied times), failed requests per window (by the time they failed), and the
 * markers — the events as applied, on the repetition's clock (0 at its workload start) like the
 * timeline's `start` (`applied` comes on the run's clock, as `win`). Retries: the attempts sent again
 * that the request spans record, for the requests sent in the measured window (as the simulator counts).
 */
export function liveDynamics(
  scenario: ResolvedScenario,
  win: LiveWindow,
  timeline: ReplicationMetrics['timeline'],
  requests: readonly SpanRecord[],
  applied: readonly AppliedMarker[],
): DynamicsMetrics {
  const w0 = win.warmupEnd;
  const w1 = win.end;
  const n = timeline.start.length;
  const { windowS } = timeline;
  const failed = new Array<number>(n).fill(0);
  let retries = 0;
  for (const r of requests)
    if (r.kind === 'request' && r.retries !== undefined && r.start >= w0 && r.start < w1)
      retries += r.retries;
  for (const r of requests)
    if (r.kind === 'request' && r.status === 'failed' && r.end >= w0 && r.end < w1)
      failed[Math.min(n - 1, Math.max(0, Math.floor((r.end - w0) / windowS)))]!++;
  const instances: DynamicsMetrics['instances'] = {};
  const series: Record<string, number[]> = {};
  // As the simulator: an autoscaled service has its instances over time whether or not it acted.
  const changed = [
    ...new Set([
      ...scenario.services.filter((x) => x.autoscale).map((x) => x.id),
      ...applied
        .filter(
          (m) => m.kind === 'stop' || m.kind === 'restart' || m.kind === 'scale' || m.kind === 'autoscale',
        )
        .map((m) => m.service),
    ]),
  ];
  for (const id of changed) {
    const quantity = scenario.services.find((s) => s.id === id)?.quantity ?? 1;
    // Instances up as a step function of time: each stop takes one down, each restart brings it back, a
    // scale or an autoscaler's action sets how many there are (the lowest indexes).
    const steps: { t: number; up: number }[] = [];
    const down = new Set<number>();
    let count = quantity;
    for (const m of applied.filter((x) => x.service === id).sort((a, b) => a.t - b.t)) {
      if (m.kind === 'stop') down.add(m.instance ?? 0);
      else if (m.kind === 'restart') down.delete(m.instance ?? 0);
      else if (m.kind === 'scale' || m.kind === 'autoscale') count = m.value ?? count;
      else continue;
      steps.push({ t: m.t, up: count - [...down].filter((i) => i < count).length });
    }
    const mean = (a: number, b: number) => {
      if (b <= a) return quantity;
      let area = 0;
      let level = quantity;
      let t = a;
      for (const st of steps) {
        if (st.t >= b) break;
        if (st.t > t) {
          area += level * (st.t - t);
          t = st.t;
        }
        level = st.up;
      }
      area += level * (b - t);
      return area / (b - a);
    };
    series[id] = Array.from({ length: n }, (_, i) =>
      mean(w0 + i * windowS, Math.min(w1, w0 + (i + 1) * windowS)),
    );
    const inside = steps.filter((st) => st.t > w0 && st.t < w1).map((st) => st.up);
    const before = steps.filter((st) => st.t <= w0).pop()?.up ?? quantity;
    const m = mean(w0, w1);
    instances[id] = { mean: m, max: Math.max(before, ...inside), provisioned: m };
  }
  const markers: InstanceMarker[] = applied.map((m) => ({
    t: m.t - win.start,
    kind: m.kind,
    service: m.service,
    ...(m.instance !== undefined ? { instance: m.instance } : {}),
    ...(m.value !== undefined ? { value: m.value } : {}),
  }));
  return { instances, retries, timeline: { instances: series, failed }, markers, markersDropped: 0 };
}
