import path from 'node:path';
import type { ResolvedScenario } from '../../scenario/index.js';
import { isObject } from './read.js';
import {
  NETWORK_FIELDS,
  rebaseService,
  SCENARIO_FIELDS,
  SERVICE_FIELDS,
  SIDECAR,
  type Sidecar,
} from './sidecar.js';
import { formatDelay, formatLoss, formatRate } from './units.js';

/**
 * What an export leaves out of E2Clab's own files, or changes, stated once: printed by the command and
 * listed in docs/e2clab.md. (Import of the export gives back the same resolved scenario: the twin's own
 * fields travel in e2ctwin.yaml.)
 */
export const EXPORT_LOSSES = [
  "the twin's own fields (run, seed, hardware, app models, pools, stages, workloads, link classes, sharing, explore, calibrate, expect, descriptions, live sections) are only in e2ctwin.yaml: E2Clab ignores that file, and edits made in E2Clab's files do not reach it",
  'network rules are written with explicit names and numbers: a selector matching several names becomes one rule per pair, a link class its delay, rate and loss; sharing: shared has no E2Clab form (EnOSlib shapes per host)',
  "environment: E2Clab needs a testbed block; a g5k block with E2Clab's defaults (cluster paradoxe, walltime 01:00:00) is written unless the services say otherwise: set your reservation",
  'workflow.yaml is a skeleton: live command and launch → launch tasks, prepare → prepare tasks, finalize → finalize tasks and fetch (relative files are relative to the service folder e2ctwin uses: adjust), dependsOn and {{ s.url }}/{{ s.address }} → depends_on; live image, port, health, env and files, and {{ s.port }}/{{ s.host }} references, have no Ansible form here',
  'comments and YAML layout are not kept; relative file names are rewritten for the export folder',
];

export interface ExportFiles {
  /** File name in the export folder → its data (written as YAML by the caller). */
  files: Record<string, unknown>;
}

const TEMPLATE = /\{\{\s*([\w-]+)\.([\w-]+)\.(url|address|port|host)\s*\}\}/g;

/**
 * E2Clab's three files and the sidecar from a scenario: `doc` is the scenario as written (its raw
 * YAML data: presets by name, selectors as written), `resolved` the loaded scenario (for the network's
 * explicit names and numbers). `fromDir` is the scenario's folder, `toDir` the export folder.
 */
export function exportE2clab(
  doc: Record<string, unknown>,
  resolved: ResolvedScenario,
  fromDir: string,
  toDir: string,
): ExportFiles {
  const move = (p: string) =>
    path.isAbsolute(p) ? p : path.relative(toDir, path.resolve(fromDir, p)) || '.';
  const rawLayers = (Array.isArray(doc.layers) ? doc.layers : []).filter(isObject);
  const sidecar: Sidecar = { scenario: {}, layers: {}, services: {}, network: [] };
  for (const k of SCENARIO_FIELDS) if (doc[k] !== undefined) sidecar.scenario[k] = structuredClone(doc[k]);
  if (typeof sidecar.scenario.calibration === 'string')
    sidecar.scenario.calibration = move(sidecar.scenario.calibration);
  const cal = sidecar.scenario.calibrate;
  if (isObject(cal) && typeof cal.measurements === 'string') cal.measurements = move(cal.measurements);

  let testbed: string | undefined;
  const layers = resolved.layers.map((l, li) => {
    const raw = rawLayers[li] ?? {};
    if (typeof raw.description === 'string') sidecar.layers[l.name] = { description: raw.description };
    const rawServices = (Array.isArray(raw.services) ? raw.services : []).filter(isObject);
    return {
      name: l.name,
      services: l.services.map((s, si) => {
        const rs = rawServices[si] ?? {};
        const twin: Record<string, unknown> = {};
        for (const k of SERVICE_FIELDS) if (rs[k] !== undefined) twin[k] = structuredClone(rs[k]);
        rebaseService(twin, move);
        if (Object.keys(twin).length > 0) sidecar.services[s.id] = twin;
        const meta = isObject(rs.metadata) ? rs.metadata : {};
        if (typeof meta.environment === 'string') testbed ??= meta.environment;
        const extra = Object.fromEntries(
          Object.entries(meta).filter(([k]) => !['name', 'quantity', 'repeat', 'roles'].includes(k)),
        );
        return {
          name: s.name,
          quantity: s.quantity,
          ...(s.roles.length > 0 ? { roles: [...s.roles] } : {}),
          ...structuredClone(extra),
        };
      }),
    };
  });
  const environment = {
    job_name: resolved.name,
    walltime: '01:00:00',
    ...(testbed && testbed !== 'g5k' ? { [testbed]: {} } : { g5k: { cluster: 'paradoxe' } }),
  };

  const networks = resolved.network.map((n) => {
    sidecar.network.push(
      Object.fromEntries(NETWORK_FIELDS.flatMap((k) => (n[k] !== undefined ? [[k, n[k]]] : []))),
    );
    return {
      src: n.src,
      dst: n.dst,
      delay: formatDelay(n.delayMs),
      rate: formatRate(n.rateMbps),
      loss: formatLoss(n.lossPercent),
      symmetric: n.symmetric,
    };
  });

  const workflow = resolved.services.flatMap((s) => {
    const live = s.live;
    if (!live || (live.command === undefined && !live.prepare && !live.launch && !live.finalize)) return [];
    const deps = new Map<string, { selector: string; grouping: string }>();
    for (const d of live.dependsOn ?? []) deps.set(d.prefix, { selector: d.selector, grouping: d.grouping });
    const grouped = new Set(deps.keys());
    const fill = (text: string) =>
      text
        .replace(TEMPLATE, (whole, layer: string, svc: string, key: string) => {
          if (key !== 'url' && key !== 'address') return whole;
          const prefix = `${layer}_${svc}`;
          deps.set(prefix, { selector: `${layer}.${svc}.*`, grouping: 'round_robin' });
          return `{{ ${prefix}.${key === 'url' ? 'url' : '__address__'} }}`;
        })
        // A live.dependsOn prefix's .address is E2Clab's __address__.
        .replace(/\{\{\s*([A-Za-z_]\w*?)(\d*)\.address\s*\}\}/g, (whole, p: string, n: string) =>
          grouped.has(p) ? `{{ ${p}${n}.__address__ }}` : whole,
        );
    const argvTask = (argv: readonly string[]) => ({ command: { argv: argv.map(fill) } });
    const launch = [
      ...(live.command === undefined
        ? []
        : [Array.isArray(live.command) ? argvTask(live.command) : { shell: fill(live.command) }]),
      ...(live.launch ?? []).map(argvTask),
    ];
    const finalize = [
      ...(live.finalize?.commands ?? []).map(argvTask),
      ...(live.finalize?.files ?? []).map((src) => ({ fetch: { src, dest: `{{ working_dir }}/${s.id}/` } })),
    ];
    return [
      {
        hosts: `${s.id}.*`,
        ...(deps.size > 0
          ? {
              depends_on: [...deps].map(([prefix, d]) => ({
                service_selector: d.selector,
                grouping: d.grouping,
                prefix,
              })),
            }
          : {}),
        ...(live.prepare?.length ? { prepare: live.prepare.map(argvTask) } : {}),
        ...(launch.length > 0 ? { launch } : {}),
        ...(finalize.length > 0 ? { finalize } : {}),
      },
    ];
  });

  return {
    files: {
      'layers_services.yaml': { environment, layers },
      'network.yaml': { networks },
      'workflow.yaml': workflow,
      [SIDECAR]: sidecar,
    },
  };
}
