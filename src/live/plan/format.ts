import { shellJoin } from '../shell.js';
import type { LivePlan } from './types.js';

const mbps = (x: number) => (Number.isFinite(x) ? `${x} Mbit/s` : 'unshaped');

/** The plan as text (what `e2ctwin live --dry-run` prints). */
export function formatPlan(plan: LivePlan): string {
  const out: string[] = [];
  out.push(
    `live plan ${plan.runId}: scenario ${plan.scenario} on the ${plan.provider} provider, ${plan.durationS} s of workload (warm-up ${plan.warmupS.toFixed(1)} s)${plan.repeat > 1 ? ` × ${plan.repeat}` : ''}, seed ${plan.seed}`,
  );
  out.push('', 'hosts:');
  for (const h of plan.hosts)
    out.push(
      `  ${h.name}  ${h.address}  dev ${h.interface}${h.netns ? `  netns ${h.netns}` : ''}  work dir ${h.workDir}  — ${h.instances.join(', ')}`,
    );
  out.push('', 'files:');
  for (const f of plan.files)
    out.push(
      `  ${f.host}:${f.path} (${f.src !== undefined ? `from ${f.src}` : `${f.content.length} bytes`}${f.mode ? `, mode ${f.mode.toString(8)}` : ''})`,
    );
  if (plan.images.length > 0) {
    out.push('', 'images:');
    for (const i of plan.images)
      out.push(
        `  ${i.host}: docker import ${i.tar} ${i.name}${i.cmd ? ` (CMD ${JSON.stringify(i.cmd)})` : ''}`,
      );
  }
  out.push('', 'processes (in start order):');
  for (const p of plan.processes) {
    const what = p.image ? `container ${p.image} (network: host)` : shellJoin(p.argv);
    const env = Object.entries(p.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const health = p.health.path
      ? `GET ${p.health.path}`
      : p.health.command
        ? `\`${p.health.command}\``
        : p.port
          ? 'port open'
          : 'started';
    out.push(
      `  [${p.kind}] ${p.id}: ${what}${env ? `  env ${env}` : ''}${p.port ? `  port ${p.port}` : ''}  ready: ${health}${p.dormant ? `  (deployed; started by ${plan.autoscalers?.some((a) => a.service === p.service) ? 'the autoscaler' : 'a scale event'})` : ''}`,
    );
    const ph = p.phases;
    if (ph) {
      const list = (cmds: string[][]) => cmds.map((c) => shellJoin(c)).join('; ');
      if (ph.prepare.length) out.push(`      prepare (once): ${list(ph.prepare)}`);
      if (ph.launch.length) out.push(`      launch (each repetition): ${list(ph.launch)}`);
      if (ph.finalize.commands.length || ph.finalize.files.length)
        out.push(
          `      finalize (after each): ${list(ph.finalize.commands)}${ph.finalize.files.length ? `${ph.finalize.commands.length ? '; ' : ''}fetch ${ph.finalize.files.join(', ')}` : ''}`,
        );
    }
  }
  const net = plan.network;
  out.push('', `network (emulation: ${net.mode}):`);
  if (net.rules.length === 0) out.push('  no constraint between deployed hosts');
  for (const r of net.rules)
    out.push(
      `  ${r.src} → ${r.dst} (${r.dstAddress}) by constraint ${r.constraint}: delay ${r.delayMs} ms, rate ${mbps(r.rateMbps)}, loss ${r.lossPercent}%`,
    );
  const cmds = (title: string, c: Record<string, string[][]>) => {
    const hosts = Object.keys(c);
    if (hosts.length === 0) return;
    out.push(`  ${title}:`);
    for (const h of hosts) for (const x of c[h]!) out.push(`    ${h}$ ${shellJoin(x)}`);
  };
  if (net.rules.some((r) => !/^\d+\.\d+\.\d+\.\d+$/.test(r.dstAddress)))
    out.push('  (host names are resolved to IPv4 addresses on each source host when the rules are applied)');
  cmds('where tc netem works (EnOSlib NetemHTB shape)', net.netem);
  cmds('fallback without sch_netem: kernel rate and loss', net.fallback.kernel);
  if (net.fallback.delays.length > 0)
    out.push(
      `  fallback delay (userspace path): ${net.fallback.delays.map((d) => `${d.src}→${d.dst} ${d.delayMs} ms`).join(', ')}`,
    );
  cmds('undo', net.undo);
  if (net.verify.length > 0) {
    out.push('  measured before the run:');
    for (const v of net.verify)
      out.push(
        `    ${v.label}: ${v.src} → ${v.dst}, RTT expected ${v.expectedRttMs} ms${v.expectedMbps !== null ? `, throughput expected ${v.expectedMbps} Mbit/s` : ''}`,
      );
  }
  for (const a of plan.autoscalers ?? []) {
    const cool = `cool-down ${num(a.cooldownS)} s${a.scaleInCooldownS !== undefined ? `, scale-in ${num(a.scaleInCooldownS)} s` : ''}`;
    out.push(
      '',
      `autoscaler ${a.service}: every ${num(a.windowS)} s, ${a.metric} of pool ${a.pool} (GET /stats of the engines serving) → ceil(serving × ${a.metric} / ${a.target}) within [${a.min}, ${a.max}], ${cool}; starts with ${a.quantity} of ${a.processes.join(', ')}; new counts to ${a.drivers.join(', ') || 'no driver'} (POST /scale, port ${a.driverPort})`,
    );
  }
  if (plan.events.length > 0) {
    out.push('', 'events (each repetition, seconds after its workload start):');
    for (const e of plan.events) {
      if (e.action === 'load') {
        out.push(
          `  +${Number(e.offsetS.toFixed(3))} s  ${e.label}: applied by ${e.drivers.join(', ') || 'no driver'} at its time (in its spec)`,
        );
        continue;
      }
      if (e.action === 'scale') {
        out.push(
          `  +${Number(e.offsetS.toFixed(3))} s  ${e.label}: ${
            [
              e.start.length > 0 ? `start ${e.start.join(', ')} (each until ready)` : '',
              e.stop.length > 0 ? `drain ${e.stop.join(', ')} (SIGTERM once the drivers stop sending)` : '',
            ]
              .filter(Boolean)
              .join('; ') || 'nothing to change'
          }; balanced by ${e.drivers.join(', ') || 'no driver'} at its time (in its spec)`,
        );
        continue;
      }
      if (e.action === 'pool') {
        out.push(
          `  +${Number(e.offsetS.toFixed(3))} s  ${e.label}: POST /pools {"pool": "${e.pool}", "size": ${e.size}} to ${e.processes.join(', ')}`,
        );
        continue;
      }
      if (!('conditions' in e)) {
        out.push(`  +${Number(e.offsetS.toFixed(3))} s  ${e.label}: ${e.action} ${e.process}`);
        continue;
      }
      const c = e.conditions;
      out.push(
        c.cut
          ? `  +${Number(e.offsetS.toFixed(3))} s  ${e.label}: constraint ${e.constraint} cut (TCP answered by a reset, other packets dropped, until its next link event)`
          : `  +${Number(e.offsetS.toFixed(3))} s  ${e.label}: constraint ${e.constraint} → delay ${c.delayMs} ms, rate ${mbps(c.rateMbps)}, loss ${c.lossPercent}%`,
      );
      for (const [h, list] of Object.entries(e.commands.netem))
        for (const x of list) out.push(`    netem ${h}$ ${shellJoin(x)}`);
      for (const [h, list] of Object.entries(e.commands.fallback.kernel))
        for (const x of list) out.push(`    fallback ${h}$ ${shellJoin(x)}`);
      if (e.commands.fallback.delays)
        out.push(
          `    fallback delay (userspace path): ${e.commands.fallback.delays.map((d) => `${d.src}→${d.dst} ${d.delayMs} ms`).join(', ') || 'none'}`,
        );
    }
  }
  if (plan.warnings.length > 0) out.push('', 'warnings:', ...plan.warnings.map((w) => `  ${w}`));
  return out.join('\n');
}

/** A number of seconds as written (3 decimals at most). */
function num(x: number): string {
  return String(Number(x.toFixed(3)));
}
