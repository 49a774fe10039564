import { LiveError } from '../../src/live/errors.js';
import { buildPlan } from '../../src/live/plan/build.js';
import type { LivePlan } from '../../src/live/plan/types.js';
import { type LoadedTestbed, parseTestbed } from '../../src/live/testbed/load.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';

// Building a live plan from a scenario file in the plan tests (no host touched).

/** A local testbed with three cloud hosts (a scaled or autoscaled cloud service gets one each), as data. */
export const THREE_CLOUDS = {
  provider: 'local',
  hosts: [
    { name: 'cloud-1' },
    { name: 'cloud-2' },
    { name: 'cloud-3' },
    { name: 'fog-1' },
    { name: 'edge-1' },
  ],
  services: { cloud: ['cloud-1', 'cloud-2', 'cloud-3'], fog: ['fog-1'], edge: ['edge-1'] },
};
export const threeClouds = parseTestbed(THREE_CLOUDS, 'inline.yaml');

/** The plan of `file` on `testbed` (run id abc12), with the workload's length changed to `durationS` if given. */
export function planOf(file: string, testbed: LoadedTestbed, durationS?: number): LivePlan {
  return buildPlan(loadScenarioOrThrow(file), testbed, {
    runId: 'abc12',
    stateDir: '/tmp/e2ctwin-live/abc12',
    ...(durationS !== undefined ? { durationS } : {}),
  });
}

/** The plan error building `file`'s plan on `testbed` throws (the test fails if the plan is built). */
export function planErrorOf(file: string, testbed: LoadedTestbed): LiveError {
  try {
    planOf(file, testbed);
  } catch (e) {
    if (e instanceof LiveError) return e;
    throw e;
  }
  throw new Error('the plan was built');
}
