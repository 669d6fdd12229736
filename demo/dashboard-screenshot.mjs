// Takes docs/dashboard.png: the collector's dashboard after 14 simulated days of the demo
// shop (3,600 visitors, one exact report each at the end of their day, 20% holdout; with
// ε = 4 the same visitors' intervals are about ten times wider: see README).
// Run `npm run build` first, then `node demo/dashboard-screenshot.mjs`. It starts its own
// collector (SQLite in a temporary file) on a free port. Chromium: PRECIS_CHROMIUM or /usr/bin/chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startCollector } from 'precis-collector';
import chromiumArgs from '../test/chromium-args.json' with { type: 'json' };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const catalogFile = join(root, 'demo/catalog.json');
const { default: catalog } = await import(catalogFile, { with: { type: 'json' } });
const interests = [...new Set(catalog.creatives.flatMap((c) => c.targets?.categories ?? []))];
const EPSILON = Number(process.env.PRECIS_SCREENSHOT_EPSILON ?? 0) || null;

let seed = 20261201;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const laplace = (scale) => -scale * Math.sign(random() - 0.5) * Math.log(1 - 2 * Math.abs(random() - 0.5));
const noisy = (count) => (EPSILON === null ? count : Number((count + laplace(3 / EPSILON)).toFixed(3)));

/** One visitor's day: ~20 impressions; personalised visitors mostly see their interest's creatives. */
function visitorReport() {
  const interest = interests[Math.floor(random() * interests.length)];
  const arm = random() < 0.2 ? 'control' : 'personalized';
  const counts = new Map(catalog.creatives.map((c) => [c.id, { impressions: 0, clicks: 0, conversions: 0 }]));
  const fits = catalog.creatives.filter((c) => c.targets?.categories?.includes(interest));
  for (let i = 0; i < 20; i += 1) {
    const pool = arm === 'personalized' && random() < 0.7 ? fits : catalog.creatives;
    const creative = pool[Math.floor(random() * pool.length)];
    const ctr = creative.targets?.categories?.includes(interest) ? 0.06 : 0.02;
    const row = counts.get(creative.id);
    row.impressions += 1;
    if (random() < ctr) {
      row.clicks += 1;
      if (random() < 0.15) row.conversions += 1;
    }
  }
  const rows = catalog.creatives.flatMap((c) => ['', ...interests].map((i) => {
    const own = i === interest ? counts.get(c.id) : { impressions: 0, clicks: 0, conversions: 0 };
    return { creative: c.id, arm, interest: i, impressions: noisy(own.impressions), clicks: noisy(own.clicks), conversions: noisy(own.conversions) };
  }));
  return JSON.stringify({ format: 'precis-report@2', epsilon: EPSILON, periodHours: 24, rows });
}

const dir = mkdtempSync(join(tmpdir(), 'precis-screenshot-'));
let clock = Date.UTC(2026, 10, 17, 20);
const collector = await startCollector({ db: join(dir, 'precis.sqlite'), catalog: catalogFile, port: 0, token: 'shot', rateLimit: false, now: () => clock });
try {
  for (let day = 0; day < 14; day += 1) {
    clock = Date.UTC(2026, 10, 17 + day, 20);
    await Promise.all(Array.from({ length: 256 }, async () => {
      const response = await fetch(`${collector.url}/reports`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: visitorReport() });
      if (response.status !== 204) throw new Error(`report refused: ${response.status} ${await response.text()}`);
    }));
  }
  const browser = await chromium.launch({ executablePath: process.env.PRECIS_CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs });
  // The summary, the table and the first row of charts.
  const page = await browser.newPage({ viewport: { width: 1640, height: 1800 } });
  await page.goto(`${collector.url}/dashboard?token=shot`);
  await page.waitForSelector('body[data-charts]');
  await page.screenshot({ path: join(root, 'docs/dashboard.png') });
  await browser.close();
  console.log(`wrote docs/dashboard.png (${await collector.countReports()} reports)`);
} finally {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
}
