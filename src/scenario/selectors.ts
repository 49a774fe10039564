import { closest } from './did-you-mean.js';

/**
 * E2Clab-style host selectors, resolved against a scenario's services. E2Clab names hosts by role
 * (Ansible host patterns over `cloud`, `cloud.server`, `cloud.server.1`…); a scenario may use the same
 * words: a layer (`edge`), a service (`edge.users`), a glob (`cloud.*`, `fog.gateway.*`), one instance
 * (`cloud.engine.1`, 1-based) or a role given to services with `roles: [client]` (`client`).
 */
export interface SelectableService {
  layer: string;
  name: string;
  quantity: number;
  roles: readonly string[];
}

/** What a selector picked: whole services by id, and single instances (1-based) of services. */
export interface Selection {
  /** `<layer>.<service>` of every service picked whole, in scenario order. */
  services: string[];
  /** Instances picked one by one (a service picked whole is not repeated here). */
  instances: { service: string; index: number }[];
  /** The layer, when the selector names exactly one layer's services, all of them. */
  layer?: string;
}

export type SelectorResult =
  | { ok: true; selection: Selection }
  | { ok: false; message: string; hint?: string };

const isGlob = (s: string) => /[*?[]/.test(s);

/** An Ansible/fnmatch-style glob as a regular expression: `*` any run of characters, `?` one. */
function globRegex(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

/** Every name a selector may use, for "nearest names" hints: layers, services, roles, instances. */
export function selectorNames(services: readonly SelectableService[]): string[] {
  const names = new Set<string>();
  for (const s of services) {
    names.add(s.layer);
    names.add(`${s.layer}.${s.name}`);
    for (const r of s.roles) names.add(r);
  }
  return [...names];
}

/** Resolves one selector; a selector that matches nothing is refused with the nearest names. */
export function selectHosts(selector: string, services: readonly SelectableService[]): SelectorResult {
  const layers = [...new Set(services.map((s) => s.layer))];
  const id = (s: SelectableService) => `${s.layer}.${s.name}`;
  // Only a layer name or a glob covering a layer stands for the layer (and keeps a layer's lower
  // precedence in the model); a service or a role names services, even when they fill their layer.
  const whole = (picked: readonly SelectableService[], asLayer = false): SelectorResult => {
    const ids = picked.map(id);
    const layer = !asLayer
      ? undefined
      : layers.find((l) => {
          const of = services.filter((s) => s.layer === l).map(id);
          return of.length === ids.length && of.every((x) => ids.includes(x));
        });
    return { ok: true, selection: { services: ids, instances: [], ...(layer ? { layer } : {}) } };
  };

  if (layers.includes(selector))
    return whole(
      services.filter((s) => s.layer === selector),
      true,
    );
  const byId = services.find((s) => id(s) === selector);
  if (byId) return whole([byId]);
  const withRole = services.filter((s) => s.roles.includes(selector));
  if (withRole.length > 0) return whole(withRole);

  const inst = /^(.+)\.(\d+)$/.exec(selector);
  if (inst && !isGlob(selector)) {
    const svc = services.find((s) => id(s) === inst[1]);
    if (svc) {
      const index = Number(inst[2]);
      if (index < 1 || index > svc.quantity)
        return {
          ok: false,
          message: `no instance ${index} of "${id(svc)}" (it has ${svc.quantity}, numbered from 1)`,
        };
      // One instance of a single-instance service is the whole service.
      if (svc.quantity === 1) return whole([svc]);
      return { ok: true, selection: { services: [], instances: [{ service: id(svc), index }] } };
    }
  }

  if (isGlob(selector)) {
    const re = globRegex(selector);
    const picked: SelectableService[] = [];
    const instances: { service: string; index: number }[] = [];
    for (const s of services) {
      if (re.test(s.layer) || re.test(id(s))) {
        picked.push(s);
        continue;
      }
      const hit: number[] = [];
      for (let i = 1; i <= s.quantity; i++) if (re.test(`${id(s)}.${i}`)) hit.push(i);
      if (hit.length === s.quantity) picked.push(s);
      else for (const index of hit) instances.push({ service: id(s), index });
    }
    if (picked.length > 0 || instances.length > 0) {
      const r = whole(picked, true);
      if (r.ok && instances.length > 0) {
        const { layer: _wholeLayer, ...rest } = r.selection;
        return { ok: true, selection: { ...rest, instances } };
      }
      return r;
    }
  }
  const names = selectorNames(services);
  const near = closest(selector.replace(/\.?[*?]/g, ''), names);
  return {
    ok: false,
    message: `selector "${selector}" matches no layer, service, instance or role`,
    hint: near
      ? `nearest: "${near}"`
      : `names: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`,
  };
}

/** A selector problem of a scenario, at its field path. */
export interface SelectorIssue {
  path: (string | number)[];
  message: string;
  hint?: string;
}

/**
 * The selectors of a scenario resolved once, into the explicit names the model reads: each network
 * constraint's ends become layer names or service ids (a glob covering a whole layer becomes the layer,
 * so it keeps a layer's precedence; one covering some services becomes those services), each workload
 * target one service id.
 */
export interface ResolvedSelectors {
  /** Per network constraint (same index): the explicit names of each end. */
  network: { src: string[]; dst: string[] }[];
  /** Workload target by `<layer>.<service>` of the service holding the workload. */
  targets: Map<string, string>;
  issues: SelectorIssue[];
}

interface SelectorDoc {
  layers: readonly {
    name: string;
    services: readonly {
      name: string;
      quantity: number;
      roles: readonly string[];
      workload?: { target: string };
    }[];
  }[];
  network: readonly { src: string; dst: string; sharing: string }[];
}

export function resolveSelectors(doc: SelectorDoc): ResolvedSelectors {
  const services: SelectableService[] = doc.layers.flatMap((l) =>
    l.services.map((s) => ({ layer: l.name, name: s.name, quantity: s.quantity, roles: s.roles })),
  );
  const issues: SelectorIssue[] = [];
  const targets = new Map<string, string>();
  doc.layers.forEach((l, li) =>
    l.services.forEach((s, si) => {
      const t = s.workload?.target;
      if (t === undefined) return;
      const at = ['layers', li, 'services', si, 'workload', 'target'];
      const r = selectHosts(t, services);
      if (!r.ok) {
        // A plain `<layer>.<service>` that names nothing is left to the reference check (same message as before).
        if (/^[\w-]+\.[\w-]+$/.test(t)) targets.set(`${l.name}.${s.name}`, t);
        else issues.push({ path: at, message: r.message, ...(r.hint ? { hint: r.hint } : {}) });
        return;
      }
      const { services: ids, instances } = r.selection;
      if (instances.length > 0 || ids.length !== 1)
        issues.push({
          path: at,
          message:
            instances.length > 0
              ? `target "${t}" picks single instances (${instances.map((x) => `${x.service}.${x.index}`).join(', ')}); a workload targets a whole service (its requests are spread over its instances)`
              : `target "${t}" matches ${ids.length} services (${ids.join(', ')}); a workload targets one service`,
        });
      else targets.set(`${l.name}.${s.name}`, ids[0]!);
    }),
  );
  const network = doc.network.map((n, ni) => {
    const ends = { src: [] as string[], dst: [] as string[] };
    for (const end of ['src', 'dst'] as const) {
      const r = selectHosts(n[end], services);
      const at = ['network', ni, end];
      if (!r.ok) {
        issues.push({ path: at, message: r.message, ...(r.hint ? { hint: r.hint } : {}) });
        continue;
      }
      const { services: ids, instances, layer } = r.selection;
      if (instances.length > 0) {
        issues.push({
          path: at,
          message: `"${n[end]}" picks single instances (${instances.map((x) => `${x.service}.${x.index}`).join(', ')}); the simulator shapes whole services: select the service`,
        });
        continue;
      }
      ends[end] = layer !== undefined ? [layer] : ids;
      if (ends[end].length > 1 && n.sharing === 'shared')
        issues.push({
          path: at,
          message: `"${n[end]}" matches ${ends[end].length} services; a shared link needs one layer or one service at each end`,
        });
    }
    return ends;
  });
  return { network, targets, issues };
}
