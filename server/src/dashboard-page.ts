import type { ArmEstimate, CreativeEstimate, Estimates, Interval, Uplift } from './estimates.js';

/**
 * The dashboard's Content-Security-Policy: scripts and styles from the collector only, so
 * even a creative id that got past escaping could not run.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * escapeHtml('<img src=x onerror=alert(1)>'); // '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A creative id as the dashboard shows it: control characters (which HTML would drop or
 * fold) spelled out as \\uXXXX, then escaped.
 *
 * @example
 * displayId('a\u0000b'); // 'a\\u0000b'
 */
export function displayId(id: string): string {
  return escapeHtml(id.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
const whole = (x: number): string => Math.round(x).toLocaleString('en-US');
const rate = (i: Interval | null): string => (i ? `${percent(i.value)} <small>(${percent(i.low)} – ${percent(i.high)})</small>` : '–');
const count = (i: Interval): string =>
  i.high === i.low ? whole(i.value) : `${whole(i.value)} <small>(±${whole((i.high - i.low) / 2)})</small>`;
function uplift(u: Uplift | null | undefined): string {
  if (!u) return '–';
  const shown = u.relative ?? u.absolute;
  const sign = (x: number): string => `${x >= 0 ? '+' : ''}${percent(x)}`;
  const significant = shown.low > 0 ? ' class="up"' : shown.high < 0 ? ' class="down"' : '';
  const unit = u.relative ? '' : ' pts';
  return `<span${significant}>${sign(shown.value)}${unit}</span> <small>(${sign(shown.low)} – ${sign(shown.high)})</small>`;
}

function armRow(creative: string, arm: string, e: ArmEstimate, upliftCells: string): string {
  return `<tr><td>${displayId(creative)}</td><td>${arm}</td><td>${whole(e.reports)}</td><td>${count(e.impressions)}</td>
<td>${count(e.clicks)}</td><td>${rate(e.ctr)}</td><td>${count(e.conversions)}</td><td>${rate(e.conversionRate)}</td>${upliftCells}</tr>`;
}

function creativeRows(c: CreativeEstimate, label: string): string {
  const arms = (['personalized', 'control'] as const).filter((arm) => c.arms[arm]);
  const rows = arms.map((arm, index) => {
    const cells = index > 0 ? '' : `<td rowspan="${arms.length}">${uplift(c.uplift?.ctr)}</td><td rowspan="${arms.length}">${uplift(c.uplift?.conversionRate)}</td>`;
    return armRow(label, arm, c.arms[arm]!, cells);
  });
  if (c.hiddenArms > 0) {
    rows.push(`<tr class="hidden-row"><td>${displayId(label)}</td><td colspan="9">${c.hiddenArms} arm(s) below the minimum count, hidden</td></tr>`);
  }
  return rows.join('\n');
}

function summary(e: Estimates): string {
  const u = e.overall.uplift;
  return `<section class="summary"><div><h2>Uplift in CTR</h2><p class="big">${uplift(u?.ctr)}</p></div>
<div><h2>Uplift in conversion rate</h2><p class="big">${uplift(u?.conversionRate)}</p></div>
<div><h2>Reports</h2><p class="big">${whole(e.reports)}</p></div></section>`;
}

/**
 * The dashboard page: the overall uplift, a table per creative and arm with 95% intervals,
 * and a uPlot chart per creative (drawn by /assets/dashboard.js from the JSON in the page).
 * Every creative id is escaped; the data block escapes `<` so it cannot close its tag.
 *
 * @example
 * res.end(renderDashboard(estimateAll(totals, daily, reports, 100)));
 */
export function renderDashboard(e: Estimates): string {
  const data = JSON.stringify(e.daily).replace(/</g, '\\u003c');
  const head = '<tr><th>Creative</th><th>Arm</th><th>Reports</th><th>Impressions</th><th>Clicks</th><th>CTR</th><th>Conversions</th>' +
    '<th>Conv. rate</th><th>CTR uplift</th><th>Conv. uplift</th></tr>';
  const charts = e.daily.map((d, index) => `<figure><figcaption>${displayId(d.creative)}</figcaption><div class="chart" data-series="${index}"></div></figure>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Precis · Collector dashboard</title>
<link rel="stylesheet" href="/assets/uPlot.min.css"><link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/uPlot.iife.min.js" defer></script><script src="/assets/dashboard.js" defer></script></head>
<body><header><h1>Precis · what personalisation does</h1>
<p>95% intervals in brackets: sampling between reports and the Laplace noise of private reports. Uplift: personalised over the holdout.
Arms with fewer than ${whole(e.minImpressions)} impressions are hidden.</p></header>
${summary(e)}
<table><thead>${head}</thead><tbody>
${e.overall.arms.personalized || e.overall.arms.control ? creativeRows(e.overall, 'All creatives') : ''}
${e.creatives.map((c) => creativeRows(c, c.creative)).join('\n')}
</tbody></table>
<h2>Daily CTR per creative</h2><div class="charts">${charts.join('\n')}</div>
<script type="application/json" id="precis-daily">${data}</script>
</body></html>`;
}
