import path from 'node:path';
import type { SimBackend, SimRequest } from '../calibrate/index.js';
import { ScenarioError } from '../scenario/index.js';
import { GaussianProcess } from '../explore/optimizers/gp.js';
import { defaultWorkers, PiscinaRunner } from '../explore/piscina-runner.js';
import { InProcessRunner, type TrialRunner } from '../explore/runner.js';
import type { EmulatorFactory } from '../calibrate/index.js';

/**
 * The calibrate layer's simulations run on the explore layer's trial runners (it may not import them):
 * this edge module joins the two. Results come back in request order, so they do not depend on the
 * number of workers.
 */
export function simBackend(scenarioFile: string, runner: TrialRunner): SimBackend {
  const file = path.resolve(scenarioFile);
  return async (requests: readonly SimRequest[], onDone?: () => void) => {
    const out = new Array<Record<string, number>>(requests.length);
    let next = 0;
    const lane = async () => {
      while (next < requests.length) {
        const i = next++;
        const r = requests[i]!;
        const res = await runner.run({
          scenarioFile: file,
          overrides: r.overrides,
          seed: r.seed,
          replication: r.replication,
        });
        if (!res.ok)
          throw 'issues' in res
            ? new ScenarioError(res.issues)
            : new Error(`a simulation failed: ${res.error.split('\n')[0]}`);
        out[i] = res.metrics;
        onDone?.();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, runner.concurrency) }, lane));
    return out;
  };
}

/** A trial runner: `workers` threads (0: the main thread). */
export function trialRunner(workers: number | undefined): TrialRunner {
  return workers === 0 ? new InProcessRunner() : new PiscinaRunner(workers ?? defaultWorkers());
}

/** The explore layer's Gaussian process as the calibrate layer's emulator. */
export const gpEmulator: EmulatorFactory = (dims) => {
  const gp = new GaussianProcess(dims);
  return { fit: (x, y, rng) => gp.fit(x, y, rng, 'full'), predict: (p) => gp.predict(p) };
};
