import path from 'node:path';
import { type ResolvedScenario, type ResolvedService, selectHosts } from '../../scenario/index.js';
import { LiveError, LiveErrorCode } from '../errors.js';
import { ENV_NAME, shellJoin } from '../shell.js';
import type { LoadedTestbed } from '../testbed/load.js';
import { planAutoscalers } from './autoscale.js';
import { planEvents } from './events.js';
import { fallbackCommands, netemCommands, pairRules, undoCommands, verifyPairs } from './network.js';
import { fillGroupings, groupsOf, type TargetInstance } from './groupings.js';
import { fillPools, fillReferences, referencedServices, type Endpoint } from './templates.js';
import type {
  DriverSpec,
  EngineSpec,
  LivePlan,
  PlanFile,
  PlanHost,
  PlanImage,
  PlanInstance,
  PlanPhases,
  PlanProcess,
} from './types.js';

export interface PlanOptions {
  /** Short id of the run ([a-z0-9]{5}): names its namespaces, interfaces, tables and folders. */
  runId: string;
  /** Folder of the run's local state (local provider: the hosts' work dirs live under it). */
  stateDir: string;
  /** Seconds of workload; default the scenario's run.duration. */
  durationS?: number;
  /** Seconds excluded from the metrics; default the scenario's warm-up, scaled when the duration is changed. */
  warmupS?: number;
  repeat?: number;
  /** local provider: argv that runs e2ctwin (default: this checkout). */
  localE2ctwin?: string[];
  probePort?: number;
}

const DEFAULT_ENGINE_PORT = 8080;
const IMAGE_PORT = 18080;
const SPAN_LIMIT = 200_000;

/**
 * Places a scenario on a testbed and computes everything a live run does, as data: hosts and their
 * addresses, service instances, processes and containers with their commands, files to upload,
 * network rules in both forms (netem, fallback) and the pairs measured to verify them. Pure: it reads
 * and touches nothing.
 * @throws LiveError `E2C_ERR_LIVE_PLAN` when the scenario cannot be placed
 */
export function buildPlan(scenario: ResolvedScenario, loaded: LoadedTestbed, options: PlanOptions): LivePlan {
  const tb = loaded.testbed;
  if (!/^[a-z0-9]{5}$/.test(options.runId))
    throw new LiveError(
      LiveErrorCode.PLAN,
      `run id "${options.runId}" must be 5 lowercase letters or digits`,
    );
  const warnings: string[] = [];
  const durationS = options.durationS ?? scenario.run.duration;
  if (durationS === undefined)
    throw new LiveError(LiveErrorCode.PLAN, 'the scenario has no run.duration: give --duration');
  const scale = scenario.run.duration ? durationS / scenario.run.duration : 1;
  const warmupS = options.warmupS ?? Math.min(scenario.run.warmup * scale, durationS / 2);

  // Services that run live: those with a live section, an app (served by the reference engine) or a workload.
  const deployed = scenario.services.filter((s) => s.live || s.app || s.workload);
  for (const s of deployed) {
    if (s.workload && !deployed.some((t) => t.id === s.workload!.target)) {
      throw new LiveError(
        LiveErrorCode.PLAN,
        `${s.id}: its workload targets ${s.workload.target}, which does not run live`,
        { service: s.id },
      );
    }
  }

  // Placement: instances round-robin over the service's (or its layer's) hosts.
  const hostDefs = tb.hosts.filter((h) => !('jumpOnly' in h && h.jumpOnly));
  const used = new Map<string, PlanHost>();
  const instances: PlanInstance[] = [];
  for (const s of deployed) {
    const names = tb.services[s.id] ?? tb.services[s.layer];
    if (!names)
      throw new LiveError(
        LiveErrorCode.PLAN,
        `${s.id}: no host in the testbed (add "${s.id}: [host]" or "${s.layer}: [host]" under services:)`,
        { service: s.id },
      );
    for (let i = 0; i < slotsOf(scenario, s); i++) {
      const hostName = names[i % names.length]!;
      const def = hostDefs.find((h) => h.name === hostName);
      if (!def)
        throw new LiveError(LiveErrorCode.PLAN, `${s.id}: host ${hostName} is a jump host only`, {
          service: s.id,
        });
      instances.push({ service: s.id, index: i, name: `${s.id}#${i}`, host: hostName });
    }
  }
  for (const def of hostDefs) {
    if (!instances.some((i) => i.host === def.name)) continue;
    const index = used.size;
    const host: PlanHost =
      tb.provider === 'local'
        ? {
            name: def.name,
            index,
            address: `${tb.subnet.split('.').slice(0, 3).join('.')}.${index + 10}`,
            interface: `e2c${options.runId}${index}`,
            workDir: path.join(options.stateDir, 'hosts', def.name),
            netns: `e2c-${options.runId}-${def.name}`,
            instances: [],
          }
        : (() => {
            const d = def as Extract<(typeof tb.hosts)[number], { address?: string }>;
            return {
              name: d.name,
              index,
              address: d.address!,
              interface: d.interface,
              workDir: path.posix.join(d.workDir, options.runId),
              instances: [],
            };
          })();
    if (index > 240) throw new LiveError(LiveErrorCode.PLAN, 'more than 240 hosts');
    used.set(def.name, host);
  }
  for (const i of instances) used.get(i.host)!.instances.push(i.name);
  const hosts = [...used.values()];

  // Ports and endpoints (first instance of each service).
  const ports = new Map<string, number>();
  let nextEngine = DEFAULT_ENGINE_PORT;
  for (const s of deployed) {
    if (s.live?.port !== undefined) ports.set(s.id, s.live.port);
    else if (s.app && !s.live?.command && !s.live?.image) {
      while ([...ports.values()].includes(nextEngine)) nextEngine++;
      ports.set(s.id, nextEngine++);
    }
  }
  const endpoints = new Map<string, Endpoint>();
  const urls = new Map<string, string[]>();
  for (const s of deployed) {
    const mine = instances.filter((i) => i.service === s.id);
    const first = used.get(mine[0]!.host)!;
    endpoints.set(s.id, {
      host: first.name,
      address: first.address,
      ...(ports.has(s.id) ? { port: ports.get(s.id)! } : {}),
    });
    if (ports.has(s.id))
      urls.set(
        s.id,
        mine.map((i) => `http://${used.get(i.host)!.address}:${ports.get(s.id)!}`),
      );
  }

  const targetsOf = (service: string): TargetInstance[] =>
    instances
      .filter((i) => i.service === service)
      .map((i) => ({
        name: i.name,
        host: i.host,
        address: used.get(i.host)!.address,
        ...(ports.has(service) ? { port: ports.get(service)! } : {}),
      }));

  // Processes and containers, one per (service, host).
  const files: PlanFile[] = [];
  const processes: PlanProcess[] = [];
  const images: PlanImage[] = [];
  for (const s of orderByReferences(deployed)) {
    const hostNames = [...new Set(instances.filter((i) => i.service === s.id).map((i) => i.host))];
    if (s.live?.port !== undefined || ports.has(s.id)) {
      const clash = hostNames.find(
        (h) => instances.filter((i) => i.service === s.id && i.host === h).length > 1,
      );
      if (clash)
        throw new LiveError(
          LiveErrorCode.PLAN,
          `${s.id}: ${instances.filter((i) => i.service === s.id && i.host === clash).length} instances on host ${clash} would all listen on port ${ports.get(s.id)}: give it more hosts`,
          { service: s.id, host: clash },
        );
    }
    for (const h of hostNames) {
      const host = used.get(h)!;
      const mine = instances.filter((i) => i.service === s.id && i.host === h);
      const where = `${s.id} on ${h}`;
      const id = `${s.id}@${h}`;
      // E2Clab's depends_on groupings, for this process's first instance (round_robin picks by it).
      const groups = groupsOf(s.live, scenario.services, targetsOf, where);
      const fill = (text: string, what: string, quote = false) =>
        fillReferences(
          fillGroupings(fillPools(text, s.app?.pools ?? {}, what), groups, mine[0]!.index, what, quote),
          endpoints,
          what,
          quote,
        );
      const phases = phasesOf(s, (argv) => argv.map((a) => fill(a, where)));
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.live?.env ?? {})) {
        if (!ENV_NAME.test(k))
          throw new LiveError(LiveErrorCode.PLAN, `${where}: environment variable name "${k}" is not valid`, {
            service: s.id,
            name: k,
          });
        env[k] = fill(v, `${where}: env ${k}`);
      }
      // live.files: uploaded into the service's folder (the process's working directory) unless absolute.
      for (const f of s.live?.files ?? [])
        files.push({
          host: h,
          path: path.posix.isAbsolute(f.dst) ? f.dst : path.posix.join(s.id, f.dst),
          src: path.resolve(scenario.source.dir, f.src),
        });
      const kind: PlanProcess['kind'] = s.workload ? 'workload' : 'service';
      const port = ports.get(s.id);
      const health = {
        ...(s.live?.health?.path !== undefined ? { path: s.live.health.path } : {}),
        ...(s.live?.health?.command !== undefined ? { command: s.live.health.command } : {}),
        timeoutS: s.live?.health?.timeoutS ?? 30,
      };
      if (s.live?.image) {
        processes.push({
          id,
          service: s.id,
          host: h,
          dir: s.id,
          instances: mine.map((i) => i.name),
          kind,
          argv: [],
          env,
          image: s.live.image,
          ...(port !== undefined ? { port } : {}),
          health,
          ...(phases ? { phases } : {}),
          ...(mine.every((i) => i.index >= s.quantity) ? { dormant: true } : {}),
        });
        const img = tb.images.find((x) => x.name === s.live!.image);
        if (img)
          images.push({
            host: h,
            name: img.name,
            tar: path.resolve(loaded.dir, img.tar),
            ...(img.cmd ? { cmd: img.cmd } : {}),
          });
        else
          warnings.push(
            `${where}: image ${s.live.image} is not in the testbed's images: it must already be on the host's engine`,
          );
        continue;
      }
      let argv: string[];
      const command =
        s.live?.command ??
        (s.workload
          ? ['e2ctwin', 'drive', '--target', `{{ ${s.workload.target}.url }}`]
          : ['e2ctwin', 'engine', '--port', String(port)]);
      if (typeof command === 'string') argv = ['sh', '-c', fill(command, where, true)];
      else argv = command.map((a) => fill(a, where));
      const spec = 'spec.json';
      const specObj = s.workload
        ? driverSpec(s, mine, host, { scenario, urls, durationS })
        : s.app
          ? engineSpec(scenario, s, mine[0]!.name, port ?? DEFAULT_ENGINE_PORT, urls)
          : undefined;
      if (specObj) {
        files.push({ host: h, path: `${s.id}/${spec}`, content: `${JSON.stringify(specObj, null, 2)}\n` });
        env.E2CTWIN_LIVE_SPEC = spec;
      }
      processes.push({
        id,
        service: s.id,
        host: h,
        dir: s.id,
        instances: mine.map((i) => i.name),
        kind,
        argv,
        env,
        ...(port !== undefined ? { port } : {}),
        health,
        ...(specObj ? { spec } : {}),
        ...(phases ? { phases } : {}),
        ...(mine.every((i) => i.index >= s.quantity) ? { dormant: true } : {}),
      });
    }
  }
  // e2ctwin on the hosts: a wrapper on PATH when the command is not plain `e2ctwin`.
  const e2c = tb.provider === 'local' ? (tb.e2ctwin ?? options.localE2ctwin ?? ['e2ctwin']) : tb.e2ctwin;
  if (!(e2c.length === 1 && e2c[0] === 'e2ctwin')) {
    for (const h of hosts)
      files.push({
        host: h.name,
        path: 'bin/e2ctwin',
        content: `#!/bin/sh\nexec ${shellJoin(e2c)} "$@"\n`,
        mode: 0o755,
      });
  }

  // Network.
  const rules = pairRules(scenario, hosts, instances, warnings);
  const nftTable = `e2ctwin_${options.runId}`;
  // Before the shaping commands: an event that gives an unshaped pair a rate gives it a fallback class.
  const events = planEvents({ scenario, processes, rules, nftTable, durationS, warnings });
  const autoscalers = planAutoscalers({ scenario, processes, durationS, driverPort: IMAGE_PORT, warnings });
  return {
    runId: options.runId,
    scenario: scenario.name,
    provider: tb.provider,
    seed: scenario.seed,
    durationS,
    warmupS,
    repeat: options.repeat ?? 1,
    hosts,
    instances,
    files,
    processes,
    images,
    network: {
      mode: tb.emulation,
      rules,
      netem: netemCommands(rules),
      fallback: fallbackCommands(rules, nftTable),
      undo: undoCommands(rules, nftTable),
      nftTable,
      verify: verifyPairs(scenario, rules),
      probePort: options.probePort ?? 47800,
    },
    events,
    autoscalers,
    warnings,
  };
}

/** Services in an order where each one starts after the services its command and env reference; workloads last. */
function orderByReferences(services: ResolvedService[]): ResolvedService[] {
  const refs = (s: ResolvedService) => {
    const c = s.live?.command;
    const texts = [...(typeof c === 'string' ? [c] : (c ?? [])), ...Object.values(s.live?.env ?? {})];
    const deps = (s.live?.dependsOn ?? []).flatMap((d) => {
      const r = selectHosts(d.selector, services);
      return r.ok ? [...r.selection.services, ...r.selection.instances.map((x) => x.service)] : [];
    });
    return new Set([...texts.flatMap(referencedServices), ...deps.filter((id) => id !== s.id)]);
  };
  const out: ResolvedService[] = [];
  const visiting = new Set<string>();
  const visit = (s: ResolvedService) => {
    if (out.includes(s)) return;
    if (visiting.has(s.id))
      throw new LiveError(LiveErrorCode.PLAN, `${s.id}: its command references form a cycle`, {
        service: s.id,
      });
    visiting.add(s.id);
    for (const r of refs(s)) {
      const t = services.find((x) => x.id === r);
      if (t) visit(t);
    }
    visiting.delete(s.id);
    out.push(s);
  };
  for (const s of services.filter((x) => !x.workload)) visit(s);
  for (const s of services.filter((x) => x.workload)) visit(s);
  return out;
}

function engineSpec(
  scenario: ResolvedScenario,
  s: ResolvedService,
  instance: string,
  port: number,
  urls: Map<string, string[]>,
): EngineSpec {
  const targets: Record<string, string[]> = {};
  for (const st of s.app!.stages)
    if (st.target && urls.has(st.target)) targets[st.target] = urls.get(st.target)!;
  return {
    kind: 'engine',
    scenario: scenario.name,
    service: s.id,
    instance,
    app: s.app!,
    seed: scenario.seed,
    port,
    cores: s.host.cpu.cores,
    targets,
    spansFile: 'spans.jsonl',
    statsFile: 'stats.jsonl',
    spanLimit: SPAN_LIMIT,
  };
}

/** What a driver's spec needs of the whole plan, beside its own service, instances and host. */
interface PlanWide {
  scenario: ResolvedScenario;
  urls: Map<string, string[]>;
  durationS: number;
}

function driverSpec(s: ResolvedService, mine: PlanInstance[], host: PlanHost, plan: PlanWide): DriverSpec {
  const { scenario, urls, durationS } = plan;
  const w = s.workload!;
  const target = scenario.services.find((t) => t.id === w.target)!;
  const app = target.app;
  const net = app?.stages.find((st) => st.resource === 'network');
  return {
    kind: 'driver',
    scenario: scenario.name,
    service: s.id,
    instances: mine.map((i) => ({ name: i.name, index: i.index })),
    workload: w,
    target: w.target,
    targetUrls: urls.get(w.target) ?? [],
    ...(target.balance ? { balance: target.balance } : {}),
    ...(target.live?.health?.path !== undefined ? { targetHealth: target.live.health.path } : {}),
    items: net?.perItem ? (app?.items ?? 1) : 1,
    itemBytes: net?.sizeBytes ?? 0,
    requestBytes: app?.requestBytes ?? 0,
    responseBytes: app?.responseBytes ?? 0,
    seed: scenario.seed,
    address: host.address,
    imagePort: IMAGE_PORT,
    spansFile: 'spans.jsonl',
    profileTimeScale: scenario.run.duration ? scenario.run.duration / durationS : 1,
    ...loadStepsOf(scenario, s.id),
    ...scaleStepsOf(scenario, target),
  };
}

/** The scale events of the driver's target, and its starting count (absent when it is never scaled). */
function scaleStepsOf(
  scenario: ResolvedScenario,
  target: ResolvedService,
): Pick<DriverSpec, 'scaleSteps' | 'scaleFrom'> {
  const steps = (scenario.events ?? []).flatMap((e, index) =>
    e.action === 'scale' && e.service === target.id ? [{ index, at: e.at, instances: e.instances }] : [],
  );
  // An autoscaled target starts with its quantity and gets its new counts at run time (POST /scale).
  return steps.length > 0 || target.autoscale ? { scaleSteps: steps, scaleFrom: target.quantity } : {};
}

/** Instances deployed for a service: its quantity, or more if a scale event or its autoscaler ever asks for more. */
function slotsOf(scenario: ResolvedScenario, s: ResolvedService): number {
  let n = Math.max(s.quantity, s.autoscale?.max ?? 0);
  for (const e of scenario.events ?? [])
    if (e.action === 'scale' && e.service === s.id) n = Math.max(n, e.instances);
  return n;
}

/** The scenario's load steps of workload `id` for its drivers (planEvents refuses those a driver cannot apply). */
function loadStepsOf(scenario: ResolvedScenario, id: string): Pick<DriverSpec, 'loadSteps'> {
  const steps = (scenario.events ?? []).flatMap((e, index) =>
    e.action === 'load' && e.service === id ? [{ index, at: e.at, factor: e.factor }] : [],
  );
  return steps.length > 0 ? { loadSteps: steps } : {};
}

/** The service's workflow phases with their references filled, or undefined when it has none. */
function phasesOf(s: ResolvedService, fill: (argv: string[]) => string[]): PlanPhases | undefined {
  const l = s.live;
  if (!l?.prepare?.length && !l?.launch?.length && !l?.finalize) return undefined;
  return {
    prepare: (l.prepare ?? []).map(fill),
    launch: (l.launch ?? []).map(fill),
    finalize: { commands: (l.finalize?.commands ?? []).map(fill), files: [...(l.finalize?.files ?? [])] },
  };
}
