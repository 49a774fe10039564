import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, recoverLeftovers } from '../../src/live/journal.js';
import { buildPlan } from '../../src/live/plan/build.js';
import { fallbackCommands } from '../../src/live/plan/network.js';
import { LocalTarget, SshTarget } from '../../src/live/providers/index.js';
import { remoteUndo } from '../../src/live/run/recover.js';
import type { LiveHost } from '../../src/live/target.js';
import { parseTestbed } from '../../src/live/testbed/load.js';
import { loadScenarioOrThrow } from '../../src/scenario/index.js';
import { leftovers, liveRequirements } from '../live/support.js';
import { liveTargetConformance } from './live-target.js';

const skip = liveRequirements(['busybox', 'ping']);
const stateRoot = '/tmp/e2ctwin-live-conformance';
const scenario = () =>
  loadScenarioOrThrow('conformance.yaml', {
    text: 'name: conformance\nrun: { duration: 1 }\nlayers:\n  - name: a\n    services: [{ name: s, live: { command: ["true"] } }]\n  - name: b\n    services: [{ name: s, live: { command: ["true"] } }]\n',
  });
const id = () => Math.random().toString(36).slice(2, 7).padEnd(5, '0');

describe.skipIf(skip)(`live providers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  // The local provider builds two hosts (namespaces, sshd, bridges); the ssh provider then reaches
  // the same machines as an inventory would: a through its Unix-socket bridge with the run's key, b
  // through a as its jump host (b's sshd at its testbed address, never from the root namespace).
  const runId = id();
  const stateDir = path.join(stateRoot, runId);
  let journal: Journal;
  let local: LocalTarget;
  let localHosts: LiveHost[] = [];
  let ssh: SshTarget;
  let sshHosts: LiveHost[] = [];
  const sshState = path.join(stateRoot, `${runId}-ssh`);

  beforeAll(async () => {
    await recoverLeftovers(stateRoot);
    const tb = parseTestbed({
      provider: 'local',
      hosts: [{ name: 'a' }, { name: 'b' }],
      services: { a: ['a'], b: ['b'] },
      subnet: '10.213.0.0/24',
    });
    const plan = buildPlan(scenario(), tb, { runId, stateDir });
    journal = Journal.open(stateRoot, runId);
    local = new LocalTarget(stateDir);
    localHosts = await local.provision(plan, journal, () => {});
    const key = path.join(stateDir, 'keys', 'client_ed25519');
    const sshTb = parseTestbed({
      provider: 'ssh',
      hosts: [
        {
          name: 'a',
          address: plan.hosts[0]!.address,
          ssh: { user: 'root', key, unixSocket: path.join(stateDir, 'ssh', 'a', 'ssh.sock') },
          interface: plan.hosts[0]!.interface,
          workDir: path.join(stateDir, 'ssh-a'),
        },
        {
          name: 'b',
          address: plan.hosts[1]!.address,
          ssh: { user: 'root', key, jump: 'a' },
          interface: plan.hosts[1]!.interface,
          workDir: path.join(stateDir, 'ssh-b'),
        },
      ],
      services: { a: ['a'], b: ['b'] },
    });
    const sshPlan = buildPlan(scenario(), sshTb, { runId, stateDir: sshState });
    ssh = new SshTarget(sshTb.testbed as never, sshState);
    sshHosts = await ssh.provision(sshPlan, journal, () => {});
  });

  afterAll(async () => {
    // The journal removes the ssh provider's remote resources over its connections, then the hosts.
    const problems = await journal?.cleanup(
      remoteUndo(() => new Map(sshHosts.map((h) => [h.name, h])), runId),
    );
    await ssh?.close();
    await local?.close();
    expect(problems).toEqual([]);
    expect(leftovers(runId, stateDir)).toEqual([]);
  });

  liveTargetConformance('local', () => ({ a: localHosts[0]!, b: localHosts[1]! }));
  liveTargetConformance('ssh', () => ({ a: sshHosts[0]!, b: sshHosts[1]! }));

  it('local hosts have their own hostname and no route out of the testbed', async () => {
    const [a] = localHosts;
    expect((await a!.exec(['hostname'])).stdout.trim()).toBe('a');
    const route = await a!.exec(['ip', 'route', 'get', '1.1.1.1']);
    expect(route.code).not.toBe(0);
    expect((await local.capabilities()).userspaceDelay).toBe(true);
  });

  it("the fallback's nftables loss drops about the configured share of packets, in a table of the run", async () => {
    const [a, b] = localHosts;
    const rules = [
      {
        src: 'a',
        dst: 'b',
        dstAddress: b!.address,
        device: `e2c${runId}0`,
        constraint: 0,
        forward: true,
        delayMs: 0,
        rateMbps: Infinity,
        lossPercent: 50,
      },
    ];
    const { kernel } = fallbackCommands(rules, `e2ctwin_${runId}`);
    for (const c of kernel.a!) await a!.check(c);
    try {
      // iputils ping goes on when a packet is dropped at send (nftables drop in the output hook: EPERM).
      const r = await a!.exec(['ping', '-q', '-c', '60', '-i', '0.02', '-W', '1', b!.address]);
      const received = Number(/(\d+) (?:packets )?received/.exec(r.stdout)?.[1]);
      expect(received).toBeGreaterThan(15);
      expect(received).toBeLessThan(45);
      expect((await a!.exec(['nft', 'list', 'tables'])).stdout).toContain(`e2ctwin_${runId}`);
    } finally {
      await a!.check(['nft', 'delete', 'table', 'inet', `e2ctwin_${runId}`]);
    }
  });

  it('the ssh provider reached b through its jump host', async () => {
    const [, b] = sshHosts;
    expect((await b!.exec(['hostname'])).stdout.trim()).toBe('b');
  });
});
