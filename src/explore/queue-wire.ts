import { canonicalJson, sha256 } from './study-identity.js';
import type { FlatMetrics } from './metrics.js';
import { filesToWire, type WireFiles } from './queue-files.js';
import type { TrialOutput, TrialTask } from './trial.js';

/** The queue every coordinator and worker of a Redis database shares. */
export const QUEUE_NAME = 'e2ctwin-trials';

/** A job: the e2ctwin version that made it (a worker of another version hands it back), the task and its files. */
export interface TrialJob {
  v: string;
  task: Omit<TrialTask, 'files'>;
  files: WireFiles;
}

/** What a worker returns: the trial's output with every number spelled so that JSON keeps it exactly. */
export interface TrialReply {
  o: unknown;
}

/** A job's id: the digest of what its result depends on, so a rerun coordinator finds the jobs of its first run. */
export function jobId(job: TrialJob): string {
  return sha256(canonicalJson(job));
}

export function toJob(
  version: string,
  task: TrialTask & { files: NonNullable<TrialTask['files']> },
): TrialJob {
  const { files, ...rest } = task;
  return { v: version, task: rest, files: filesToWire(files) };
}

// JSON turns NaN and ±Infinity into null and −0 into 0: those travel as strings.
const enc = (x: number): number | string =>
  Number.isFinite(x) && !Object.is(x, -0) ? x : Object.is(x, -0) ? '-0' : String(x);
const dec = (x: number | string): number => (typeof x === 'number' ? x : Number(x));

export function encodeOutput(out: TrialOutput): TrialReply {
  if (!out.ok) return { o: out };
  const metrics: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(out.metrics)) metrics[k] = enc(v);
  return { o: { ok: true, metrics, wallMs: out.wallMs } };
}

/** The trial output of a worker's reply (BullMQ hands the return value as JSON text or as an object). */
export function decodeReply(reply: unknown): TrialOutput {
  const r = (typeof reply === 'string' ? JSON.parse(reply) : reply) as TrialReply | null;
  const o = r?.o as
    | { ok: true; metrics: Record<string, number | string>; wallMs: number }
    | Extract<TrialOutput, { ok: false }>
    | undefined;
  if (!o || typeof o !== 'object')
    return { ok: false, error: `a worker sent an unreadable reply: ${String(reply).slice(0, 200)}` };
  if (!o.ok) return o;
  const metrics: FlatMetrics = {};
  for (const [k, v] of Object.entries(o.metrics)) metrics[k] = dec(v);
  return { ok: true, metrics, wallMs: o.wallMs };
}
