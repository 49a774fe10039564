import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LiveError, LiveErrorCode } from '../errors.js';
import { createTarget } from '../providers/index.js';
import { applyNetwork } from './apply-network.js';
import { HostSampler } from './host-sampler.js';
import { verifyNetwork } from './network-check.js';
import { runPrepare } from './phases.js';
import { engineOf, startProcess } from './services.js';
import { nowS, type RunState } from './state.js';

/**
 * The apply phase: provision the hosts, write the plan's files, apply and check the network
 * constraints, import container images, start the services (each waited for until ready), and set up
 * the host sampler (started by the drive phase). Everything created is journaled as it is created.
 */
export async function applyPlan(s: RunState): Promise<void> {
  const { plan, testbed } = s.input;
  const stateDir = path.join(s.input.stateRoot, plan.runId);
  s.target = createTarget(testbed.testbed, stateDir);
  await s.timed('hosts', async () => {
    const hosts = await s.guard(s.target!.provision(plan, s.journal!, (l) => s.log(l)));
    for (const h of hosts) s.hosts.set(h.name, h);
    for (const f of plan.files) {
      const content = f.src !== undefined ? await s.guard(readLocal(f.src)) : f.content;
      await s.guard(s.hosts.get(f.host)!.writeFile(f.path, content, f.mode ?? 0o644));
    }
    await applyNetwork(s);
  });
  await s.timed('networkCheck', () => verifyNetwork(s));
  await s.timed('services', async () => {
    await importImages(s);
    await runPrepare(s);
    for (const p of plan.processes.filter((x) => x.kind === 'service')) {
      // An instance above its service's quantity waits for the `scale` event that starts it.
      if (p.dormant) s.dormant.add(p.id);
      else await startProcess(s, p);
    }
  });
  const shaped = new Set(
    s.emulation.mode === 'none'
      ? []
      : Object.keys(s.emulation.mode === 'netem' ? plan.network.netem : plan.network.fallback.kernel),
  );
  s.sampler = new HostSampler(
    [...s.hosts.values()],
    (h) => s.running.filter((r) => r.host.name === h && r.pid).map((r) => ({ id: r.proc.id, pid: r.pid! })),
    () => nowS() - (s.t0 || nowS()),
    1000,
    (h) => (shaped.has(h) ? plan.hosts.find((x) => x.name === h)?.interface : undefined),
  );
}

async function importImages(s: RunState): Promise<void> {
  for (const img of s.plan.images) {
    const engine = engineOf(s, img.host);
    await s.guard(engine.importImage(img.tar, img.name, img.cmd));
    s.log(`docker: imported ${img.name} on ${img.host} (engine ${await engine.version()})`);
  }
}

/** A service's `live.files` source, read as the plan is applied; a missing file is a located error. */
async function readLocal(src: string): Promise<Buffer> {
  try {
    return await readFile(src);
  } catch (e) {
    throw new LiveError(LiveErrorCode.PLAN, `live.files: cannot read ${src}: ${(e as Error).message}`, {
      src,
    });
  }
}
