import { type SelectableService, selectHosts } from '../../scenario/index.js';
import { InteropErrorCode, type InteropIssue } from '../errors.js';
import { type E2clabFile, isObject } from './read.js';

/** What workflow.yaml gave a service: the command its `launch` phase runs, as the live section takes it. */
export interface ImportedLive {
  command: string | string[];
}

export interface ImportedWorkflow {
  /** Live sections by service id. */
  live: Map<string, ImportedLive>;
  /** Service ids named by some `depends_on` (they serve requests), and who depends on them. */
  dependencies: { from: string; to: string }[];
}

const GROUPINGS = ['round_robin', 'asarray', 'aggregate', 'address_match'];
const PHASES = ['prepare', 'launch', 'finalize'];
/** E2Clab metadata fields and the live template key each becomes. */
const FIELDS: Record<string, string> = {
  url: 'url',
  url4: 'url',
  __address__: 'address',
  __address4__: 'address',
};

/**
 * Reads `workflow.yaml` (a list of plays `{hosts, depends_on, prepare, launch, finalize}`): a `launch`
 * made of one `shell`/`command` task becomes the matched services' live command, with `{{ prefix.url }}`
 * of a `depends_on` on one service rewritten to the twin's `{{ layer.service.url }}`. Everything else
 * (prepare, finalize, other tasks, Ansible keywords, groupings other than one-service round_robin) is
 * reported as a warning: live mode has no phases yet.
 */
export function readWorkflow(
  f: E2clabFile,
  services: readonly SelectableService[],
  errors: InteropIssue[],
  warnings: InteropIssue[],
): ImportedWorkflow {
  const out: ImportedWorkflow = { live: new Map(), dependencies: [] };
  const err = (at: PropertyKey[], code: InteropErrorCode, msg: string, hint?: string) =>
    errors.push(f.issue(code, at, msg, hint));
  const warn = (at: PropertyKey[], msg: string, key = true) =>
    warnings.push(f.issue(InteropErrorCode.UNMAPPED, at, msg, undefined, key));
  const doc = f.data;
  if (doc === null || doc === undefined) return out;
  if (!Array.isArray(doc)) {
    err(
      [],
      InteropErrorCode.INVALID_VALUE,
      'workflow.yaml must be a list of plays {hosts, prepare, launch, finalize}',
    );
    return out;
  }
  const ids = (sel: unknown, at: PropertyKey[]): string[] | undefined => {
    if (typeof sel !== 'string') {
      err(at, InteropErrorCode.INVALID_VALUE, 'a selector string is required (e.g. cloud.server.*)');
      return undefined;
    }
    const r = selectHosts(sel, services);
    if (!r.ok) {
      err(at, InteropErrorCode.DANGLING_SELECTOR, r.message, r.hint);
      return undefined;
    }
    if (r.selection.instances.length > 0)
      warn(
        at,
        `"${sel}" picks single instances; the live section applies to whole services: ${r.selection.instances.map((x) => x.service).join(', ')}`,
        false,
      );
    return [...r.selection.services, ...new Set(r.selection.instances.map((x) => x.service))];
  };

  doc.forEach((play: unknown, pi: number) => {
    const at = [pi];
    if (!isObject(play))
      return err(at, InteropErrorCode.INVALID_VALUE, 'a workflow entry is a mapping with hosts:');
    if (play.hosts === undefined) return err(at, InteropErrorCode.MISSING_FIELD, 'hosts is required');
    const targets = ids(play.hosts, [pi, 'hosts']);
    if (!targets) return;

    // depends_on prefix → the service it names, when it names exactly one.
    const prefixes = new Map<string, string>();
    const deps = play.depends_on ?? [];
    if (!Array.isArray(deps))
      err([pi, 'depends_on'], InteropErrorCode.INVALID_VALUE, 'depends_on must be a list');
    else
      deps.forEach((d: unknown, di: number) => {
        const dat = [pi, 'depends_on', di];
        if (!isObject(d))
          return err(
            dat,
            InteropErrorCode.INVALID_VALUE,
            'a dependency is {service_selector, prefix, grouping}',
          );
        for (const k of ['service_selector', 'prefix', 'grouping'])
          if (d[k] === undefined) err(dat, InteropErrorCode.MISSING_FIELD, `${k} is required`);
        if (d.grouping !== undefined && !GROUPINGS.includes(String(d.grouping)))
          err(
            [...dat, 'grouping'],
            InteropErrorCode.INVALID_VALUE,
            `grouping must be one of ${GROUPINGS.join(', ')}`,
          );
        for (const k of Object.keys(d))
          if (!['service_selector', 'prefix', 'grouping', 'array_info'].includes(k))
            err([...dat, k], InteropErrorCode.UNKNOWN_KEY, `unknown key "${k}" in depends_on`);
        const to =
          d.service_selector === undefined
            ? undefined
            : ids(d.service_selector, [...dat, 'service_selector']);
        if (!to) return;
        for (const from of targets) for (const t of to) out.dependencies.push({ from, to: t });
        if (typeof d.prefix !== 'string') return;
        if (to.length === 1 && (d.grouping ?? 'round_robin') === 'round_robin') {
          prefixes.set(d.prefix, to[0]!);
          if (d.array_info !== undefined)
            warn([...dat, 'array_info'], 'array_info only applies to asarray; ignored');
        } else
          warn(
            [...dat, 'grouping'],
            `grouping ${String(d.grouping)} over ${to.length} service(s) not mapped: live templates give one service's first instance ({{ layer.service.url }})`,
            false,
          );
      });

    for (const k of Object.keys(play)) {
      if (k === 'hosts' || k === 'depends_on' || k === 'launch') continue;
      if (PHASES.includes(k))
        warn(
          [pi, k],
          `${k} not mapped: live mode has no ${k} phase yet (e2ctwin live runs each service's command)`,
        );
      else warn([pi, k], `${k} (an Ansible play keyword E2Clab passes through) not mapped`);
    }
    if (play.launch === undefined) return;
    const tasks = play.launch;
    if (!Array.isArray(tasks))
      return err([pi, 'launch'], InteropErrorCode.INVALID_VALUE, 'launch must be a list of Ansible tasks');
    let command: string | string[] | undefined;
    tasks.forEach((t: unknown, ti: number) => {
      const tat = [pi, 'launch', ti];
      const c = command === undefined ? taskCommand(t) : undefined;
      if (c === undefined) {
        warn(
          tat,
          command === undefined
            ? 'task not mapped: only a shell or command task becomes the live command'
            : 'task not mapped: the live command is the first shell/command task',
          false,
        );
        return;
      }
      command = rewrite(c, prefixes, (name) =>
        warn(
          tat,
          `template {{ ${name} }} not mapped: edit the live command (the twin knows {{ layer.service.url|address|port|host }})`,
          false,
        ),
      );
    });
    if (command === undefined) return;
    for (const id of targets) out.live.set(id, { command });
  });
  return out;
}

/** The command of a `shell: "…"`, `command: "…"`, `command: {cmd}` or `command: {argv: […]}` task. */
function taskCommand(t: unknown): string | string[] | undefined {
  if (!isObject(t)) return undefined;
  const modules = Object.keys(t).filter((k) => k !== 'name');
  if (modules.length !== 1) return undefined;
  const m = modules[0]!.replace(/^ansible\.builtin\./, '');
  const v = t[modules[0]!];
  if (m !== 'shell' && m !== 'command') return undefined;
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.cmd === 'string' && Object.keys(v).length === 1) return v.cmd;
  if (
    m === 'command' &&
    isObject(v) &&
    Array.isArray(v.argv) &&
    Object.keys(v).length === 1 &&
    v.argv.every((a) => typeof a === 'string')
  )
    return v.argv as string[];
  return undefined;
}

/** `{{ prefix.url }}` → `{{ layer.service.url }}`; other templates are reported. */
function rewrite<T extends string | string[]>(
  c: T,
  prefixes: Map<string, string>,
  unknown: (name: string) => void,
): T {
  const one = (s: string) =>
    s.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (whole, name: string) => {
      const [prefix, field] = name.split('.', 2) as [string, string | undefined];
      const id = prefixes.get(prefix);
      const key = field !== undefined ? FIELDS[field] : undefined;
      if (id && key && name.split('.').length === 2) return `{{ ${id}.${key} }}`;
      unknown(name);
      return whole;
    });
  return (Array.isArray(c) ? c.map(one) : one(c)) as T;
}
