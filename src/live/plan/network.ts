import type { ResolvedScenario } from '../../scenario/index.js';
import type { HostCommands, NetworkPlan, PairRule, PlanHost, PlanInstance, VerifyPair } from './types.js';

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
        Number.isFinite(r.rateMbps) ? kbit(r.rateMbps) : '10gbit',
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
    const shaped = rs.filter((r) => Number.isFinite(r.rateMbps));
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
          kbit(r.rateMbps),
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
      cmds.push(['nft', 'add', 'table', 'inet', nftTable]);
      cmds.push(['nft', 'add', 'chain', 'inet', nftTable, 'out', '{ type filter hook output priority 0 ; }']);
      for (const r of lossy) {
        cmds.push([
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
          r.dstAddress,
          'numgen',
          'random',
          'mod',
          '1000000',
          '<',
          String(Math.round(r.lossPercent * 10_000)),
          'drop',
        ]);
      }
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
