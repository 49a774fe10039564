import { remoteUndo } from './recover.js';
import type { RunState } from './state.js';

/**
 * Turns SIGINT and SIGTERM into an interruption of the run (the phases stop at their next check, then
 * cleanup runs); a second signal while cleaning up only asks for patience.
 * @returns the function that removes the handlers
 */
export function catchSignals(s: RunState): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (s.abort.signal.aborted) return s.log(`${sig}: still cleaning up, please wait`);
    s.log(`${sig}: stopping the run and cleaning up`);
    s.interrupt(`interrupted by ${sig}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * The cleanup phase, run whatever happened before: closes the target's connections, then undoes every
 * journal entry (processes, containers, network rules, namespaces, folders, the temporary run folder)
 * in reverse order of creation.
 * @returns the problems met (empty when everything was removed)
 */
export async function cleanupRun(s: RunState): Promise<string[]> {
  await s.target?.close().catch(() => {});
  const journal = s.journal!;
  const problems = await journal.cleanup(
    remoteUndo(() => s.hosts, s.plan.runId),
    (l) => s.log(l),
  );
  s.log(
    problems.length === 0
      ? `cleanup: removed ${journal.entries.length} resources`
      : `cleanup: ${problems.length} problem(s): ${problems.join('; ')}`,
  );
  return problems;
}
