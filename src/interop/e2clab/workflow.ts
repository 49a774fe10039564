import { type SelectableService, selectHosts } from '../../scenario/index.js';
import { InteropErrorCode, type InteropIssue } from '../errors.js';
import { type E2clabFile, isObject } from './read.js';

/** What workflow.yaml gave a service, as the live section takes it. */
export interface ImportedLive {
  command?: string | string[];
  prepare?: string[][];
  launch?: string[][];
  finalize?: { commands: string[][]; files: string[] };
  dependsOn?: { selector: string; prefix: string; grouping: 'round_robin' | 'asarray' | 'aggregate' }[];
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
 * Reads `workflow.yaml` (a list of plays `{hosts, depends_on, prepare, launch, finalize}`) into the
 * matched services' live sections: the first `shell`/`command` task of `launch` becomes the command, the
 * other ones `live.launch`; `prepare` shell/command tasks `live.prepare`; `finalize` shell/command tasks
 * `live.finalize.commands` and `fetch` tasks `live.finalize.files`. A `depends_on` on one single-instance
 * service becomes `{{ layer.service.url }}`; any other becomes `live.dependsOn` with its grouping (its
 * `{{ prefix.url }}`, `{{ prefix }}` templates kept). A shell task becomes `[sh, -c, text]`: the user's own
 * script, never text built from values. Other tasks, Ansible keywords and templates are warnings.
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

    // depends_on prefix → the service it names, when it names exactly one single-instance service;
    // other dependencies become live.dependsOn.
    const prefixes = new Map<string, string>();
    const grouped = new Set<string>();
    const depends: NonNullable<ImportedLive['dependsOn']> = [];
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
        const grouping = String(d.grouping ?? 'round_robin');
        const single =
          to.length === 1 && services.find((s) => `${s.layer}.${s.name}` === to[0])?.quantity === 1;
        if (d.array_info !== undefined && grouping !== 'asarray')
          warn([...dat, 'array_info'], 'array_info only applies to asarray; ignored');
        if (grouping === 'round_robin' && single) prefixes.set(d.prefix, to[0]!);
        else if (grouping === 'address_match')
          warn([...dat, 'grouping'], 'address_match (E2Clab-internal, fills _self) not mapped', false);
        else if (!/^(?:[A-Za-z_]\w*)?[A-Za-z_]$/.test(d.prefix))
          warn(
            [...dat, 'prefix'],
            `prefix ${d.prefix} not mapped: live.dependsOn prefixes end with a letter or "_"`,
            false,
          );
        else {
          depends.push({
            selector: String(d.service_selector),
            prefix: d.prefix,
            grouping: grouping as 'round_robin',
          });
          grouped.add(d.prefix);
          if (grouping === 'asarray' && d.array_info !== undefined && d.array_info !== 'hostname')
            warn(
              [...dat, 'array_info'],
              `array_info ${String(d.array_info)} not mapped: {{ ${d.prefix} }} lists the addresses`,
              false,
            );
          if (grouping === 'aggregate')
            warn(
              [...dat, 'grouping'],
              `aggregate: E2Clab's {{ ${d.prefix}<service>_<machine>.url }} becomes {{ ${d.prefix}<k>.url }} (k = 1, 2, … over the selected instances): edit the templates`,
              false,
            );
        }
      });

    for (const k of Object.keys(play))
      if (!['hosts', 'depends_on', ...PHASES].includes(k))
        warn([pi, k], `${k} (an Ansible play keyword E2Clab passes through) not mapped`);
    const fill = <T extends string | string[]>(c: T, at: PropertyKey[]) =>
      rewrite(c, prefixes, grouped, (name) =>
        warn(
          at,
          `template {{ ${name} }} not mapped: edit the command (the twin knows {{ layer.service.url|address|port|host }}, {{ current_repeat }} and live.dependsOn prefixes)`,
          false,
        ),
      );
    const argv = (c: string | string[]) => (Array.isArray(c) ? c : ['sh', '-c', c]);
    const live: ImportedLive = {};
    const tasksOf = (phase: string): unknown[] => {
      const t = play[phase];
      if (t === undefined) return [];
      if (!Array.isArray(t)) {
        err([pi, phase], InteropErrorCode.INVALID_VALUE, `${phase} must be a list of Ansible tasks`);
        return [];
      }
      return t;
    };
    tasksOf('prepare').forEach((t, ti) => {
      const c = taskCommand(t);
      if (c === undefined)
        return warn(
          [pi, 'prepare', ti],
          'task not mapped: prepare takes shell and command tasks (copy artifacts with live.files)',
          false,
        );
      (live.prepare ??= []).push(argv(fill(c, [pi, 'prepare', ti])));
    });
    tasksOf('launch').forEach((t, ti) => {
      const c = taskCommand(t);
      if (c === undefined)
        return warn([pi, 'launch', ti], 'task not mapped: launch takes shell and command tasks', false);
      const filled = fill(c, [pi, 'launch', ti]);
      if (live.command === undefined) live.command = filled;
      else (live.launch ??= []).push(argv(filled));
    });
    tasksOf('finalize').forEach((t, ti) => {
      const at = [pi, 'finalize', ti];
      const file = fetchSrc(t);
      const fin = () => (live.finalize ??= { commands: [], files: [] });
      if (file !== undefined) {
        if (/\{\{|\.\./.test(file) || !/^[\w./-]+$/.test(file))
          return warn(at, `fetch of ${file} not mapped: name a file without templates or ".."`, false);
        return void fin().files.push(file);
      }
      const c = taskCommand(t);
      if (c === undefined)
        return warn(at, 'task not mapped: finalize takes fetch, shell and command tasks', false);
      fin().commands.push(argv(fill(c, at)));
    });
    if (depends.length > 0) live.dependsOn = depends;
    if (Object.keys(live).length === 0) return;
    for (const id of targets) out.live.set(id, { ...out.live.get(id), ...structuredClone(live) });
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

/** The `src` of a `fetch: {src, dest, …}` task. */
function fetchSrc(t: unknown): string | undefined {
  if (!isObject(t)) return undefined;
  const modules = Object.keys(t).filter((k) => k !== 'name');
  if (modules.length !== 1 || modules[0]!.replace(/^ansible\.builtin\./, '') !== 'fetch') return undefined;
  const v = t[modules[0]!];
  return isObject(v) && typeof v.src === 'string' ? v.src : undefined;
}

/**
 * `{{ prefix.url }}` of a one-service dependency → `{{ layer.service.url }}`; `{{ p.__address__ }}` of a
 * grouped one → `{{ p.address }}` (`{{ p.url }}`, `{{ p }}` stay); `{{ current_repeat }}` stays; other
 * templates are reported.
 */
function rewrite<T extends string | string[]>(
  c: T,
  prefixes: Map<string, string>,
  grouped: Set<string>,
  unknown: (name: string) => void,
): T {
  const one = (s: string) =>
    s.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (whole, name: string) => {
      const [prefix, field] = name.split('.', 2) as [string, string | undefined];
      const id = prefixes.get(prefix);
      const key = field !== undefined ? FIELDS[field] : undefined;
      if (id && key && name.split('.').length === 2) return `{{ ${id}.${key} }}`;
      if (name === 'current_repeat') return whole;
      const base = prefix.replace(/\d+$/, '');
      if (grouped.has(prefix) && field === undefined) return whole;
      if ((grouped.has(prefix) || grouped.has(base)) && key && name.split('.').length === 2)
        return `{{ ${prefix}.${key} }}`;
      unknown(name);
      return whole;
    });
  return (Array.isArray(c) ? c.map(one) : one(c)) as T;
}
