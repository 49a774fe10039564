import { distMeanOf } from './dist-spec.js';
import type { ResolvedScenario } from './resolved.js';

/** A short human-readable description of a resolved scenario (what `e2ctwin validate` prints). */
export function summarizeScenario(s: ResolvedScenario): string {
  const lines: string[] = [];
  const run = s.run;
  const length = [
    run.duration !== undefined ? `${run.duration} s` : undefined,
    run.requests !== undefined ? `${run.requests} requests` : undefined,
  ]
    .filter(Boolean)
    .join(' or ');
  lines.push(
    `scenario ${s.name}: seed ${s.seed}, run ${length}, warm-up ${run.warmup} s, ${run.replications} replication${run.replications === 1 ? '' : 's'}`,
  );
  if (s.description) lines.push(`  ${s.description.trim().split('\n')[0]}`);
  for (const layer of s.layers) {
    lines.push(`layer ${layer.name}`);
    for (const svc of layer.services) {
      const host = svc.host;
      const gpu = host.gpu ? `, ${host.gpu.count}× ${host.gpu.type} ${host.gpu.memoryGiB} GiB` : '';
      lines.push(
        `  ${svc.id} ×${svc.quantity} on ${host.name ?? 'inline host'} (${host.cpu.cores} cores${gpu})`,
      );
      if (svc.app) {
        const pools = Object.entries(svc.app.pools)
          .map(([n, p]) => `${n}=${p.size}${p.queueLimit !== undefined ? `/q${p.queueLimit}` : ''}`)
          .join(' ');
        lines.push(
          `    app ${svc.app.name ?? 'inline'}: ${svc.app.stages.map((st) => st.name).join(' → ')}${pools ? `; pools ${pools}` : ''}`,
        );
      }
      const w = svc.workload;
      if (w) {
        const what =
          w.kind === 'closed'
            ? `${w.users * svc.quantity} closed-loop users, think ${distMeanOf(w.thinkTime)} s${w.patienceS ? `, patience ${w.patienceS} s` : ''}`
            : w.kind === 'open'
              ? `open ${w.arrivals} arrivals, ${w.ratePerS * svc.quantity}/s in total`
              : `trace ${w.file}`;
        lines.push(`    workload → ${w.target}: ${what}`);
      }
      if (svc.live)
        lines.push(
          `    live: ${svc.live.image ? `image ${svc.live.image}` : 'command'}${svc.live.port ? ` on port ${svc.live.port}` : ''}`,
        );
    }
  }
  for (const n of s.network) {
    lines.push(
      `network ${n.src} ${n.symmetric ? '↔' : '→'} ${n.dst}: ${n.delayMs} ms, ${n.rateMbps} Mbps, ${n.lossPercent}% loss${n.class ? ` (${n.class})` : ''}, ${n.sharing}`,
    );
  }
  if (s.explore) lines.push(`explore: ${Object.keys(s.explore.params).join(', ')}`);
  return lines.join('\n');
}
