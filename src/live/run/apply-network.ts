import { LiveError, LiveErrorCode } from '../errors.js';
import type { RunState } from './state.js';

/**
 * Applies the plan's network constraints on the hosts (tc netem, or the fallback: htb rate, nftables
 * loss, delay by the userspace switch), every change journaled with its undo, and fills the run's
 * emulation report with what was applied.
 */
export async function applyNetwork(s: RunState): Promise<void> {
  const net = s.plan.network;
  if (net.rules.length === 0 || net.mode === 'none') {
    s.emulation.description =
      net.mode === 'none' ? 'network emulation off (testbed emulation: none)' : s.emulation.description;
    s.log(`network: ${s.emulation.description}`);
    return;
  }
  const caps = await s.guard(s.target!.capabilities());
  s.emulation.netemSupported = caps.netem;
  s.userspaceDelay = caps.userspaceDelay;
  const mode = net.mode === 'auto' ? (caps.netem ? 'netem' : 'fallback') : net.mode;
  if (mode === 'netem' && !caps.netem)
    throw new LiveError(
      LiveErrorCode.REQUIREMENT,
      'tc netem is not available on the hosts (`tc qdisc add … netem` failed): use emulation: auto or fallback',
    );
  s.emulation.mode = mode;
  const cmds = mode === 'netem' ? net.netem : net.fallback.kernel;
  const hostsByName = new Map(s.plan.hosts.map((h) => [h.name, h]));
  for (const [host, list] of Object.entries(cmds)) {
    const h = s.hosts.get(host)!;
    journalNetworkUndo(s, host);
    // As EnOSlib: reset the interface's root qdisc first (a real NIC has one), errors ignored.
    await h.exec(['tc', 'qdisc', 'del', 'dev', hostsByName.get(host)!.interface, 'root']);
    for (const c of list) await s.guard(h.check(await withAddresses(s, host, c)));
  }
  const hasDelay = net.rules.some((r) => r.delayMs > 0);
  if (mode === 'netem') {
    s.emulation.delay = hasDelay ? 'netem' : 'none';
    s.emulation.description =
      'tc netem (EnOSlib NetemHTB shape: an htb class per destination with a netem child for delay and loss)';
  } else {
    if (hasDelay && caps.userspaceDelay) {
      await s.target!.setDelays(net.fallback.delays);
      s.emulation.delay = 'userspace switch';
    } else if (hasDelay) {
      s.emulation.delay = 'not emulated';
    }
    s.emulation.description = `fallback (${caps.netem ? 'chosen by the testbed' : 'no sch_netem in this kernel: `tc qdisc add … netem` failed'}): rate by an htb class per destination, loss by nftables numgen in table ${net.nftTable}, delay ${s.emulation.delay === 'userspace switch' ? "by the userspace switch between the hosts' TAP devices" : s.emulation.delay === 'not emulated' ? 'NOT emulated (no userspace path on this provider)' : 'none needed'}`;
  }
  s.log(`network: ${s.emulation.description}`);
}

/** Journals the undo of a host's shaping (once per host) before anything is changed on it. */
export function journalNetworkUndo(s: RunState, host: string): void {
  if (s.networkJournaled.has(host)) return;
  const netns = s.plan.hosts.find((h) => h.name === host)?.netns;
  s.journal!.record({
    kind: 'remote-commands',
    host,
    commands: s.plan.network.undo[host] ?? [],
    what: 'network emulation (tc qdisc, nft table)',
    ...(netns ? { netns } : {}),
  });
  s.networkJournaled.add(host);
}

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/**
 * A tc or nft command with the destination names replaced by IPv4 addresses (tc filters and nft rules
 * match addresses; ssh inventories may name hosts): resolved once on the source host.
 */
export async function withAddresses(s: RunState, host: string, argv: readonly string[]): Promise<string[]> {
  let ips = s.addresses.get(host);
  if (!ips) {
    ips = new Map();
    const h = s.hosts.get(host)!;
    for (const r of s.plan.network.rules.filter((x) => x.src === host && !IPV4.test(x.dstAddress))) {
      const got = (await s.guard(h.exec(['getent', 'ahostsv4', r.dstAddress]))).stdout.trim().split(/\s+/)[0];
      if (!got || !IPV4.test(got))
        throw new LiveError(
          LiveErrorCode.HOST,
          `${host}: cannot resolve ${r.dstAddress} to an IPv4 address for tc`,
          { host },
        );
      ips.set(r.dstAddress, got);
    }
    s.addresses.set(host, ips);
  }
  const m = ips;
  return argv.map(
    (a) => m.get(a) ?? (a.endsWith('/32') && m.has(a.slice(0, -3)) ? `${m.get(a.slice(0, -3))}/32` : a),
  );
}

/** The userspace path's delays with the calibration's correction of each pair's constraint subtracted. */
export function correctedDelays(
  s: RunState,
  delays: readonly { src: string; dst: string; delayMs: number }[],
): { src: string; dst: string; delayMs: number }[] {
  return delays.map((d) => {
    const rule = s.plan.network.rules.find((r) => r.src === d.src && r.dst === d.dst);
    return {
      ...d,
      delayMs: Math.max(0, d.delayMs - (rule ? (s.delayCorrections.get(rule.constraint) ?? 0) : 0)),
    };
  });
}
