import { expect, test, type Page } from '@playwright/test';
import { attach, configure, expectNoUncaught, TEST_CATALOG, watchErrors } from '../browser/helpers';

const SLOT_TOP = 2000;
const SLOT_HEIGHT = 200;

/** A page whose only slot sits far below the fold. */
async function serveTallPage(page: Page): Promise<void> {
  await page.route('**/test/measure-page', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><meta charset="utf-8"><title>Measure</title>
<style>body { margin: 0 } .gap { height: ${SLOT_TOP}px } .slot { height: ${SLOT_HEIGHT}px }</style>
<script src="/dist/precis.js"></script></head>
<body><div class="gap"></div><div class="slot" data-precis-slot="hero">Default hero</div><div class="gap"></div></body></html>`,
  }));
}

/** Scrolls so that `share` of the slot (its top part) is inside the viewport. */
async function showShareOfSlot(page: Page, share: number): Promise<void> {
  await page.evaluate(({ top, height, share: s }) => window.scrollTo(0, top + height * s - innerHeight), {
    top: SLOT_TOP, height: SLOT_HEIGHT, share,
  });
}

const impressions = (page: Page): Promise<number> => page.evaluate(async () => (await api.metrics()).arms.personalized.impressions);

test('a slot far below the fold is decided as it approaches, and an impression counts only after ≥ 50% was visible for 1 s', async ({ page }) => {
  const errors = watchErrors(page);
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false });
  await serveTallPage(page);
  await page.goto('/test/measure-page');
  await attach(page);
  const hero = page.locator('[data-precis-slot="hero"]');
  await page.waitForTimeout(400);
  await expect(hero).not.toHaveAttribute('data-precis-creative'); // not decided while far away
  await expect(hero).toHaveCSS('visibility', 'visible'); // and not hidden either

  await showShareOfSlot(page, 0.4);
  await expect(hero).toHaveAttribute('data-precis-creative', 'house'); // decided on approach
  await page.waitForTimeout(1500);
  expect(await impressions(page)).toBe(0); // 40% for 1.5 s: not viewable

  await showShareOfSlot(page, 0.6);
  await page.waitForTimeout(500);
  expect(await impressions(page)).toBe(0); // 60%, but only for half a second
  await expect.poll(() => impressions(page)).toBe(1);

  await page.waitForTimeout(1200);
  expect(await impressions(page)).toBe(1); // one impression per creative shown, not one per second
  const [exposure] = await page.evaluate(async () => (await api.myData()).exposures);
  expect(exposure).toMatchObject({ kind: 'impression', creative: 'house', slot: 'hero', arm: 'personalized', probability: 1 });
  expectNoUncaught(errors);
});

test('scrolling away before the second is up restarts it', async ({ page }) => {
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false });
  await serveTallPage(page);
  await page.goto('/test/measure-page');
  await attach(page);
  for (let i = 0; i < 4; i += 1) {
    await showShareOfSlot(page, 1);
    await page.waitForTimeout(400);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(400);
  }
  expect(await impressions(page)).toBe(0); // 1.6 s in view in all, never 1 s at a stretch
});

test('on the demo shop, a purchase after a click on a creative counts as its conversion', async ({ page }) => {
  const errors = watchErrors(page);
  await configure(page, { hideTimeoutMs: 10_000 });
  await page.goto('/');
  await attach(page);
  const hero = page.locator('[data-precis-slot="hero"]');
  const creative = await hero.getAttribute('data-precis-creative');
  expect(creative).not.toBeNull();
  await expect.poll(() => impressions(page)).toBeGreaterThanOrEqual(1);

  await Promise.all([page.waitForEvent('load'), hero.locator('.precis-creative').click()]);
  await page.goto('/product/8595');
  await attach(page);
  await page.getByRole('button', { name: 'Buy now' }).click();

  await expect.poll(async () => page.evaluate(async () => (await api.metrics()).arms.personalized.conversions)).toBe(1);
  const metrics = await page.evaluate(() => api.metrics());
  const row = metrics.creatives.find((entry) => entry.creative === creative)!;
  expect(row).toMatchObject({ arm: 'personalized', clicks: 1, conversions: 1 });
  expect(row.ctr).toBeCloseTo(row.clicks / row.impressions);
  expect(metrics.arms.control).toMatchObject({ impressions: 0, conversions: 0 });
  expectNoUncaught(errors);
});

test('"Why this ad?" opens the reasons in the slot, and "Don\'t show this again" brings the default back for good', async ({ page }) => {
  const errors = watchErrors(page);
  await configure(page, { hideTimeoutMs: 10_000 });
  for (const id of ['18515', '8596']) {
    await page.goto(`/product/${id}`);
    await attach(page);
  }
  // A visitor reads a page for a moment: the decisions for the next page are made by then.
  await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').decisions?.hero?.explanation.events.length ?? 0))
    .toBeGreaterThan(0);
  await page.goto('/');
  await attach(page);
  const hero = page.locator('[data-precis-slot="hero"]');
  const creative = (await hero.getAttribute('data-precis-creative'))!;
  const box = await hero.boundingBox();
  await hero.getByRole('button', { name: 'Why this ad?' }).click();
  const panel = hero.getByRole('dialog', { name: 'Why this ad?' });
  await expect(panel).toContainText('You viewed item');
  await expect(panel).toContainText('racing');
  expect(await hero.boundingBox()).toEqual(box); // the panel opens inside the slot: nothing moves

  await panel.getByRole('button', { name: "Don't show this again" }).click();
  await expect(hero).not.toHaveAttribute('data-precis-creative');
  await expect(hero).toContainText('Welcome to Pixel Market');
  const exposures = await page.evaluate(async () => (await api.myData()).exposures);
  expect(exposures.filter((e) => e.kind === 'dismiss')).toEqual([expect.objectContaining({ creative, slot: 'hero' })]);

  await page.reload();
  await attach(page);
  await expect.poll(async () => page.evaluate(async () => (await api.decide()).map((d) => d.creative?.id))).not.toContain(creative);
  const decision = (await page.evaluate(() => api.decide())).find((d) => d.slot === 'hero')!;
  expect(decision.excluded).toContainEqual({ creative, rule: 'dismissed' });
  expectNoUncaught(errors);
});
