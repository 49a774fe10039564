// Piscina worker entry, bundled to dist/explore/worker.js (scripts/build.mjs): one replication per task.
import { runTrial, type TrialOutput, type TrialTask } from './trial.js';

export default function work(task: TrialTask): TrialOutput {
  return runTrial(task);
}
