// Export of the charts: each chart card gets SVG, PNG and CSV buttons. The SVG is the drawn chart with the
// page's stylesheet inlined (it looks the same opened alone, in the colour scheme it was drawn in); the
// PNG is that SVG rasterized at twice its size; the CSV is the data the chart was drawn from (the card's
// d3 datum), one row per drawn value.

/** CSV text of rows (arrays), quoted as RFC 4180 wants. */
export function toCsv(header, rows) {
  const cell = (v) => {
    const s =
      v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}

/**
 * The rows of a chart's datum, by the chart's shape (distribution, line chart, bars, heat map, scatter,
 * parallel coordinates, timeline); null for a shape without rows (the topology: the scenario is its data).
 */
export function chartRows(d) {
  if (!d || typeof d !== 'object') return null;
  if (Array.isArray(d.bins) && Array.isArray(d.cdf)) {
    const cdf = d.cdf;
    let k = 0;
    return {
      header: ['bin_start_s', 'bin_end_s', 'requests', 'cumulative_share_at_bin_end'],
      rows: d.bins.map((b) => {
        while (k + 1 < cdf.length && cdf[k + 1].x <= b.x1) k++;
        return [b.x0, b.x1, b.count, cdf[k]?.p];
      }),
    };
  }
  if (Array.isArray(d.series) && Array.isArray(d.categories))
    return {
      header: ['category', ...d.series.map((s) => s.label ?? s.key)],
      rows: d.categories.map((c, i) => [c, ...d.series.map((s) => s.values[i])]),
    };
  if (Array.isArray(d.series) && d.series.every((s) => Array.isArray(s.points)))
    return {
      header: ['series', 'x', 'y'],
      rows: d.series.flatMap((s) => s.points.map((p) => [s.label ?? s.key, p.x, p.y])),
    };
  if (Array.isArray(d.cells))
    return { header: ['x', 'y', 'value', 'ci'], rows: d.cells.map((c) => [c.x, c.y, c.value, c.ci]) };
  if (Array.isArray(d.groups))
    return {
      header: ['group', 'x', 'y'],
      rows: d.groups.flatMap((g) => g.points.map((p) => [g.label ?? g.key, p.x, p.y])),
    };
  if (Array.isArray(d.dims) && Array.isArray(d.rows))
    return {
      header: d.dims.map((x) => x.label ?? x.key),
      rows: d.rows.map((r) => d.dims.map((x) => r[x.key])),
    };
  if (Array.isArray(d.spans))
    // The spans drawn: a window of the trace, or its overview, where a merged span (request -1) stands
    // for `spans` of them.
    return {
      header: ['request', 'kind', 'name', 'service', 'host', 'start_s', 'end_s', 'status', 'spans'],
      rows: d.spans.map((s) => [
        s.request,
        s.kind,
        s.name,
        s.service,
        s.host,
        s.start,
        s.end,
        s.status,
        s.merged ?? 1,
      ]),
    };
  return null;
}

/** The chart as a standalone SVG document: the page's stylesheet and computed colours inlined. */
export function svgText(svg) {
  const clone = svg.cloneNode(true);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const w = svg.getAttribute('width');
  const h = svg.getAttribute('height');
  if (w && h && !clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const css = [...document.styleSheets]
    .flatMap((sheet) => {
      try {
        return [...sheet.cssRules].map((r) => r.cssText);
      } catch {
        return [];
      }
    })
    .join('\n');
  // A chart that paints on a canvas over its svg (the timeline's bars): the canvas goes in as an image.
  const at = svg.getBoundingClientRect();
  for (const canvas of svg.parentElement?.querySelectorAll(':scope > canvas') ?? []) {
    const r = canvas.getBoundingClientRect();
    const image = document.createElementNS('http://www.w3.org/2000/svg', 'image');
    image.setAttribute('x', String(r.left - at.left));
    image.setAttribute('y', String(r.top - at.top));
    image.setAttribute('width', String(r.width));
    image.setAttribute('height', String(r.height));
    image.setAttribute('href', canvas.toDataURL('image/png'));
    clone.append(image);
  }
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  // The card's background as the image's, so that the dark scheme's light text stays readable.
  const bg = getComputedStyle(svg.closest('.card') ?? document.documentElement).backgroundColor;
  style.textContent = `${css}\nsvg { background: ${bg}; font: 13px system-ui, sans-serif; }`;
  clone.insertBefore(style, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

/** Saves `blob` as a file named `name` (the browser's download). */
export function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** PNG of an SVG text at `scale` times its size (a data: image drawn on a canvas). */
function pngOf(text, width, height, scale = 2) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      const ctx = canvas.getContext('2d');
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0, width, height);
      canvas.toBlob(
        (b) => (b ? resolve(b) : reject(new Error('the chart could not be drawn as PNG'))),
        'image/png',
      );
    };
    img.onerror = () => reject(new Error('the chart could not be drawn as PNG'));
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  });
}

/** A file name from the card's id or title, and the run or study shown. */
function baseName(card, context) {
  const title = card.id || card.querySelector('.chart-title')?.textContent || 'chart';
  return `${context ? `${context}-` : ''}${title}`
    .toLowerCase()
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

/**
 * Adds SVG / PNG / CSV buttons to every chart card under `root` that has a drawn chart and no buttons
 * yet. `context` (the run or study id) prefixes the file names.
 */
export function addExports(root, context = '') {
  for (const card of root.querySelectorAll('.chart-card')) {
    const svg = card.querySelector(':scope svg[role=img]');
    if (!svg || card.querySelector(':scope > .export-bar')) continue;
    const name = baseName(card, context);
    const bar = document.createElement('div');
    bar.className = 'export-bar';
    const button = (label, title, onClick) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'link';
      b.textContent = label;
      b.title = title;
      b.dataset.export = label.toLowerCase();
      b.addEventListener('click', onClick);
      bar.append(b);
    };
    button('SVG', 'download this chart as SVG', () =>
      download(`${name}.svg`, new Blob([svgText(svg)], { type: 'image/svg+xml' })),
    );
    button('PNG', 'download this chart as PNG (twice its size)', async () => {
      const w = Number(svg.getAttribute('width')) || svg.getBoundingClientRect().width;
      const h = Number(svg.getAttribute('height')) || svg.getBoundingClientRect().height;
      download(`${name}.png`, await pngOf(svgText(svg), w, h));
    });
    const rows = chartRows(card.__data__);
    if (rows)
      button('CSV', 'download the data of this chart as CSV', () =>
        download(`${name}.csv`, new Blob([toCsv(rows.header, rows.rows)], { type: 'text/csv' })),
      );
    card.prepend(bar);
  }
}
