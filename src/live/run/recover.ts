import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { removeContainer } from '../docker.js';
import {
  describe,
  present,
  recoverLeftovers,
  scanJournals,
  type JournalEntry,
  type Owner,
  type RemoteUndo,
} from '../journal.js';
import { run } from '../proc.js';
import { SshTarget } from '../providers/index.js';
import { SshHost } from '../ssh-host.js';
import type { LiveHost } from '../target.js';
import { loadTestbed } from '../testbed/load.js';

/**
 * Cleanup of journal entries that live on hosts: commands run in a local namespace (local provider, no
 * connection needed, so it also works after a crash) or over the hosts' SSH connections.
 */
export function remoteUndo(
  hosts: () => ReadonlyMap<string, LiveHost>,
  runId: string,
  connect?: (host: string) => Promise<LiveHost | undefined>,
): RemoteUndo {
  const hostOf = async (name: string) => hosts().get(name) ?? (await connect?.(name));
  return {
    async undo(e) {
      switch (e.kind) {
        case 'container':
          if (!e.socket) throw new Error('no engine socket recorded');
          await removeContainer(e.socket, e.id);
          return;
        case 'remote-commands':
          if (e.netns) {
            if (!existsSync(`/run/netns/${e.netns}`)) return;
            for (const c of e.commands) await run(['ip', 'netns', 'exec', e.netns, ...c], { check: false });
            return;
          }
          {
            const h = await hostOf(e.host);
            if (!h) throw new Error('host unreachable');
            for (const c of e.commands) await h.exec(c);
          }
          return;
        case 'remote-process': {
          const h = await hostOf(e.host);
          if (!h) throw new Error('host unreachable');
          await h.stop(e.pid);
          return;
        }
        case 'remote-dir': {
          if (!e.path.split('/').includes(runId) && !posix.basename(e.path).match(/^[a-z0-9]{5}$/))
            throw new Error(`refusing to remove ${e.path}`);
          const h = await hostOf(e.host);
          if (!h) throw new Error('host unreachable');
          await h.exec(['rm', '-rf', e.path]);
        }
      }
    },
  };
}

/** Rebuilds connections to an ssh testbed after a crash (from the testbed file the journal names). */
function recoveryUndo(owner: Owner | undefined, entries: JournalEntry[]): RemoteUndo | undefined {
  const needsSsh = entries.some(
    (e) =>
      e.kind === 'remote-process' || e.kind === 'remote-dir' || (e.kind === 'remote-commands' && !e.netns),
  );
  let target: SshTarget | undefined;
  const hosts = new Map<string, LiveHost>();
  const connect = async (name: string) => {
    if (!needsSsh || !owner?.testbed) return undefined;
    if (!target) {
      const tb = loadTestbed(owner.testbed).testbed;
      if (tb.provider !== 'ssh') return undefined;
      target = new SshTarget(tb, '/nonexistent');
    }
    const def = target.testbed.hosts.find((h) => h.name === name);
    if (!def) return undefined;
    const h = new SshHost(
      name,
      def.address ?? name,
      posix.join(def.workDir, owner.runId),
      await target.client(name),
      undefined,
    );
    hosts.set(name, h);
    return h;
  };
  const r = remoteUndo(() => hosts, owner?.runId ?? '', connect);
  return {
    undo: r.undo,
    close: async () => {
      await target?.close();
      for (const h of hosts.values()) await h.close();
    },
  };
}

/** Removes what crashed earlier runs left (their controller is gone). */
export function recover(stateRoot: string, log: (line: string) => void) {
  return recoverLeftovers(stateRoot, recoveryUndo, log);
}

/** What a recovery would remove: per crashed run, each resource and whether it is still there. */
export interface RecoveryPreview {
  crashed: {
    runId: string;
    ownerPid: number | null;
    createdAt: string | null;
    resources: { what: string; present: boolean | null }[];
  }[];
  running: { runId: string; ownerPid: number }[];
}

/**
 * Lists, without touching anything, the leftovers of crashed runs in `stateRoot` (what `recover` would
 * remove, newest first as it removes them) and the runs still in progress (left alone).
 */
export function previewRecovery(stateRoot: string): RecoveryPreview {
  const { crashed, running } = scanJournals(stateRoot);
  return {
    crashed: crashed.map((j) => ({
      runId: j.runId,
      ownerPid: j.owner?.pid ?? null,
      createdAt: j.owner?.createdAt ?? null,
      resources: [...j.entries].reverse().map((e) => ({ what: describe(e), present: present(e) ?? null })),
    })),
    running: running.map((j) => ({ runId: j.runId, ownerPid: j.owner!.pid })),
  };
}
