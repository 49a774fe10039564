import path from 'node:path';
import { type SelectableService, selectHosts } from '../../scenario/index.js';
import { InteropErrorCode, type InteropIssue } from '../errors.js';
import { readLayers } from './layers.js';
import { readNetwork } from './network.js';
import { isObject, readE2clabFile } from './read.js';
import {
  NETWORK_FIELDS,
  rebasePaths,
  rebaseService,
  SCENARIO_FIELDS,
  SERVICE_FIELDS,
  SIDECAR,
} from './sidecar.js';
import { readWorkflow } from './workflow.js';

export interface ImportOptions {
  /** The E2Clab scenario folder (layers_services.yaml, network.yaml, workflow.yaml). */
  dir: string;
  /** Folder the scenario will be written to: relative file names of the sidecar are rewritten for it. */
  outDir: string;
}

/** A comment to write above a field of the output (the marked placeholders). */
export interface Placeholder {
  path: (string | number)[];
  comment: string;
}

export type ImportResult =
  | {
      ok: true;
      scenario: Record<string, unknown>;
      /** A testbed file, when the environment names hosts (`servers`). */
      testbed?: Record<string, unknown>;
      warnings: InteropIssue[];
      placeholders: Placeholder[];
      /** What the user must fill before the twin's answers mean anything. */
      checklist: string[];
      /** Whether an `e2ctwin.yaml` written by `export` supplied the twin's own fields. */
      sidecar: boolean;
    }
  | { ok: false; issues: InteropIssue[]; warnings: InteropIssue[] };

/** A stand-in app model: one CPU stage. Clearly not the real service; the checklist says so. */
const PLACEHOLDER_APP = {
  name: 'placeholder',
  description:
    "PLACEHOLDER written by e2ctwin import: one CPU stage of 0.1 s mean. Replace it with this service's app model.",
  stages: [{ name: 'work', resource: 'cpu', demand: { dist: 'exponential', mean: 0.1 } }],
};

/**
 * Translates an E2Clab scenario folder into a scenario document (plain data, not yet validated: the
 * caller writes it and `e2ctwin validate` checks it like any file). Every field is either mapped,
 * kept as metadata, or reported as a located warning; the twin's own needs E2Clab does not state (app
 * models, a workload, the run length) become marked placeholders listed in the checklist.
 */
export function importE2clab(opts: ImportOptions): ImportResult {
  const errors: InteropIssue[] = [];
  const warnings: InteropIssue[] = [];
  const ls = readE2clabFile(opts.dir, 'layers_services.yaml', true, errors);
  const net = readE2clabFile(opts.dir, 'network.yaml', false, errors);
  const wf = readE2clabFile(opts.dir, 'workflow.yaml', false, errors);
  const side = readE2clabFile(opts.dir, SIDECAR, false, errors);
  if (!ls) return { ok: false, issues: errors, warnings };

  const imported = readLayers(ls, errors, warnings);
  const all = imported.layers.flatMap((l) => l.services);
  const selectable: SelectableService[] = all;
  const seen = new Set<string>();
  for (const s of all) {
    const id = `${s.layer}.${s.name}`;
    if (seen.has(id))
      errors.push(
        ls.issue(
          InteropErrorCode.INVALID_VALUE,
          ['layers', s.at[0], 'services', s.at[1], 'name'],
          `service "${id}" is defined twice (after repeat)`,
        ),
      );
    seen.add(id);
  }
  const constraints = net ? readNetwork(net, errors, warnings) : [];
  const network = constraints.flatMap((c) => {
    const ends: Record<'src' | 'dst', string> = { src: c.src, dst: c.dst };
    for (const end of ['src', 'dst'] as const) {
      const r = selectHosts(c[end], selectable);
      if (!r.ok) {
        errors.push(
          net!.issue(InteropErrorCode.DANGLING_SELECTOR, ['networks', c.index, end], r.message, r.hint),
        );
        return [];
      }
      if (r.selection.instances.length > 0) {
        // The twin shapes whole services (every instance alike): a rule on some instances is widened.
        const svcs = [...r.selection.services, ...new Set(r.selection.instances.map((x) => x.service))];
        warnings.push(
          net!.issue(
            InteropErrorCode.UNMAPPED,
            ['networks', c.index, end],
            `"${c[end]}" picks single instances; the twin shapes whole services, so the rule applies to every instance of ${svcs.join(', ')}`,
          ),
        );
        if (svcs.length > 1) {
          errors.push(
            net!.issue(
              InteropErrorCode.INVALID_VALUE,
              ['networks', c.index, end],
              `"${c[end]}" picks instances of several services; write one rule per service`,
            ),
          );
          return [];
        }
        ends[end] = svcs[0]!;
      }
    }
    const { index: _index, ...rest } = c;
    return [{ ...rest, ...ends }];
  });
  const workflow = wf
    ? readWorkflow(wf, selectable, errors, warnings)
    : { live: new Map(), dependencies: [] };
  if (errors.length > 0) return { ok: false, issues: errors, warnings };

  const placeholders: Placeholder[] = [];
  const checklist: string[] = [];
  const scenario: Record<string, unknown> = {
    name:
      imported.name ??
      (path
        .basename(path.resolve(opts.dir))
        .replace(/[^\w-]/g, '-')
        .replace(/^[^A-Za-z_]+/, '') ||
        'imported'),
    description: `Imported from the E2Clab scenario ${path.basename(path.resolve(opts.dir))} by e2ctwin import e2clab.`,
    run: { duration: 600, warmup: 60 },
  };
  const layers = imported.layers.map((l) => ({
    name: l.name,
    services: l.services.map((s) => {
      const out: Record<string, unknown> = { name: s.name, quantity: s.quantity };
      if (s.roles.length > 0) out.roles = s.roles;
      if (Object.keys(s.metadata).length > 0) out.metadata = s.metadata;
      const live = workflow.live.get(`${s.layer}.${s.name}`);
      if (live) out.live = live;
      return out;
    }),
  }));
  scenario.layers = layers;
  scenario.network = network;

  let fromSidecar = false;
  if (side)
    fromSidecar = applySidecar(side.data, {
      scenario,
      network,
      fromDir: path.dirname(path.resolve(side.src.file)),
      toDir: opts.outDir,
      side,
      warnings,
    });

  if (!fromSidecar) {
    placeholders.push({
      path: ['run'],
      comment:
        'PLACEHOLDER: E2Clab gives the run length on its command line (--duration); set the simulated seconds and warm-up.',
    });
    checklist.push('run: set duration and warmup (E2Clab passes --duration on the command line).');
    addPlaceholders(imported.layers, workflow.dependencies, layers, placeholders, checklist);
  }
  if (network.some((n) => n.symmetric === false))
    checklist.push(
      "network: rules without symmetric: true shape only src → dst (E2Clab's default); the import wrote symmetric: false explicitly — check that this is what you meant.",
    );

  const testbed = testbedOf(imported.layers);
  if (testbed)
    checklist.push(
      "testbed: fill each host's ssh user and key (and a jump host) in the testbed file before e2ctwin live.",
    );
  return {
    ok: true,
    scenario,
    ...(testbed ? { testbed } : {}),
    warnings,
    placeholders,
    checklist,
    sidecar: fromSidecar,
  };
}

/**
 * Placeholders for what E2Clab does not say: an app model on each service others depend on (in
 * workflow.yaml), else on the first layer's services; a workload on each dependent service, else on
 * the last layer's services, aimed at the first such app.
 */
function addPlaceholders(
  imported: { name: string; services: { layer: string; name: string }[] }[],
  dependencies: { from: string; to: string }[],
  layers: { name: string; services: Record<string, unknown>[] }[],
  placeholders: Placeholder[],
  checklist: string[],
): void {
  const servers = new Set(dependencies.map((d) => d.to));
  if (servers.size === 0) for (const s of imported[0]?.services ?? []) servers.add(`${s.layer}.${s.name}`);
  const firstServer = [...servers][0];
  const clients = new Map<string, string>();
  for (const d of dependencies) if (!clients.has(d.from) && !servers.has(d.from)) clients.set(d.from, d.to);
  if (clients.size === 0 && imported.length > 1 && firstServer)
    for (const s of imported.at(-1)!.services) clients.set(`${s.layer}.${s.name}`, firstServer);
  layers.forEach((l, li) =>
    l.services.forEach((svc, si) => {
      const id = `${l.name}.${svc.name as string}`;
      const at = ['layers', li, 'services', si];
      if (servers.has(id)) {
        svc.app = PLACEHOLDER_APP;
        placeholders.push({
          path: [...at, 'app'],
          comment:
            'PLACEHOLDER: E2Clab has no app model; name one from models/apps/ or write its stages, pools and demands.',
        });
        checklist.push(
          `${id}: replace the placeholder app model (one CPU stage of 0.1 s) with the service's stages, pools and demands.`,
        );
      }
      const target = clients.get(id);
      if (target) {
        svc.workload = { kind: 'open', target, ratePerS: 1 };
        placeholders.push({
          path: [...at, 'workload'],
          comment: `PLACEHOLDER: E2Clab has no workload model; set the kind (closed users, open rate, trace) and its figures (requests to ${target}).`,
        });
        checklist.push(
          `${id}: replace the placeholder workload (open, 1 request/s per instance, to ${target}).`,
        );
      }
      if (!svc.host)
        checklist.push(
          `${id}: name its hardware (host: a preset of models/hardware/), else a 1-core reference host is assumed.`,
        );
    }),
  );
  if (servers.size === 0)
    checklist.push(
      'no service serves requests yet: give one an app model and another a workload aimed at it.',
    );
}

/** Applies `e2ctwin.yaml` onto the imported document; false when it is not a sidecar written by export. */
function applySidecar(
  data: unknown,
  into: {
    scenario: Record<string, unknown>;
    network: Record<string, unknown>[];
    fromDir: string;
    toDir: string;
    side: NonNullable<ReturnType<typeof readE2clabFile>>;
    warnings: InteropIssue[];
  },
): boolean {
  const { scenario, network, fromDir, toDir, side, warnings } = into;
  if (!isObject(data)) return false;
  const move = (p: string) =>
    path.isAbsolute(p) ? p : path.relative(toDir, path.resolve(fromDir, p)) || '.';
  const sc = isObject(data.scenario) ? data.scenario : {};
  // The scenario as exported: its own description (or none), not the import's note.
  delete scenario.description;
  for (const k of SCENARIO_FIELDS) if (sc[k] !== undefined) scenario[k] = sc[k];
  const only = {
    layers: scenario.layers,
    ...(sc.calibration ? { calibration: sc.calibration } : {}),
    ...(sc.calibrate ? { calibrate: sc.calibrate } : {}),
  };
  rebasePaths(only, fromDir, toDir);
  if (only.calibration !== undefined) scenario.calibration = only.calibration;
  if (only.calibrate !== undefined) scenario.calibrate = only.calibrate;
  const layerInfo = isObject(data.layers) ? data.layers : {};
  const services = isObject(data.services) ? data.services : {};
  const layers = scenario.layers as {
    name: string;
    description?: string;
    services: Record<string, unknown>[];
  }[];
  const used = new Set<string>();
  for (const l of layers) {
    const info = layerInfo[l.name];
    if (isObject(info) && typeof info.description === 'string') l.description = info.description;
    for (const svc of l.services) {
      const id = `${l.name}.${svc.name as string}`;
      const extra = services[id];
      if (!isObject(extra)) continue;
      used.add(id);
      rebaseService(extra, move);
      for (const k of SERVICE_FIELDS) if (extra[k] !== undefined) svc[k] = extra[k];
    }
    // Keys in E2Clab's order; the twin's fields after them, as a scenario is usually written.
  }
  for (const id of Object.keys(services))
    if (!used.has(id))
      warnings.push(
        side.issue(
          InteropErrorCode.UNMAPPED,
          ['services', id],
          `no service ${id} in layers_services.yaml; its twin fields are dropped`,
          undefined,
          true,
        ),
      );
  const nets = Array.isArray(data.network) ? data.network : [];
  nets.forEach((n: unknown, i: number) => {
    if (!isObject(n) || !network[i]) return;
    for (const k of NETWORK_FIELDS) if (n[k] !== undefined) network[i]![k] = n[k];
  });
  return true;
}

/** An ssh testbed listing the hosts of services that name them (`servers`), or undefined. */
function testbedOf(
  layers: { services: { layer: string; name: string; servers: string[] }[] }[],
): Record<string, unknown> | undefined {
  const hosts = new Map<string, string>();
  const services: Record<string, string[]> = {};
  for (const s of layers.flatMap((l) => l.services)) {
    if (s.servers.length === 0) continue;
    services[`${s.layer}.${s.name}`] = s.servers.map((addr) => {
      let name = hosts.get(addr);
      if (!name) {
        // A host name of the testbed file: the first label of the address, lower-cased, made unique.
        const base =
          (addr.split('.')[0] ?? 'host')
            .toLowerCase()
            .replace(/[^a-z0-9-]/g, '-')
            .replace(/^[^a-z]+/, '')
            .slice(0, 24) || 'host';
        name = base;
        for (let i = 2; [...hosts.values()].includes(name); i++) name = `${base}-${i}`;
        hosts.set(addr, name);
      }
      return name;
    });
  }
  if (hosts.size === 0) return undefined;
  return {
    name: 'e2clab-servers',
    provider: 'ssh',
    hosts: [...hosts].map(([address, name]) => ({ name, address, ssh: { user: 'root' } })),
    services,
  };
}
