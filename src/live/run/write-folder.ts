import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeLiveRun, type LiveRunJson } from '../../run-folder/index.js';
import type { HostSample } from './host-sampler.js';
import { measuredTime } from './collect.js';
import { freshTemp, replaceRunFolder } from './run-folder.js';
import type { RunState } from './state.js';
import type { Collected, LiveOutcome } from './types.js';

/**
 * Writes the run folder into its journaled temporary sibling (the format is run-folder/'s: run.json by
 * its schema, then the other files), then puts it in place of `--out` whole.
 */
export function writeRunFolder(
  s: RunState,
  c: Collected | undefined,
  status: LiveOutcome['status'],
  failure: string | undefined,
): string {
  const dir = s.outTemp!;
  freshTemp(dir);
  const { scenario, plan, testbed } = s.input;
  const run: LiveRunJson = {
    kind: 'live',
    status,
    ...(failure ? { failure } : {}),
    interrupted: status === 'interrupted',
    measured: { ...measuredTime(s, status) },
    scenario: scenario.name,
    scenarioFile: scenario.source.file,
    overrides: [...s.input.overrides],
    testbedFile: testbed.file,
    provider: plan.provider,
    runId: plan.runId,
    seed: plan.seed,
    durationS: plan.durationS,
    warmupS: plan.warmupS,
    repeat: plan.repeat,
    startedAt: s.t0 ? new Date(s.t0 * 1000).toISOString() : null,
    finishedAt: new Date().toISOString(),
    emulation: {
      mode: s.emulation.mode,
      delay: s.emulation.delay,
      netemSupported: s.emulation.netemSupported,
      description: s.emulation.description,
    },
    windows: s.windows.map((w) => ({ ...w })),
    drivers: s.drivers.map((d) => ({ id: d.proc.id, summary: d.summary })),
    ...(plan.events.length > 0 || plan.autoscalers.length > 0
      ? { events: s.appliedEvents.map((e) => ({ ...e })) }
      : {}),
    versions: s.input.versions,
    warnings: [
      ...plan.warnings,
      ...s.emulation.warnings,
      ...s.missingFiles.map((f) => `finalize file not fetched: ${f}`),
    ],
  };
  writeLiveRun(dir, run, {
    plan,
    scenario,
    testbed: redact(testbed.testbed),
    network: { ...s.emulation, rules: plan.network.rules },
    ...(c
      ? {
          collected: {
            ...(c.result ? { metrics: c.result } : {}),
            ...(c.series ? { series: c.series } : {}),
            trace: { seed: plan.seed, sampledRequests: c.counts.requests, spans: c.spans },
            hostMetrics: hostMetrics(s, c.samples),
            engineStats: c.engines,
            logs: c.files,
          },
        }
      : {}),
  });
  // The finalize phase's result files, per host and repetition (E2Clab fetches them into its experiment dir).
  for (const f of s.fetched) {
    const to = path.join(dir, 'files', f.host, String(f.repetition));
    mkdirSync(to, { recursive: true });
    writeFileSync(path.join(to, f.file), f.content);
  }
  return replaceRunFolder(dir, s.input.out!);
}

function hostMetrics(s: RunState, samples: Map<string, HostSample[]>): unknown {
  const hosts: Record<string, { samples: HostSample[]; meanCpuBusy: number; maxMemUsedBytes: number }> = {};
  for (const [h, list] of samples) {
    hosts[h] = {
      samples: list,
      meanCpuBusy: list.reduce((a, x) => a + x.cpuBusy, 0) / Math.max(1, list.length),
      maxMemUsedBytes: Math.max(0, ...list.map((x) => x.memUsedBytes)),
    };
  }
  return {
    note:
      s.plan.provider === 'local'
        ? "local hosts share this machine: machine-wide CPU and memory are the same for all; per-process CPU (fraction of one core) is each host's own"
        : 'per host: CPU busy fraction of all cores, memory, and per-process CPU (fraction of one core)',
    hosts,
  };
}

/** The testbed as recorded: passwords replaced (the run folder is shared; secrets stay out of it). */
function redact(tb: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(tb)) as { hosts: { ssh?: { password?: string } }[] };
  for (const h of copy.hosts) if (h.ssh?.password !== undefined) h.ssh.password = '<redacted>';
  return copy;
}
