import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startCollector, type Collector } from 'precis-collector';
import { LONE_SURROGATE } from '../../server/src/site-catalog';
import { expand, PAYLOADS } from '../fixtures/xss-payloads';

/**
 * The collector's dashboard (issue #14) in Chromium: behind its token, and with creative
 * ids that are XSS payloads (test/fixtures/xss-payloads.json), nothing they carry runs;
 * and the demo shop with its collector, as `npm run demo` runs them: the whole loop.
 * Needs `npm run build` (the test runs the built precis-collector package).
 */

declare global {
  var __xssCalls: string[];
}

// The collector refuses a catalog with ids that are not well-formed Unicode (a lone surrogate would be stored as U+FFFD).
const HOSTILE_IDS = [...new Set(PAYLOADS.map(expand).filter((id) => id.length > 0 && id.length <= 128 && !LONE_SURROGATE.test(id)))];
const IDS = ['summer-sale', ...HOSTILE_IDS];
const DAY = 86_400_000;

let collector: Collector;
let dir: string;

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'precis-dashboard-'));
  let clock = Date.UTC(2030, 0, 1, 12);
  collector = await startCollector({
    db: join(dir, 'precis.sqlite'), port: 0, token: 'dash-token', rateLimit: false, minImpressions: 50, now: () => clock,
    catalog: { creatives: IDS.map((id) => ({ id, slots: ['hero'], title: 'x' })) },
  });
  for (let day = 0; day < 3; day += 1) {
    clock = Date.UTC(2030, 0, 1 + day, 12);
    for (const arm of ['personalized', 'control']) {
      const rows = IDS.map((creative, index) => ({
        creative, arm, impressions: index === 1 ? 5 : 40, clicks: arm === 'personalized' ? 4 : 2, conversions: 1,
      }));
      const response = await fetch(`${collector.url}/reports`, {
        method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ format: 'precis-report@1', epsilon: null, rows }),
      });
      expect(response.status).toBe(204);
    }
  }
  expect(clock - Date.UTC(2030, 0, 1, 12)).toBe(2 * DAY);
});

test.afterAll(async () => {
  await collector?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the dashboard answers 401 without its token', async ({ page }) => {
  const response = await page.goto(`${collector.url}/dashboard`);
  expect(response?.status()).toBe(401);
  expect(await page.content()).not.toContain('summer-sale');
});

test('with its token, it shows every creative id as text, runs none of them, and draws the charts with uPlot', async ({ page }) => {
  await page.addInitScript(() => {
    globalThis.__xssCalls = [];
    (globalThis as unknown as { __xss: (name: string) => void }).__xss = (name) => globalThis.__xssCalls.push(name);
  });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const response = await page.goto(`${collector.url}/dashboard?token=dash-token`);
  expect(response?.status()).toBe(200);
  await expect(page.locator('body')).toHaveAttribute('data-charts', /\d+/);
  const cells = await page.locator('tbody td:first-child').allTextContents();
  // Control characters are spelled out (HTML would drop or fold them).
  const shown = (id: string): string => id.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const id of ['summer-sale', ...HOSTILE_IDS.slice(1)]) expect(cells).toContain(shown(id));
  // The second id had 5 impressions a day: below the minimum, its arms are hidden.
  await expect(page.locator('.hidden-row', { hasText: '2 arm(s) below the minimum count' })).toHaveCount(1);
  expect(Number(await page.locator('body').getAttribute('data-charts'))).toBe(IDS.length - 1);
  await expect(page.locator('.uplot canvas')).toHaveCount(IDS.length - 1);
  await expect(page.locator('.summary .big').first()).toContainText('+100.00%');
  expect(await page.evaluate(() => globalThis.__xssCalls)).toEqual([]);
  expect(dialogs).toEqual([]);
  expect(pageErrors).toEqual([]);
});

test.describe('the demo with its collector (npm run demo)', () => {
  let loop: { collector: Collector; shop: string; close(): Promise<void> };

  test.beforeAll(async () => {
    // The demo's server is plain JavaScript: its one function used here, typed.
    const { startDemoServer } = await import(new URL('../../demo/server.mjs', import.meta.url).href) as {
      startDemoServer(port: number, options: { collector: Collector }): Promise<{ server: Server; url: string }>;
    };
    const loopDir = mkdtempSync(join(tmpdir(), 'precis-demo-loop-'));
    const collector = await startCollector({
      db: join(loopDir, 'precis.sqlite'), catalog: join(process.cwd(), 'demo/catalog.json'), port: 0, token: 'demo', minImpressions: 1,
    });
    const { server, url } = await startDemoServer(0, { collector });
    loop = {
      collector, shop: url,
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await collector.close();
        rmSync(loopDir, { recursive: true, force: true });
      },
    };
  });
  test.afterAll(async () => loop?.close());

  test('the shop decides from the collector’s catalog, reports to it, and links to its dashboard', async ({ page }) => {
    const catalogRequest = page.waitForRequest(`${loop.collector.url}/catalog.json`);
    await page.addInitScript(() => {
      (window as unknown as { precisConfig: unknown }).precisConfig = { hideTimeoutMs: 10_000 };
    });
    await page.goto(loop.shop);
    await catalogRequest;
    await page.evaluate(() => new Promise<void>((resolve) => {
      window.precis = window.precis ?? [];
      window.precis.push((api) => {
        globalThis.api = api;
        void api.ready.then(resolve);
      });
    }));
    // A viewable impression takes a second in view; a loaded machine may take several more.
    await expect.poll(() => page.evaluate(async () => {
      const { arms } = await api.metrics();
      return arms.personalized.impressions + arms.control.impressions;
    }), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await page.locator('a.dashboard-link').click(); // the page goes away: its report goes to the collector
    await expect(page.locator('h1')).toContainText('what personalisation does');
    await expect.poll(() => loop.collector.countReports(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const { overall } = await loop.collector.estimates();
    const impressions = (overall.arms.personalized?.impressions.value ?? 0) + (overall.arms.control?.impressions.value ?? 0);
    expect(impressions).toBeGreaterThanOrEqual(1);
    // The dashboard shows it once reloaded.
    await page.reload();
    await expect(page.locator('tbody td:first-child').first()).toHaveText('All creatives');
  });
});
