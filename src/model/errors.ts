/**
 * The model area's error table. Bad scenarios never reach the model (the scenario layer refuses them);
 * what remains is a run that outgrows the budget its caller gave it.
 */
export const ModelErrorCode = {
  /** A simulation processed more events, or its process used more memory, than its budget allows. */
  BUDGET_EXCEEDED: 'E2C_ERR_MODEL_BUDGET_EXCEEDED',
} as const;
export type ModelErrorCode = (typeof ModelErrorCode)[keyof typeof ModelErrorCode];

/** Which budget stopped a run, and how far the run got: the fields callers format for their users. */
export interface BudgetStop {
  budget: 'events' | 'memory';
  /** The budget: events, or MiB of resident memory. */
  limit: number;
  /** What was used when the run stopped (events, or MiB). */
  used: number;
  /** Simulated time reached in the replication that stopped, seconds; and the planned duration, if any. */
  simulatedTime: number;
  duration?: number;
  /** 0-based replication that stopped, of `replications`. */
  replication: number;
  replications: number;
  /** Events processed over all replications run so far. */
  events: number;
  /** Requests completed (after the warm-up) in the replication that stopped. */
  completed: number;
  /** Where it stopped: building the hosts, or running. */
  phase: 'setup' | 'run';
}

/** Thrown by `simulate()` when a run outgrows its budget (`SimulateOptions.maxEvents`, `maxMemoryMiB`). */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  readonly code = ModelErrorCode.BUDGET_EXCEEDED;
  constructor(readonly stop: BudgetStop) {
    super(describe(stop));
  }
}

function describe(s: BudgetStop): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const budget =
    s.budget === 'events'
      ? `event budget of ${n(s.limit)} events`
      : `memory budget of ${n(s.limit)} MiB (${n(s.used)} MiB in use)`;
  const where =
    s.phase === 'setup'
      ? `while building the hosts of replication ${s.replication + 1} of ${s.replications}`
      : `at simulated time ${Number(s.simulatedTime.toPrecision(6))} s${s.duration !== undefined ? ` of ${s.duration} s` : ''} in replication ${s.replication + 1} of ${s.replications}, after ${n(s.events)} events and ${n(s.completed)} completed requests`;
  return `the run reached its ${budget} ${where}`;
}
