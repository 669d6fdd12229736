import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { buildPrebidPages } from './ad-stack/build-pages.mjs';
import { openCmpPage, trackRacing, type CmpScenario } from './cmp-helpers';
import { attach, expectNoUncaught, TEST_CATALOG, watchErrors } from './helpers';

// Issue #16, consent: with the IAB's own CMPs on the page (see cmp-helpers.ts), segments
// reach Google Publisher Tag and Prebid.js only with TCF purpose 4, and not after a GPP
// opt-out. GPT (the stand-in) is on the page before the CMP's stub and Precis's script tag;
// Prebid.js 11 (the test build, first auction at load) loads once the page is parsed.

const NAME = 'shop.example';
const CATALOG = { ...TEST_CATALOG, audience: { categories: { racing: ['742'] } } };
const RACING = { name: NAME, ext: { segtax: 4 }, segment: [{ id: '742' }] };
const GPT_STUB = fileURLToPath(new URL('./pages/gpt-stub.js', import.meta.url));

test.beforeAll(buildPrebidPages);

/** What the ad stack got from Precis: GPT's page-level segments and PPS, and Precis's `user.data` in a new auction. */
async function adStackGot(page: Page): Promise<{ segments: unknown; pps: unknown; userData: unknown[] }> {
  const auctions = await page.evaluate(() => window.recordedOrtb2.length);
  await page.evaluate(() => window.runAuction());
  await page.waitForFunction((n) => window.recordedOrtb2.length > n, auctions);
  return page.evaluate((name) => {
    const configs = (window as unknown as { gptLog: Array<[string, { targeting?: Record<string, unknown>; pps?: unknown }]> }).gptLog
      .filter(([call]) => call === 'setConfig').map(([, config]) => config);
    const ortb2 = window.recordedOrtb2.at(-1) as { user?: { data?: Array<{ name?: string }> } } | null;
    return {
      segments: configs.at(-1)?.targeting?.precis_seg ?? null,
      pps: configs.at(-1)?.pps ?? null,
      userData: (ortb2?.user?.data ?? []).filter((entry) => entry.name === name),
    };
  }, NAME);
}

async function openWithAdStack(page: Page, scenario: CmpScenario): Promise<void> {
  await page.addInitScript({ path: GPT_STUB });
  // In the top frame only: init scripts run in every frame, and Prebid makes some.
  await page.addInitScript(() => window === window.top && document.addEventListener('DOMContentLoaded', () => {
    document.head.append(Object.assign(document.createElement('script'), { src: '/test/browser/pages/.build/prebid-plain.js' }));
  }));
  await openCmpPage(page, scenario, { catalog: CATALOG, adStack: { name: NAME } });
  await attach(page);
  await page.waitForFunction(() => window.recordedOrtb2?.length > 0); // Prebid's first auction has run
  await trackRacing(page);
}

const ALLOWED: Array<[string, CmpScenario]> = [
  ['TCF purposes 1, 3 and 4', { tcf: { stored: { purposes: [1, 3, 4], vendors: [77] } } }],
  ['GPP without an opt-out', { gpp: { usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } } }],
];
const REFUSED: Array<[string, CmpScenario]> = [
  ['TCF purposes 1 and 3, not 4', { tcf: { stored: { purposes: [1, 3], vendors: [77] } } }],
  ['a GPP opt-out of targeted advertising', {
    gpp: { usnat: { TargetedAdvertisingOptOutNotice: 1, SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 1 } },
  }],
];

for (const [name, scenario] of ALLOWED) {
  test(`${name}: GPT and Prebid.js get the segments (the control for the refusals)`, async ({ page }) => {
    const errors = watchErrors(page);
    await openWithAdStack(page, scenario);
    await expect.poll(async () => (await adStackGot(page)).userData).toEqual([RACING]);
    const got = await adStackGot(page);
    expect(got.segments).toContain('interest:racing');
    expect(got.pps).toEqual({ taxonomies: { IAB_AUDIENCE_1_1: { values: ['742'] } } });
    expectNoUncaught(errors);
  });
}

for (const [name, scenario] of REFUSED) {
  test(`${name}: neither GPT nor Prebid.js gets anything, and nothing is kept for the next page`, async ({ page }) => {
    const errors = watchErrors(page);
    await openWithAdStack(page, scenario);
    await page.evaluate(() => api.refresh());
    await page.waitForTimeout(1000); // the export runs 50 ms after a change, were it allowed
    expect(await adStackGot(page)).toEqual({ segments: null, pps: null, userData: [] });
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').ads ?? null)).toBeNull();
    expectNoUncaught(errors);
  });
}
