import { expect, test, type Page } from '@playwright/test';
import { buildPrebidPages } from './ad-stack/build-pages.mjs';
import { attach, configure, expectNoUncaught, TEST_CATALOG, watchErrors } from './helpers';

const NAME = 'shop.example';
const CATALOG = {
  ...TEST_CATALOG,
  audience: { categories: { racing: ['742'], rpg: ['740'] }, segments: { 'cart-abandoner': ['971'] } },
};
/** Precis's entry for a visitor interested in racing games who left a cart. */
const RACING_CART = { name: NAME, ext: { segtax: 4 }, segment: [{ id: '742' }, { id: '971' }] };

type Ortb2 = { user?: { data?: Array<{ name?: string }> } } | null;
const precisEntries = (ortb2: Ortb2): unknown[] => (ortb2?.user?.data ?? []).filter((entry) => entry.name === NAME);

test.beforeAll(buildPrebidPages);

/** A visitor who looked at racing games and left a cart: their ad signals are cached for the next page. */
async function becomeReturningVisitor(page: Page): Promise<void> {
  await configure(page, { catalog: CATALOG, autoCapture: false, adStack: { name: NAME } });
  await page.goto('/test/browser/pages/slots.html');
  await attach(page);
  await page.evaluate(() => {
    for (let i = 0; i < 3; i += 1) api.track({ type: 'add_to_cart', item: `r${i}`, category: 'racing' });
  });
  await expect.poll(() => cachedEntries(page)).toEqual([RACING_CART]);
}

const cachedEntries = (page: Page): Promise<unknown> =>
  page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').ads?.data ?? null);

async function firstAuction(page: Page, path: string): Promise<Ortb2> {
  await page.goto(path);
  await page.waitForFunction(() => window.recordedOrtb2?.length > 0);
  return page.evaluate(() => window.recordedOrtb2[0] as Ortb2);
}

test.describe('Prebid.js first-party data', () => {
  test('the first auction on a returning visitor\'s page carries Precis\'s user.data; the control page does not', async ({ page }) => {
    const errors = watchErrors(page);
    await becomeReturningVisitor(page);
    expect(precisEntries(await firstAuction(page, '/test/browser/pages/prebid.html'))).toEqual([RACING_CART]);
    // The same assertion on the same page without Precis fails.
    expect(precisEntries(await firstAuction(page, '/test/browser/pages/prebid-control.html'))).not.toEqual([RACING_CART]);
    expectNoUncaught(errors);
  });

  test('later auctions get the refreshed profile, with Precis\'s entry replaced, never duplicated', async ({ page }) => {
    await becomeReturningVisitor(page);
    await firstAuction(page, '/test/browser/pages/prebid.html');
    await attach(page);
    await page.evaluate(() => {
      for (let i = 0; i < 12; i += 1) api.track({ type: 'view', item: `p${i}`, category: 'rpg' });
    });
    const rpgFirst = { name: NAME, ext: { segtax: 4 }, segment: [{ id: '740' }, { id: '742' }, { id: '971' }] };
    await expect.poll(() => cachedEntries(page)).toEqual([rpgFirst]);
    await page.evaluate(() => window.runAuction());
    await page.waitForFunction(() => window.recordedOrtb2.length === 2);
    expect(precisEntries(await page.evaluate(() => window.recordedOrtb2[1] as Ortb2))).toEqual([rpgFirst]);
  });

  test('without consent the first auction carries none', async ({ page }) => {
    await becomeReturningVisitor(page);
    await page.evaluate(() => api.consent({ send: false }));
    await expect.poll(() => cachedEntries(page)).toBeNull();
    // The RTD page first: the script-tag page runs Precis, which (the site not repeating
    // the visitor's choice there) may cache signals again for the page after it.
    expect(precisEntries(await firstAuction(page, '/test/browser/pages/prebid-rtd.html'))).toEqual([]);
    expect(precisEntries(await firstAuction(page, '/test/browser/pages/prebid.html'))).toEqual([]);
  });

  test('with Global Privacy Control on, neither the script tag nor the RTD submodule passes anything', async ({ page }) => {
    await becomeReturningVisitor(page);
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
    expect(precisEntries(await firstAuction(page, '/test/browser/pages/prebid.html'))).toEqual([]);
    expect(precisEntries(await firstAuction(page, '/test/browser/pages/prebid-rtd.html'))).toEqual([]);
  });

  test('the RTD submodule gives the first auction the same data, and the control page fails the same assertion', async ({ page }) => {
    const errors = watchErrors(page);
    await becomeReturningVisitor(page);
    const viaScriptTag = precisEntries(await firstAuction(page, '/test/browser/pages/prebid.html'));
    const viaRtd = precisEntries(await firstAuction(page, '/test/browser/pages/prebid-rtd.html'));
    expect(viaRtd).toEqual([RACING_CART]);
    expect(viaRtd).toEqual(viaScriptTag);
    expect(precisEntries(await firstAuction(page, '/test/browser/pages/prebid-control.html'))).not.toEqual([RACING_CART]);
    expectNoUncaught(errors);
  });
});

test.describe('Google Publisher Tag', () => {
  const gptLog = (page: Page): Promise<Array<[string, ...unknown[]]>> =>
    page.evaluate(() => (window as unknown as { gptLog: Array<[string, ...unknown[]]> }).gptLog);

  for (const order of ['after', 'before'] as const) {
    test(`targeting and PPS are set before the first ad request (GPT loads ${order} Precis)`, async ({ page }) => {
      await becomeReturningVisitor(page);
      await page.goto(`/test/browser/pages/gpt.html?gpt=${order}`);
      const log = await gptLog(page);
      const display = log.findIndex(([call]) => call === 'display');
      const config = log.findIndex(([call]) => call === 'setConfig');
      expect(display).toBeGreaterThan(-1);
      expect(config).toBeGreaterThan(-1);
      expect(config).toBeLessThan(display);
      expect(log[config]![1]).toEqual({
        targeting: { precis_seg: ['interest:racing', 'cart-abandoner', 'new-visitor', 'propensity:medium'], precis_pb: 'medium' },
        pps: { taxonomies: { IAB_AUDIENCE_1_1: { values: ['742', '971'] } } },
      });
    });
  }

  test('an older GPT without setConfig gets pubads().setTargeting, before the first ad request', async ({ page }) => {
    await becomeReturningVisitor(page);
    await page.addInitScript(() => void ((window as unknown as { gptWithoutSetConfig: boolean }).gptWithoutSetConfig = true));
    await page.goto('/test/browser/pages/gpt.html');
    const log = await gptLog(page);
    expect(log.slice(0, 3)).toEqual([
      ['setTargeting', 'precis_seg', ['interest:racing', 'cart-abandoner', 'new-visitor', 'propensity:medium']],
      ['setTargeting', 'precis_pb', 'medium'],
      ['display', 'ad-top'],
    ]);
  });

  test('without consent GPT gets nothing before the first ad request', async ({ page }) => {
    await becomeReturningVisitor(page);
    await page.evaluate(() => api.consent({ personalize: false }));
    await expect.poll(() => cachedEntries(page)).toBeNull();
    await page.goto('/test/browser/pages/gpt.html');
    expect((await gptLog(page))[0]).toEqual(['display', 'ad-top']);
  });
});
