// Small SVG charts for bench/REPORT.md and the simulation, written by hand (no chart
// library): grouped horizontal bars (one group per category, one bar per series, each
// labelled with its value), and lines over a shared x axis.

const COLORS = ['#2563eb', '#f59e0b', '#10b981', '#8b5cf6', '#ef4444', '#0891b2', '#db2777', '#65a30d'];
const escapeXml = (text) => String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);

/** A round step for about `count` ticks up to `max`. */
function tickStep(max, count = 5) {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step;
}

const defaultFormat = (value) => (value === 0 ? '0' : Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2));

/**
 * A horizontal grouped bar chart as an SVG string.
 *
 * @example
 * barChart({ title: 'decide()', unit: 'ms', categories: ['wasm', 'cpu'], series: ['median', 'p90'], values: [[5, 9], [8, 12]] });
 */
export function barChart({ title, subtitle = '', unit = '', categories, series, values, format = defaultFormat, notes = [] }) {
  const width = 760;
  // Room for the longest category label (about 6.8 px a character at 12 px).
  const left = Math.max(120, Math.ceil(24 + Math.max(...categories.map((c) => String(c).length)) * 6.8));
  const right = 90;
  const plot = width - left - right;
  const bar = 16;
  const gap = 3;
  const groupGap = 14;
  // The legend wraps onto as many rows as it needs.
  const legend = [];
  let lx = left;
  let row = 0;
  series.forEach((name, i) => {
    const itemWidth = 36 + name.length * 6.9;
    if (lx + itemWidth > width - 10 && lx > left) { lx = left; row += 1; }
    legend.push({ name, i, x: lx, y: 52 + row * 18 });
    lx += itemWidth;
  });
  const top = 58 + (series.length > 1 ? (row + 1) * 18 + 4 : 0);
  const groupHeight = series.length * bar + (series.length - 1) * gap;
  const plotHeight = categories.length * groupHeight + (categories.length - 1) * groupGap;
  const height = top + plotHeight + 40 + notes.length * 16 + (notes.length ? 6 : 0);
  const finite = values.flat().filter((v) => typeof v === 'number' && Number.isFinite(v));
  const max = Math.max(...finite, 0) || 1;
  const step = tickStep(max);
  const axisMax = Math.ceil(max / step) * step;
  const x = (v) => left + (v / axisMax) * plot;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + (step / 10 ** Math.floor(Math.log10(step)) === 2.5 ? 1 : 0));
  const tick = (v) => v.toFixed(decimals);

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="24" font-size="15" font-weight="600" fill="#111827">${escapeXml(title)}</text>`);
  if (subtitle) out.push(`<text x="16" y="42" fill="#4b5563">${escapeXml(subtitle)}</text>`);
  if (series.length > 1) {
    for (const item of legend) {
      out.push(`<rect x="${item.x.toFixed(1)}" y="${item.y}" width="12" height="12" fill="${COLORS[item.i % COLORS.length]}"/>`);
      out.push(`<text x="${(item.x + 17).toFixed(1)}" y="${item.y + 10}" fill="#374151">${escapeXml(item.name)}</text>`);
    }
  }
  // Grid and axis.
  for (let v = 0; v <= axisMax + step / 2; v += step) {
    const gx = x(v).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${top + plotHeight + 4}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${gx}" y="${top + plotHeight + 18}" text-anchor="middle" fill="#6b7280">${escapeXml(tick(v))}</text>`);
  }
  if (unit) out.push(`<text x="${left + plot}" y="${top + plotHeight + 32}" text-anchor="end" fill="#6b7280">${escapeXml(unit)}</text>`);
  categories.forEach((category, ci) => {
    const gy = top + ci * (groupHeight + groupGap);
    out.push(`<text x="${left - 10}" y="${(gy + groupHeight / 2 + 4).toFixed(1)}" text-anchor="end" fill="#111827">${escapeXml(category)}</text>`);
    series.forEach((name, si) => {
      const value = values[ci]?.[si];
      const by = gy + si * (bar + gap);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        out.push(`<text x="${left + 4}" y="${by + bar - 4}" fill="#9ca3af">n/a</text>`);
        return;
      }
      const w = Math.max(1, x(value) - left);
      out.push(`<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${bar}" fill="${COLORS[si % COLORS.length]}"><title>${escapeXml(`${category} · ${name}: ${format(value)} ${unit}`)}</title></rect>`);
      out.push(`<text x="${(left + w + 5).toFixed(1)}" y="${by + bar - 4}" fill="#111827">${escapeXml(format(value))}</text>`);
    });
  });
  out.push(`<line x1="${left}" y1="${top - 4}" x2="${left}" y2="${top + plotHeight + 4}" stroke="#9ca3af"/>`);
  notes.forEach((note, i) => {
    out.push(`<text x="16" y="${top + plotHeight + 52 + i * 16}" fill="#4b5563">${escapeXml(note)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * A line chart as an SVG string: one line per series over a shared x axis, with optional
 * dashed horizontal reference lines (e.g. a target).
 *
 * @example
 * lineChart({ title: 'Learning', xLabel: 'visitors', yLabel: 'share of oracle', yMax: 1,
 *   series: [{ name: 'pooled', points: [[250, 0.4], [500, 0.8]] }], references: [{ y: 0.9, label: '90%' }] });
 */
export function lineChart({ title, subtitle = '', xLabel = '', yLabel = '', series, yMax, references = [], notes = [] }) {
  const width = 760;
  const left = 64;
  const right = 24;
  const plot = width - left - right;
  const legendRows = Math.ceil(series.length / 3);
  const top = 72 + legendRows * 18;
  const plotHeight = 300;
  const height = top + plotHeight + 48 + notes.length * 16;
  const xs = series.flatMap((s) => s.points.map(([px]) => px));
  const xMax = Math.max(...xs, 1);
  const ys = series.flatMap((s) => s.points.map(([, py]) => py));
  const yTop = yMax ?? Math.max(...ys, ...references.map((r) => r.y), 0) * 1.05;
  const xStep = tickStep(xMax);
  const yStep = tickStep(yTop);
  const X = (v) => left + (v / (Math.ceil(xMax / xStep) * xStep)) * plot;
  const Y = (v) => top + plotHeight - (v / (Math.ceil(yTop / yStep) * yStep)) * plotHeight;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="24" font-size="15" font-weight="600" fill="#111827">${escapeXml(title)}</text>`);
  if (subtitle) out.push(`<text x="16" y="42" fill="#4b5563">${escapeXml(subtitle)}</text>`);
  series.forEach((s, i) => {
    const lx = left + (i % 3) * 230;
    const ly = 52 + Math.floor(i / 3) * 18;
    out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 17}" y="${ly + 10}" fill="#374151">${escapeXml(s.name)}</text>`);
  });
  for (let v = 0; v <= Math.ceil(yTop / yStep) * yStep + yStep / 2; v += yStep) {
    out.push(`<line x1="${left}" y1="${Y(v).toFixed(1)}" x2="${left + plot}" y2="${Y(v).toFixed(1)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${left - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end" fill="#6b7280">${escapeXml(defaultFormat(v))}</text>`);
  }
  for (let v = 0; v <= Math.ceil(xMax / xStep) * xStep + xStep / 2; v += xStep) {
    out.push(`<text x="${X(v).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#6b7280">${escapeXml(String(Math.round(v)))}</text>`);
  }
  for (const reference of references) {
    out.push(`<line x1="${left}" y1="${Y(reference.y).toFixed(1)}" x2="${left + plot}" y2="${Y(reference.y).toFixed(1)}" stroke="#6b7280" stroke-dasharray="5 4"/>`);
    out.push(`<text x="${left + plot - 4}" y="${(Y(reference.y) - 4).toFixed(1)}" text-anchor="end" fill="#6b7280">${escapeXml(reference.label)}</text>`);
  }
  series.forEach((s, i) => {
    const path = s.points.map(([px, py], j) => `${j === 0 ? 'M' : 'L'}${X(px).toFixed(1)},${Y(py).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"><title>${escapeXml(s.name)}</title></path>`);
  });
  out.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + plot}" y2="${top + plotHeight}" stroke="#9ca3af"/>`);
  if (xLabel) out.push(`<text x="${left + plot}" y="${top + plotHeight + 32}" text-anchor="end" fill="#6b7280">${escapeXml(xLabel)}</text>`);
  if (yLabel) out.push(`<text x="16" y="${top - 8}" fill="#6b7280">${escapeXml(yLabel)}</text>`);
  notes.forEach((note, i) => out.push(`<text x="16" y="${top + plotHeight + 52 + i * 16}" fill="#4b5563">${escapeXml(note)}</text>`));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
