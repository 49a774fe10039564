import type { ResolvedScenario } from '../../scenario/index.js';
import type {
  HostCommands,
  LinkChangeCommands,
  NetworkPlan,
  PairRule,
  PlanHost,
  PlanInstance,
  VerifyPair,
} from './types.js';

/** Rates at or above this are "unlimited" (the scenario's default link) and not shaped. */
export const UNSHAPED_MBPS = 10_000;

interface Svc {
  id: string;
  layer: string;
}

/** How specifically a selector matches a service: 2 for the service, 1 for its layer, 0 not at all (as the simulator). */
function score(selector: string, s: Svc): number {
  if (selector === s.id) return 2;
  if (selector === s.layer) return 1;
  return 0;
}

/**
 * Shaping rules between every ordered pair of hosts: the most specific constraint matching a service
 * of the source host and a service of the destination host (a symmetric constraint also matches the
 * reverse direction) — the simulator's rule, applied per destination address.
 */
export function pairRules(
  scenario: ResolvedScenario,
  hosts: readonly PlanHost[],
  instances: readonly PlanInstance[],
  warnings: string[],
): PairRule[] {
  const svcOf = new Map(scenario.services.map((s) => [s.id, { id: s.id, layer: s.layer }]));
  const services = (h: PlanHost): Svc[] =>
    [...new Set(instances.filter((i) => i.host === h.name).map((i) => i.service))].map(
      (id) => svcOf.get(id)!,
    );
  const rules: PairRule[] = [];
  const shared = scenario.network.filter((c) => c.sharing === 'shared').map((c) => `${c.src}→${c.dst}`);
  if (shared.length > 0)
    warnings.push(
      `sharing: shared (${shared.join(', ')}) is applied per host pair in live mode (each pair gets the full rate)`,
    );
  for (const a of hosts) {
    for (const b of hosts) {
      if (a === b) continue;
      let best: { index: number; score: number } | undefined;
      const seen = new Set<number>();
      for (const sa of services(a)) {
        for (const sb of services(b)) {
          scenario.network.forEach((c, index) => {
            const s = Math.max(
              score(c.src, sa) * score(c.dst, sb),
              c.symmetric ? score(c.src, sb) * score(c.dst, sa) : 0,
            );
            if (s === 0) return;
            seen.add(index);
            if (!best || s > best.score) best = { index, score: s };
          });
        }
      }
      if (!best) continue;
      if (seen.size > 1)
        warnings.push(
          `hosts ${a.name} → ${b.name}: constraints ${[...seen].join(', ')} all match (their services share hosts); applying constraint ${best.index}`,
        );
      const c = scenario.network[best.index]!;
      const forward = services(a).some((sa) =>
        services(b).some((sb) => score(c.src, sa) * score(c.dst, sb) > 0),
      );
      rules.push({
        forward,
        src: a.name,
        dst: b.name,
        dstAddress: b.address,
        device: a.interface,
        constraint: best.index,
        delayMs: c.delayMs,
        rateMbps: c.rateMbps >= UNSHAPED_MBPS ? Infinity : c.rateMbps,
        lossPercent: c.lossPercent,
      });
    }
  }
  return rules;
}

const kbit = (mbps: number) => `${Math.max(8, Math.round(mbps * 1000))}kbit`;
/** An htb class rate: the pair's rate, or 10 Gbit/s for an unshaped pair. */
const htbRate = (mbps: number) => (Number.isFinite(mbps) ? kbit(mbps) : '10gbit');

/** A pair gets an htb class in the fallback when it has a rate, now or after a link event. */
export function fallbackClassed(r: PairRule): boolean {
  return Number.isFinite(r.rateMbps) || r.classed === true;
}

/** The fallback's nftables table and output chain of the run (`add` leaves existing ones alone). */
function nftLossChain(nftTable: string): string[][] {
  return [
    ['nft', 'add', 'table', 'inet', nftTable],
    ['nft', 'add', 'chain', 'inet', nftTable, 'out', '{ type filter hook output priority 0 ; }'],
  ];
}

/** Drops `lossPercent` % of the packets leaving `dev` for `address`, at random (nftables numgen). */
function nftLossRule(nftTable: string, dev: string, address: string, lossPercent: number): string[] {
  return [
    'nft',
    'add',
    'rule',
    'inet',
    nftTable,
    'out',
    'oifname',
    dev,
    'ip',
    'daddr',
    address,
    'numgen',
    'random',
    'mod',
    '1000000',
    '<',
    String(Math.round(lossPercent * 10_000)),
    'drop',
  ];
}
const ms = (x: number) => `${Number(x.toFixed(3))}ms`;
const pct = (x: number) => `${Number(x.toFixed(4))}%`;

/**
 * tc commands in EnOSlib's NetemHTB shape: one htb class per destination on the source's interface,
 * with a netem child for delay and loss and a u32 filter on the destination address.
 */
export function netemCommands(rules: readonly PairRule[]): HostCommands {
  const out: HostCommands = {};
  for (const [host, rs] of bySource(rules)) {
    const dev = rs[0]!.device;
    const cmds: string[][] = [['tc', 'qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb']];
    rs.forEach((r, i) => {
      const cls = `1:${i + 1}`;
      cmds.push([
        'tc',
        'class',
        'add',
        'dev',
        dev,
        'parent',
        '1:',
        'classid',
        cls,
        'htb',
        'rate',
        htbRate(r.rateMbps),
      ]);
      const netem = ['delay', ms(r.delayMs), ...(r.lossPercent > 0 ? ['loss', pct(r.lossPercent)] : [])];
      cmds.push(['tc', 'qdisc', 'add', 'dev', dev, 'parent', cls, 'handle', `${i + 10}:`, 'netem', ...netem]);
      cmds.push([
        'tc',
        'filter',
        'add',
        'dev',
        dev,
        'parent',
        '1:',
        'protocol',
        'ip',
        'u32',
        'match',
        'ip',
        'dst',
        `${r.dstAddress}/32`,
        'flowid',
        cls,
      ]);
    });
    out[host] = cmds;
  }
  return out;
}

/**
 * The fallback for kernels without sch_netem: rate with an htb class per destination (no netem child),
 * loss with an nftables table of the run (numgen random per destination address). Delay is left to
 * the userspace path (the returned per-pair delays).
 */
export function fallbackCommands(rules: readonly PairRule[], nftTable: string): NetworkPlan['fallback'] {
  const kernel: HostCommands = {};
  for (const [host, rs] of bySource(rules)) {
    const dev = rs[0]!.device;
    const cmds: string[][] = [];
    const shaped = rs.filter(fallbackClassed);
    if (shaped.length > 0) {
      cmds.push(['tc', 'qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb']);
      shaped.forEach((r, i) => {
        const cls = `1:${i + 1}`;
        cmds.push([
          'tc',
          'class',
          'add',
          'dev',
          dev,
          'parent',
          '1:',
          'classid',
          cls,
          'htb',
          'rate',
          htbRate(r.rateMbps),
        ]);
        cmds.push([
          'tc',
          'filter',
          'add',
          'dev',
          dev,
          'parent',
          '1:',
          'protocol',
          'ip',
          'u32',
          'match',
          'ip',
          'dst',
          `${r.dstAddress}/32`,
          'flowid',
          cls,
        ]);
      });
    }
    const lossy = rs.filter((r) => r.lossPercent > 0);
    if (lossy.length > 0) {
      cmds.push(...nftLossChain(nftTable));
      for (const r of lossy) cmds.push(nftLossRule(nftTable, dev, r.dstAddress, r.lossPercent));
    }
    if (cmds.length > 0) kernel[host] = cmds;
  }
  const delays = rules
    .filter((r) => r.delayMs > 0)
    .map((r) => ({ src: r.src, dst: r.dst, delayMs: r.delayMs }));
  return { kernel, delays };
}

/** Commands that remove what either form added (run with errors ignored). */
export function undoCommands(rules: readonly PairRule[], nftTable: string): HostCommands {
  const out: HostCommands = {};
  for (const [host, rs] of bySource(rules)) {
    out[host] = [
      ['tc', 'qdisc', 'del', 'dev', rs[0]!.device, 'root'],
      ['nft', 'delete', 'table', 'inet', nftTable],
    ];
  }
  return out;
}

/** One measured pair per constraint: its first source host towards its first destination host. */
export function verifyPairs(scenario: ResolvedScenario, rules: readonly PairRule[]): VerifyPair[] {
  const out: VerifyPair[] = [];
  const rule = (src: string, dst: string) => rules.find((r) => r.src === src && r.dst === dst);
  scenario.network.forEach((c, index) => {
    // Measured in the constraint's own direction (src → dst) where a pair has it.
    const r =
      rules.find((x) => x.constraint === index && x.forward) ?? rules.find((x) => x.constraint === index);
    if (!r) return;
    const back = rule(r.dst, r.src);
    out.push({
      constraint: index,
      label: `${c.src} → ${c.dst}`,
      src: r.src,
      dst: r.dst,
      dstAddress: r.dstAddress,
      expectedRttMs: r.delayMs + (back?.delayMs ?? 0),
      expectedMbps: Number.isFinite(r.rateMbps) ? r.rateMbps : null,
    });
  });
  return out;
}

function bySource(rules: readonly PairRule[]): Map<string, PairRule[]> {
  const m = new Map<string, PairRule[]>();
  for (const r of rules) {
    let list = m.get(r.src);
    if (!list) m.set(r.src, (list = []));
    list.push(r);
  }
  return m;
}

/** A constraint's delay, rate (Infinity: unshaped) and loss, and whether it is cut (absent: not cut). */
export interface LinkConditions {
  delayMs: number;
  rateMbps: number;
  lossPercent: number;
  cut?: boolean;
}

/**
 * The run's nftables chain of cut links: ahead of the loss chain (a lower priority number), so that a cut
 * pair's packets are refused rather than sometimes dropped.
 */
function nftCutChain(nftTable: string): string[][] {
  return [
    ['nft', 'add', 'table', 'inet', nftTable],
    ['nft', 'add', 'chain', 'inet', nftTable, 'cut', '{ type filter hook output priority -10 ; }'],
  ];
}

/**
 * A cut pair: its TCP packets are answered by a reset on their own host (a connection fails at once,
 * as a peer resetting it does, rather than hanging until a timeout), every other packet dropped.
 */
function nftCutRules(nftTable: string, dev: string, address: string): string[][] {
  const match = ['oifname', dev, 'ip', 'daddr', address];
  return [
    [
      'nft',
      'add',
      'rule',
      'inet',
      nftTable,
      'cut',
      ...match,
      'meta',
      'l4proto',
      'tcp',
      'reject',
      'with',
      'tcp',
      'reset',
    ],
    ['nft', 'add', 'rule', 'inet', nftTable, 'cut', ...match, 'drop'],
  ];
}

/**
 * The commands that give constraint `constraint` new conditions on every host pair it shapes, the other
 * constraints keeping theirs (`conditions`: every constraint changed so far, this one included; `before`:
 * this one's conditions until now). netem: the pair's htb class rate and its netem child's delay and
 * loss, changed in place (the classes and handles {@link netemCommands} made). Fallback: the htb class
 * rate of each classed pair; when the loss changes, the nftables chain of each source host flushed and
 * its loss rules written again with the current values; when the delay changes, the delays of every
 * pair for the userspace switch (it replaces them all at once).
 */
export function linkChangeCommands(options: {
  rules: readonly PairRule[];
  conditions: ReadonlyMap<number, LinkConditions>;
  constraint: number;
  before: LinkConditions;
  nftTable: string;
}): LinkChangeCommands {
  const { rules, conditions, constraint, before, nftTable } = options;
  const now = (r: PairRule): LinkConditions => conditions.get(r.constraint) ?? r;
  const next = conditions.get(constraint)!;
  const cutChanges = (next.cut ?? false) !== (before.cut ?? false);
  // A cut or its end alone leaves the shaping as it is: only the cut chain changes.
  const shapingChanges =
    next.delayMs !== before.delayMs ||
    next.rateMbps !== before.rateMbps ||
    next.lossPercent !== before.lossPercent;
  const netem: HostCommands = {};
  const kernel: HostCommands = {};
  for (const [host, rs] of bySource(rules)) {
    if (!rs.some((r) => r.constraint === constraint)) continue;
    const dev = rs[0]!.device;
    // The host's cut chain written again with every pair cut now (the same in both forms).
    const cut: string[][] = [];
    if (cutChanges) {
      cut.push(...nftCutChain(nftTable), ['nft', 'flush', 'chain', 'inet', nftTable, 'cut']);
      for (const r of rs) if (now(r).cut) cut.push(...nftCutRules(nftTable, dev, r.dstAddress));
    }
    const n: string[][] = [];
    rs.forEach((r, i) => {
      if (r.constraint !== constraint || (cutChanges && !shapingChanges)) return;
      const cls = `1:${i + 1}`;
      n.push(htbRateChange(dev, cls, next.rateMbps));
      n.push([
        'tc',
        'qdisc',
        'change',
        'dev',
        dev,
        'parent',
        cls,
        'handle',
        `${i + 10}:`,
        'netem',
        'delay',
        ms(next.delayMs),
        'loss',
        pct(next.lossPercent),
      ]);
    });
    netem[host] = [...n, ...cut];
    const k: string[][] = [];
    if (next.rateMbps !== before.rateMbps)
      rs.filter(fallbackClassed).forEach((r, i) => {
        if (r.constraint === constraint) k.push(htbRateChange(dev, `1:${i + 1}`, next.rateMbps));
      });
    if (next.lossPercent !== before.lossPercent) {
      k.push(...nftLossChain(nftTable), ['nft', 'flush', 'chain', 'inet', nftTable, 'out']);
      for (const r of rs) {
        const loss = now(r).lossPercent;
        if (loss > 0) k.push(nftLossRule(nftTable, dev, r.dstAddress, loss));
      }
    }
    k.push(...cut);
    if (k.length > 0) kernel[host] = k;
  }
  const delays =
    next.delayMs !== before.delayMs
      ? rules
          .filter((r) => now(r).delayMs > 0)
          .map((r) => ({ src: r.src, dst: r.dst, delayMs: now(r).delayMs }))
      : undefined;
  return { netem, fallback: { kernel, ...(delays ? { delays } : {}) } };
}

/** The command that sets an htb class's rate (a shaping change during a run: the class keeps its queue). */
function htbRateChange(dev: string, classid: string, rateMbps: number): string[] {
  return [
    'tc',
    'class',
    'change',
    'dev',
    dev,
    'parent',
    '1:',
    'classid',
    classid,
    'htb',
    'rate',
    htbRate(rateMbps),
  ];
}
