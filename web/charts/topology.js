import d3 from '../vendor-d3.js';
import { esc } from '../format.js';
import { legend } from './legend.js';
import { hideTooltip, showTooltip } from './tooltip.js';
import { describeChart } from '../lib/a11y.js';

/**
 * The scenario topology (reusable chart): one column per layer, ordered along the request flow (the
 * layer whose services send requests first), one card per service (hosts, hardware, app stages, thread
 * pools, workload), network constraints between layers or services (delay, rate, loss, sharing) and the
 * request flows (workload targets, forward stages).
 *
 *   topology().width(960)(d3.select(el).datum(resolvedScenario))
 */
export function topology() {
  let width = 960;
  const gap = 168;
  const pad = 12;
  const lineH = 15;

  function chart(selection) {
    selection.each(function (scenario) {
      const root = d3.select(this);
      root.selectAll('*').remove();
      const { columns, flows } = layoutColumns(scenario);
      const n = columns.length;
      const colW = Math.max(200, (width - 20 - gap * (n - 1)) / n);
      const charW = 6.4;
      const fit = (s, px) =>
        s.length * charW > px ? `${s.slice(0, Math.max(1, Math.floor(px / charW) - 1))}…` : s;
      // Words onto at most `max` lines of `px` pixels; the last one ends with … when cut.
      const wrap = (s, px, max) => {
        const out = [''];
        for (const word of s.split(' ')) {
          const cur = out[out.length - 1];
          if (cur && (cur.length + 1 + word.length) * charW > px) {
            if (out.length === max) {
              out[out.length - 1] = fit(`${cur} ${word}`, px);
              return out;
            }
            out.push(word);
          } else out[out.length - 1] = cur ? `${cur} ${word}` : word;
        }
        return out.map((l) => fit(l, px));
      };

      const leg = legend()
        .width(width - 20)
        .items([
          { label: 'network constraint (delay · rate · loss · sharing)', color: '#0d9488', shape: 'line' },
          { label: 'requests (workload target, forward)', color: '#475569', shape: 'dash' },
          { label: 'thread pool (threads)', color: '#e0e7ff', stroke: '#6366f1' },
        ]);
      const svg = root.append('svg').attr('class', 'topology-chart').attr('width', width);
      describeChart(
        svg,
        `Topology of scenario ${scenario.name ?? ''}: ${(scenario.services ?? []).map((s) => `${s.id} ×${s.quantity}`).join(', ')}`,
      );
      svg
        .append('defs')
        .html(
          '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#475569"/></marker>',
        );
      const lg = svg.append('g').attr('transform', 'translate(10,12)');
      leg(lg);
      const top = leg.height() + 22;
      const g = svg.append('g').attr('transform', `translate(10,${top})`);

      // Cards, column by column; remember each card's and each layer header's box.
      const boxes = new Map();
      let height = 0;
      columns.forEach((col, ci) => {
        const x = ci * (colW + gap);
        const header = g.append('g').attr('class', 'layer').attr('transform', `translate(${x},0)`);
        header.append('rect').attr('width', colW).attr('height', 34).attr('rx', 6);
        header
          .append('text')
          .attr('class', 'layer-name')
          .attr('x', pad)
          .attr('y', 21)
          .text(`${col.layer.name}`);
        header
          .append('text')
          .attr('class', 'layer-meta')
          .attr('x', colW - pad)
          .attr('y', 21)
          .attr('text-anchor', 'end')
          .text(
            `${col.layer.services.length} service${col.layer.services.length === 1 ? '' : 's'} · ${plural(
              d3.sum(col.layer.services, (s) => s.quantity),
              'host',
            )}`,
          );
        boxes.set(col.layer.name, { x, y: 0, w: colW, h: 34 });
        let y = 48;
        for (const svc of col.layer.services) {
          const lines = cardLines(svc).flatMap((l) =>
            wrap(l.text, colW - 2 * pad, 2).map((t) => ({ ...l, shown: t })),
          );
          const pools = Object.entries(svc.app?.pools ?? {});
          const poolRows = pools.length
            ? Math.ceil(pools.length / Math.max(1, Math.floor((colW - 2 * pad) / 96)))
            : 0;
          const h = 28 + lines.length * lineH + poolRows * 22 + 8;
          const card = g
            .append('g')
            .attr('class', 'service')
            .attr('data-service', svc.id)
            .attr('transform', `translate(${x},${y})`);
          card.append('rect').attr('width', colW).attr('height', h).attr('rx', 8);
          card
            .append('text')
            .attr('class', 'service-name')
            .attr('x', pad)
            .attr('y', 19)
            .text(fit(svc.id, colW - 70));
          card
            .append('text')
            .attr('class', 'quantity')
            .attr('x', colW - pad)
            .attr('y', 19)
            .attr('text-anchor', 'end')
            .text(`×${svc.quantity.toLocaleString('en-US')}`)
            .append('title')
            .text(`${svc.quantity} host${svc.quantity === 1 ? '' : 's'}`);
          lines.forEach((l, i) => {
            card
              .append('text')
              .attr('class', `line ${l.cls}`)
              .attr('x', pad)
              .attr('y', 19 + (i + 1) * lineH)
              .text(l.shown)
              .append('title')
              .text(l.text);
          });
          const perRow = Math.max(1, Math.floor((colW - 2 * pad) / 96));
          pools.forEach(([name, p], i) => {
            const cx = pad + (i % perRow) * 96;
            const cy = 26 + lines.length * lineH + Math.floor(i / perRow) * 22;
            const chip = card
              .append('g')
              .attr('class', 'pool-chip')
              .attr('transform', `translate(${cx},${cy})`);
            chip.append('rect').attr('width', 90).attr('height', 18).attr('rx', 9);
            chip
              .append('text')
              .attr('x', 45)
              .attr('y', 13)
              .attr('text-anchor', 'middle')
              .text(fit(`${name} ${p.size}${p.queueLimit !== undefined ? ` /q${p.queueLimit}` : ''}`, 84));
          });
          card.on('mousemove', (event) => showTooltip(event, serviceHtml(svc))).on('mouseleave', hideTooltip);
          boxes.set(svc.id, { x, y, w: colW, h });
          y += h + 14;
        }
        height = Math.max(height, y);
      });

      // Request flows: dashed arrows from the sender's card to the receiver's.
      const flowG = g.append('g').attr('class', 'flows');
      for (const f of flows) {
        const a = boxes.get(f.from);
        const b = boxes.get(f.to);
        if (!a || !b) continue;
        const forward = b.x >= a.x;
        const x1 = forward ? a.x + a.w : a.x;
        const x2 = forward ? b.x : b.x + b.w;
        const y1 = a.y + a.h / 2 + 8;
        const y2 = b.y + b.h / 2 + 8;
        const mx = (x1 + x2) / 2;
        flowG
          .append('path')
          .attr('class', 'flow')
          .attr('marker-end', 'url(#arrow)')
          .attr('d', `M${x1},${y1}C${mx},${y1} ${mx},${y2} ${x2},${y2}`);
        flowG
          .append('text')
          .attr('class', 'flow-label')
          .attr('x', mx)
          .attr('y', (y1 + y2) / 2 + 14)
          .attr('text-anchor', 'middle')
          .text(f.label);
      }

      // Network constraints: a thick line between the two groups, with its figures.
      const netG = g.append('g').attr('class', 'network');
      scenario.network.forEach((link, i) => {
        const a = boxes.get(link.src);
        const b = boxes.get(link.dst);
        if (!a || !b) return;
        const [l, r] = a.x <= b.x ? [a, b] : [b, a];
        const x1 = l.x + l.w;
        const x2 = r.x;
        const y1 = l.y + Math.min(l.h, 34) / 2 + i * 4;
        const y2 = r.y + Math.min(r.h, 34) / 2 + i * 4;
        const path = netG.append('g').attr('class', 'link');
        path
          .append('path')
          .attr('d', `M${x1},${y1}C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`);
        const label = [
          `${link.src} ${link.symmetric ? '↔' : '→'} ${link.dst}${link.class ? ` (${link.class})` : ''}`,
          `${link.delayMs} ms · ${fmtRate(link.rateMbps)}`,
          `${link.lossPercent} % loss · ${link.sharing}`,
        ];
        const lx = (x1 + x2) / 2;
        const ly = (y1 + y2) / 2 + 22 + i * 52;
        const box = path.append('g').attr('class', 'link-label').attr('transform', `translate(${lx},${ly})`);
        box
          .append('rect')
          .attr('x', -(gap - 12) / 2)
          .attr('y', -12)
          .attr('width', gap - 12)
          .attr('height', 46)
          .attr('rx', 5);
        label.forEach((t, k) =>
          box
            .append('text')
            .attr('y', k * 14)
            .attr('dy', '0.2em')
            .attr('text-anchor', 'middle')
            .text(fit(t, gap - 20)),
        );
        path.on('mousemove', (event) => showTooltip(event, linkHtml(link))).on('mouseleave', hideTooltip);
        height = Math.max(height, ly + 40);
      });
      svg.attr('height', top + height + 10);
    });
  }

  chart.width = function (_) {
    return arguments.length ? ((width = +_), chart) : width;
  };
  return chart;
}

/** Layers ordered along the request flow, and the flows (workload targets, forward stages). */
export function layoutColumns(scenario) {
  const flows = [];
  for (const s of scenario.services) {
    if (s.workload?.target) flows.push({ from: s.id, to: s.workload.target, label: workloadLabel(s) });
    for (const st of s.app?.stages ?? []) {
      if (st.resource === 'forward' && st.target)
        flows.push({
          from: s.id,
          to: st.target,
          label: `forward${st.batch > 1 ? ` ×${st.batch} batched` : ''}`,
        });
    }
  }
  const rank = new Map(scenario.services.filter((s) => s.workload).map((s) => [s.id, 0]));
  for (let pass = 0; pass < scenario.services.length; pass++) {
    for (const f of flows)
      if (rank.has(f.from) && (rank.get(f.to) ?? -1) < rank.get(f.from) + 1 && f.to !== f.from)
        rank.set(f.to, Math.min(scenario.services.length, rank.get(f.from) + 1));
  }
  const layerRank = (layer, i) => Math.min(...layer.services.map((s) => rank.get(s.id) ?? 100 + i));
  const columns = scenario.layers
    .map((layer, i) => ({ layer, rank: layerRank(layer, i), i }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i);
  return { columns, flows };
}

function workloadLabel(s) {
  const w = s.workload;
  if (w.kind === 'closed') return `${(w.users * s.quantity).toLocaleString('en-US')} users (closed loop)`;
  if (w.kind === 'open') return `${(w.ratePerS * s.quantity).toLocaleString('en-US')} req/s (open)`;
  return 'trace arrivals';
}

/** A random law with its unit: "17 s (exponential)", "0.12 s (lognormal, cv 0.25)", "empirical". */
function distText(d, unit = '') {
  const u = unit ? ` ${unit}` : '';
  if (typeof d === 'number') return `${d}${u}`;
  if (!d) return '—';
  if (d.mean !== undefined) return `${d.mean}${u} (${d.dist}${d.cv !== undefined ? `, cv ${d.cv}` : ''})`;
  if (d.value !== undefined) return `${d.value}${u}`;
  return d.dist;
}

function cardLines(svc) {
  const h = svc.host;
  const gpu = h.gpu ? ` · ${h.gpu.count}× ${h.gpu.type} ${h.gpu.memoryGiB} GiB` : '';
  const lines = [
    {
      cls: 'host',
      text: `${h.name ?? 'inline host'} · ${h.cpu.cores} core${h.cpu.cores === 1 ? '' : 's'}${gpu}`,
    },
  ];
  if (svc.app)
    lines.push({
      cls: 'app',
      text: `${svc.app.name ?? 'app'}: ${svc.app.stages.map((s) => s.name).join(' → ')}`,
    });
  const w = svc.workload;
  if (w) {
    const what =
      w.kind === 'closed'
        ? `${w.users} user${w.users === 1 ? '' : 's'}/host, think ${distText(w.thinkTime, 's')}${w.patienceS ? `, patience ${w.patienceS} s` : ''}`
        : w.kind === 'open'
          ? `${w.ratePerS}/s per host, ${w.arrivals}${w.patienceS ? `, patience ${w.patienceS} s` : ''}`
          : `trace ${w.file}`;
    lines.push({ cls: 'workload', text: `${w.kind} workload → ${w.target}: ${what}` });
  }
  return lines;
}

function plural(n, word) {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function fmtRate(mbps) {
  return mbps >= 1000 ? `${mbps / 1000} Gbps` : `${mbps} Mbps`;
}

function serviceHtml(svc) {
  const rows = [
    ['service', svc.id],
    ['hosts', svc.quantity],
    [
      'hardware',
      `${svc.host.name ?? 'inline'}: ${svc.host.cpu.cores} cores (speed ${svc.host.cpu.speed})${svc.host.gpu ? `, ${svc.host.gpu.count}× ${svc.host.gpu.type} ${svc.host.gpu.memoryGiB} GiB` : ''}`,
    ],
    ...(svc.app
      ? svc.app.stages.map((s) => [
          `stage ${s.name}`,
          `${s.resource}${s.pool ? ` on pool ${s.pool}` : ''}${s.perItem ? ', per item' : ''}${s.demand !== undefined ? `, demand ${distText(s.demand, 's')}` : ''}${s.sizeBytes !== undefined ? `, ${distText(s.sizeBytes, 'bytes')}` : ''}${s.target ? ` → ${s.target}` : ''}`,
        ])
      : []),
    ...Object.entries(svc.app?.pools ?? {}).map(([n, p]) => [
      `pool ${n}`,
      `${p.size} threads${p.queueLimit !== undefined ? `, queue ≤ ${p.queueLimit}` : ''}`,
    ]),
  ];
  return `<div class="tt-title">${esc(svc.id)}</div>${svc.description ? `<p class="tt-desc">${esc(svc.description.trim().split('\n')[0].slice(0, 200))}</p>` : ''}<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function linkHtml(l) {
  return `<div class="tt-title">${esc(l.src)} ${l.symmetric ? '↔' : '→'} ${esc(l.dst)}</div><table>
    <tr><th>class</th><td>${esc(l.class ?? '—')}</td></tr><tr><th>one-way delay</th><td>${l.delayMs} ms</td></tr>
    <tr><th>rate</th><td>${esc(fmtRate(l.rateMbps))}</td></tr><tr><th>loss</th><td>${l.lossPercent} %</td></tr>
    <tr><th>sharing</th><td>${esc(l.sharing)} (${l.sharing === 'per-host' ? 'each source host has its own link' : 'all transfers share one link'})</td></tr></table>`;
}
