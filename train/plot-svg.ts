/**
 * Minimal dependency-free SVG line plot for the report.
 */

/**
 * Render a line chart of (x, y) points as an SVG string.
 *
 * @example
 * const svg = plotLineSvg([[1, 5.8], [2, 5.1]], { title: 'Training loss', xLabel: 'epoch', yLabel: 'loss' });
 */
export function plotLineSvg(
  points: readonly (readonly [number, number])[],
  opts: { title: string; xLabel: string; yLabel: string; width?: number; height?: number; marker?: readonly [number, number] },
): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 360;
  const m = { l: 64, r: 20, t: 36, b: 48 };
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!points.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const sx = (x: number): number => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number): number => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const ticks = (a: number, b: number, n: number): number[] => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`,
  ];
  for (const y of ticks(y0, y1, 5)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${y.toFixed(3)}</text>`);
  }
  for (const x of ticks(x0, x1, Math.min(10, Math.max(1, Math.round(x1 - x0))))) {
    parts.push(`<text x="${sx(x).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${Math.round(x)}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="black"/>`);
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="black"/>`);
  parts.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  parts.push(`<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${esc(opts.yLabel)}</text>`);
  if (points.length) {
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
  }
  if (opts.marker) {
    parts.push(`<circle cx="${sx(opts.marker[0]).toFixed(1)}" cy="${sy(opts.marker[1]).toFixed(1)}" r="5" fill="#d62728"/>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
