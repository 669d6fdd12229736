import { buildSync } from 'esbuild';
import { expect, type Page } from '@playwright/test';
import { configure, TEST_CATALOG } from './helpers';
import type { CmpScenario } from './pages/iab-cmp';

export type { CmpScenario, TcChoice } from './pages/iab-cmp';

let bundle: string | undefined;
/** The IAB's TCF and GPP libraries, as the test CMP uses them, in one script (built once per worker). */
function cmpBundle(): string {
  bundle ??= buildSync({
    entryPoints: [new URL('./pages/iab-cmp.ts', import.meta.url).pathname],
    bundle: true, format: 'iife', target: 'es2020', write: false,
  }).outputFiles[0]!.text;
  return bundle;
}

/** A site page as a real site with a CMP has it: the CMP's stubs first, then Precis's script tag, then two slots. */
const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CMP test page</title>
<style>.slot { height: 120px; overflow: hidden; }</style>
<script src="/test/iab-cmp.js"></script>
<script src="/dist/precis.js"></script>
</head><body>
<div class="slot" data-precis-slot="hero"><p>Default hero</p></div>
<p>Content between the slots</p>
<div class="slot" data-precis-slot="side"><p>Default side</p></div>
</body></html>`;

export const CMP_PAGE = '/test/cmp-page';

/** What Precis left in the browser: IndexedDB databases and its localStorage keys. */
export async function storedAnything(page: Page): Promise<{ databases: string[]; localStorage: string[] }> {
  return page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((db) => db.name ?? ''),
    localStorage: Object.keys(localStorage).filter((key) => key.startsWith('precis')),
  }));
}

export const NOTHING_STORED = { databases: [], localStorage: [] };

/**
 * Serves the CMP page with `scenario` and configures Precis (our vendor id 77, a fresh
 * report endpoint on the demo server); `reports()` reads what that endpoint received.
 *
 * @example
 * const { reports } = await openCmpPage(page, { tcf: { stored: { purposes: [1, 3, 4], vendors: [77] } } });
 */
export async function openCmpPage(page: Page, scenario: CmpScenario, config: Record<string, unknown> = {}): Promise<{ reports(): Promise<unknown[]> }> {
  const endpoint = `/report/${Math.random().toString(36).slice(2)}`;
  await page.route('**/test/iab-cmp.js', (route) => route.fulfill({ contentType: 'text/javascript', body: cmpBundle() }));
  await page.route(`**${CMP_PAGE}`, (route) => route.fulfill({ contentType: 'text/html', body: PAGE_HTML }));
  await page.addInitScript((s) => void (window.cmpScenario = s), scenario);
  await configure(page, { autoCapture: false, catalog: TEST_CATALOG, tcf: { vendorId: 77 }, report: endpoint, ...config });
  await page.goto(CMP_PAGE);
  return { reports: async () => (await page.request.get(endpoint)).json() as Promise<unknown[]> };
}

/** Three racing views, the profile that makes the slots show racing creatives. */
export const trackRacing = (page: Page): Promise<void> =>
  page.evaluate(() => {
    for (const item of ['r1', 'r2', 'r3']) api.track({ type: 'view', item, category: 'racing' });
  });

/** The creative each slot shows after a refresh. */
export const refreshedCreatives = (page: Page): Promise<Array<string | undefined>> =>
  page.evaluate(() => api.refresh().then((decisions) => decisions.map((d) => d.creative?.id)));

export const PERSONALISED = ['racing-pick', 'racing-week'];
export const NOT_PERSONALISED = ['house', 'house-2'];

/** One viewable impression (1 s in view) recorded, then the page goes away: the report beacon would go now. */
export async function leaveAfterAnImpression(page: Page, impressionExpected: boolean): Promise<void> {
  if (impressionExpected) {
    await expect.poll(() => page.evaluate(async () => (await api.metrics()).arms.personalized.impressions)).toBeGreaterThan(0);
  } else {
    await page.waitForTimeout(1500); // long enough for an impression, were one allowed
  }
  await page.goto('/test/browser/pages/empty.html'); // pagehide: a report would go now
  await page.waitForTimeout(500);
}
