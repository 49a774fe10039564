import type { SimulationResult } from '../../model/index.js';
import { addLivePhases } from '../../run-folder/index.js';
import { LiveErrorCode, type LiveError } from '../errors.js';
import type { LiveHost } from '../target.js';
import { applyPlan } from './apply.js';
import { catchSignals, cleanupRun } from './cleanup.js';
import { collectResults, endWindows, measuredTime } from './collect.js';
import { driveWorkload } from './drive.js';
import { preparePlan } from './plan.js';
import { nowS, RunState } from './state.js';
import type { EmulationReport, LiveOutcome, LiveRunInput, Running } from './types.js';
import { writeRunFolder } from './write-folder.js';

export type { AppliedEvent, EmulationReport, LiveOutcome, LiveRunInput, MeasuredTime } from './types.js';

/**
 * One live run, phase by phase: plan (check `--out`, remove crashed runs' leftovers, open the journal)
 * → apply (provision, network: apply and measure, services) → drive (the workload's repetitions) →
 * collect (files, spans, metrics; kept even from a failed run) → run folder, and always cleanup from
 * the journal — on success, on failure, on SIGINT/SIGTERM. Each phase is a module of this folder
 * working on the run's {@link RunState}.
 */
export class LiveRun {
  readonly #s: RunState;

  constructor(readonly input: LiveRunInput) {
    this.#s = new RunState(input);
  }

  get hosts(): ReadonlyMap<string, LiveHost> {
    return this.#s.hosts;
  }

  get running(): readonly Running[] {
    return this.#s.running;
  }

  get emulation(): EmulationReport {
    return this.#s.emulation;
  }

  /** Stops the run as soon as its current step allows (then collects what it measured and cleans up). */
  interrupt(reason: string): void {
    this.#s.interrupt(reason);
  }

  async execute(): Promise<LiveOutcome> {
    const s = this.#s;
    const { out } = this.input;
    await s.timed('plan', () => preparePlan(s));
    const releaseSignals = catchSignals(s);
    let status: LiveOutcome['status'] = 'ok';
    let failure: string | undefined;
    let result: SimulationResult | undefined;
    let counts = { requests: 0, spans: 0 };
    let runFolder: string | undefined;
    let cleanupProblems: string[] = [];
    try {
      try {
        await applyPlan(s);
        await s.timed('drive', () => driveWorkload(s));
      } catch (e) {
        const err = e as LiveError;
        s.stoppedAt ??= nowS();
        status = err.code === LiveErrorCode.INTERRUPTED ? 'interrupted' : 'failed';
        failure = err.message;
        s.log(`${status === 'interrupted' ? 'interrupted' : 'failed'}: ${failure}`);
      }
      s.sampler?.stop();
      endWindows(s);
      // Keep what was measured, even from a failed run.
      try {
        const collected = await s.timed('collect', () => collectResults(s));
        result = collected.result;
        counts = collected.counts;
        if (out) runFolder = writeRunFolder(s, collected, status, failure);
      } catch (e) {
        s.log(`collecting results failed: ${(e as Error).message}`);
        if (status === 'ok') {
          status = 'failed';
          failure = `collecting results: ${(e as Error).message}`;
        }
        if (out) {
          try {
            runFolder = writeRunFolder(s, undefined, status, failure);
          } catch (e2) {
            s.log(`writing the run folder failed: ${(e2 as Error).message}`);
          }
        }
      }
    } finally {
      cleanupProblems = await s.timed('cleanup', () => cleanupRun(s));
      releaseSignals();
      if (runFolder) recordPhases(s, runFolder);
    }
    return {
      status,
      phases: { ...s.phases },
      ...(failure ? { failure } : {}),
      ...(result ? { result } : {}),
      emulation: s.emulation,
      cleanupProblems,
      measured: measuredTime(s, status),
      events: s.appliedEvents,
      ...(runFolder ? { runFolder } : {}),
      ...counts,
    };
  }
}

/** "plan 0.1 s, hosts 2.3 s, …": the phases in the order they ran. */
export function formatPhases(phases: Record<string, number>): string {
  return Object.entries(phases)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ');
}

/** Records the phases in the run folder; a run.json that cannot be rewritten keeps its other fields (logged). */
function recordPhases(s: RunState, folder: string): void {
  try {
    addLivePhases(folder, s.phases);
  } catch (e) {
    s.log(`run.json: phases not recorded: ${(e as Error).message}`);
  }
}
