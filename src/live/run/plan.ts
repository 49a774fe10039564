import { Journal } from '../journal.js';
import { recover } from './recover.js';
import { checkRunFolder, tempSibling } from './run-folder.js';
import type { RunState } from './state.js';

/**
 * The plan phase, before anything is created: the `--out` folder is checked (a run never starts that
 * could not write its folder), what crashed runs left is removed, the run's journal is opened, and the
 * temporary run folder is recorded in it (so that a crash leaves no half-written folder behind). The
 * plan itself (hosts, commands, network rules) was built as data by `live/plan/` before the run.
 */
export async function preparePlan(s: RunState): Promise<Journal> {
  const { plan, stateRoot, out } = s.input;
  if (out) checkRunFolder(out);
  const leftovers = await recover(stateRoot, (l) => s.log(l));
  for (const l of leftovers)
    if (l.problems.length > 0)
      s.log(`warning: leftovers of run ${l.runId} not fully removed: ${l.problems.join('; ')}`);
  const journal = Journal.open(stateRoot, plan.runId, s.input.testbed.file);
  s.journal = journal;
  if (out) {
    s.outTemp = tempSibling(out, plan.runId);
    journal.record({ kind: 'out-temp', path: s.outTemp });
  }
  return journal;
}
