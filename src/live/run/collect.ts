import { posix } from 'node:path';
import { combine, type ReplicationMetrics } from '../../model/index.js';
import type { SpanRecord } from '../../trace/index.js';
import type { EngineSnapshot } from '../app/engine.js';
import {
  liveReplicationMetrics,
  type EngineSeries,
  type LiveWindow,
  type ProcessCpu,
} from '../measure/metrics.js';
import { type AppliedMarker, liveDynamics } from '../measure/dynamics.js';
import { continueCounters } from '../measure/engine-counters.js';
import { liveSeries } from '../measure/series.js';
import { fallbackClassed } from '../plan/network.js';
import type { RunState } from './state.js';
import type { Collected, LiveOutcome, MeasuredTime } from './types.js';

/**
 * Ends every window where the run stopped, if it stopped early: the rates of an interrupted or failed
 * run are over the time it actually measured, never over the planned window.
 */
export function endWindows(s: RunState): void {
  if (s.stoppedAt === undefined || !s.t0) return;
  const stop = s.stoppedAt - s.t0;
  for (const w of s.windows) w.end = Math.max(w.start, Math.min(w.plannedEnd ?? w.end, stop));
}

/** How long the run measured, against its plan. */
export function measuredTime(s: RunState, status: LiveOutcome['status']): MeasuredTime {
  const { plan } = s;
  const measured = s.windows.filter((w) => w.end > w.warmupEnd);
  return {
    plannedS: plan.repeat * Math.max(0, plan.durationS - plan.warmupS),
    actualS: measured.reduce((a, w) => a + (w.end - w.warmupEnd), 0),
    stoppedAtS: status !== 'ok' && s.stoppedAt !== undefined && s.t0 > 0 ? s.stoppedAt - s.t0 : null,
    interrupted: status === 'interrupted',
    repetitionsPlanned: plan.repeat,
    repetitionsMeasured: measured.length,
  };
}

/**
 * The collect phase: stops the services (they flush spans and counters on SIGTERM), fetches their files
 * (logs, spans, engine statistics), puts the spans on the run's clock, and computes the metrics of
 * every window that measured something, combined over the repetitions as the simulator combines
 * replications.
 */
export async function collectResults(s: RunState): Promise<Collected> {
  const files = new Map<string, Record<string, string>>();
  for (const r of [...s.running].reverse()) {
    try {
      if (r.container) {
        const logs = await r.engine!.logs(r.container).catch(() => ({ stdout: '', stderr: '' }));
        files.set(r.proc.id, { 'out.log': logs.stdout, 'err.log': logs.stderr });
        await r.engine!.remove(r.container);
      } else await r.host.stop(r.pid!, 5000);
    } catch {
      /* gone already */
    }
  }
  const spans: SpanRecord[] = [];
  const engines: EngineSeries[] = [];
  const t0 = s.t0;
  for (const p of s.plan.processes) {
    const host = s.hosts.get(p.host);
    if (!host || p.image) continue;
    const got: Record<string, string> = {};
    for (const f of ['out.log', 'err.log', 'spans.jsonl', 'stats.jsonl']) {
      try {
        got[f] = (await host.readFile(posix.join(host.workDir, p.dir, f))).toString();
      } catch {
        /* not written */
      }
    }
    files.set(p.id, got);
    if (!t0) continue;
    for (const line of (got['spans.jsonl'] ?? '').split('\n')) {
      if (!line.trim()) continue;
      try {
        const sp = JSON.parse(line) as SpanRecord;
        spans.push({ ...sp, start: sp.start - t0, end: sp.end - t0 });
      } catch {
        /* a line cut by a kill */
      }
    }
    if (got['stats.jsonl']) {
      const snaps = got['stats.jsonl']
        .split('\n')
        .filter((l) => l.trim())
        .flatMap((l) => {
          try {
            const sn = JSON.parse(l) as EngineSnapshot;
            return [{ ...sn, t: sn.t - t0 }];
          } catch {
            return [];
          }
        });
      // A timed restart (or a scale that starts it again) starts the engine's counters from zero again:
      // carried on across it.
      const restarts = s.plan.events
        .filter(
          (e) =>
            (e.action === 'restart' && e.process === p.id) ||
            (e.action === 'scale' && e.start.includes(p.id)),
        )
        .flatMap((e) =>
          s.appliedEvents.filter((a) => a.index === e.index && !a.note).map((a) => a.scheduledS),
        )
        // An autoscaler's scale out that started it.
        .concat(
          s.appliedEvents
            .filter((a) => a.action === 'autoscale' && a.started?.includes(p.id))
            .map((a) => a.scheduledS),
        );
      engines.push({
        service: p.service,
        instance: p.instances[0]!,
        snapshots: continueCounters(snaps, restarts),
      });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const requests = spans.filter((sp) => sp.kind === 'request');
  // A window the run stopped in before its warm-up ended measured nothing: it gives no repetition.
  const measured = s.windows.filter((w) => w.end > w.warmupEnd);
  const reps: ReplicationMetrics[] = measured.map((w) => {
    const cpu: ProcessCpu = {};
    for (const p of s.plan.processes) {
      const c = s.sampler?.cpuBetween(p.id, w.warmupEnd, w.end);
      if (c === undefined) continue;
      const e = (cpu[p.service] ??= { cpuSeconds: 0, instances: 0 });
      e.cpuSeconds += c;
      e.instances += p.instances.length;
    }
    const m = liveReplicationMetrics(s.input.scenario, w, requests, engines, cpu);
    m.links = linkMetrics(s, w);
    // As the simulator: a scenario with timed events gets the dynamics part (markers, failures per window).
    if (s.plan.events.length > 0 || s.plan.autoscalers.length > 0)
      m.dynamics = liveDynamics(s.input.scenario, w, m.timeline, requests, appliedMarkers(s, w));
    return m;
  });
  const result =
    reps.length > 0 && s.workloadStarted ? combine(s.input.scenario, s.plan.seed, reps) : undefined;
  return {
    result,
    ...(result ? { series: liveSeries(measured, requests) } : {}),
    spans,
    files,
    engines,
    counts: { requests: new Set(requests.map((r) => r.request)).size, spans: spans.length },
    samples: s.sampler?.samples ?? new Map(),
  };
}

/** The events applied during window `w` (its repetition), as the simulator's markers. */
function appliedMarkers(s: RunState, w: LiveWindow): AppliedMarker[] {
  const end = w.plannedEnd ?? w.end;
  return s.appliedEvents
    .filter((a) => a.appliedS >= w.start && a.appliedS < end)
    .flatMap((a): AppliedMarker[] => {
      // An autoscaler's action: the simulator's `autoscale` marker, at the time it was in place.
      if (a.action === 'autoscale')
        return [{ t: a.appliedS, kind: 'autoscale', service: a.service!, value: a.instances! }];
      const ev = s.plan.events.find((e) => e.index === a.index);
      if (!ev) return [];
      return [
        ev.action === 'load'
          ? { t: a.appliedS, kind: ev.action, service: ev.service, value: ev.factor }
          : ev.action === 'scale'
            ? { t: a.appliedS, kind: ev.action, service: ev.service, value: ev.instances }
            : ev.action === 'pool'
              ? { t: a.appliedS, kind: ev.action, service: ev.service, value: ev.size }
              : 'link' in ev
                ? { t: a.appliedS, kind: ev.conditions.cut ? 'link-cut' : ev.action, service: ev.link }
                : { t: a.appliedS, kind: ev.action, service: ev.service, instance: ev.instance },
      ];
    });
}

/**
 * Bytes and utilization of the shaped links in a window, from the htb class counters of each source
 * host (frames on the wire, headers included), keyed like the simulator's links (`src->dst`).
 */
function linkMetrics(s: RunState, w: LiveWindow): ReplicationMetrics['links'] {
  const out: ReplicationMetrics['links'] = {};
  if (s.emulation.mode === 'none' || !s.sampler) return out;
  const net = s.plan.network;
  const T = w.end - w.warmupEnd;
  const bySource = new Map<string, typeof net.rules>();
  for (const r of net.rules) bySource.set(r.src, [...(bySource.get(r.src) ?? []), r]);
  for (const [src, rules] of bySource) {
    // Class 1:(i+1) is the i-th rule of the host that got a class (every rule with netem; shaped ones in the fallback).
    const classed = s.emulation.mode === 'netem' ? rules : rules.filter(fallbackClassed);
    classed.forEach((r, i) => {
      const bytes = s.sampler!.bytesBetween(src, `1:${i + 1}`, w.warmupEnd, w.end);
      if (bytes === undefined) return;
      const c = s.input.scenario.network[r.constraint]!;
      const l = (out[`${c.src}->${c.dst}`] ??= { links: 0, utilization: 0, meanActive: NaN, bytes: 0 });
      l.links++;
      l.bytes += bytes;
      l.utilization += Number.isFinite(r.rateMbps) && T > 0 ? (bytes * 8) / T / (r.rateMbps * 1e6) : NaN;
    });
  }
  for (const l of Object.values(out)) l.utilization /= l.links;
  return out;
}
