import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { attach, configure, expectNoUncaught, slotCreatives, storedEvents, watchErrors } from '../browser/helpers';

const catalog = JSON.parse(readFileSync(new URL('../../demo/catalog.json', import.meta.url), 'utf8')) as {
  creatives: Array<{ id: string; targets?: { categories?: string[] } }>;
};
const targetsOf = (id: string | null) => catalog.creatives.find((c) => c.id === id)?.targets?.categories ?? [];

/** Records every layout shift, with the nodes that moved, from the first paint on. */
async function recordLayoutShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const shifts: Array<{ value: number; inSlot: boolean; nodes: string[] }> = [];
    (window as unknown as { shifts: typeof shifts }).shifts = shifts;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; sources?: Array<{ node?: Node }> }>) {
        const nodes = (entry.sources ?? []).map((s) => s.node).filter((n): n is Element => n instanceof Element);
        shifts.push({
          value: entry.value,
          inSlot: nodes.some((n) => n.closest('[data-precis-slot]') !== null),
          nodes: nodes.map((n) => n.outerHTML.slice(0, 80)),
        });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

test('a new visitor browses three racing games, returns home, and both slots show racing creatives', async ({ page }) => {
  const errors = watchErrors(page);
  await recordLayoutShifts(page);
  // No exploration, no control group: the same page every run; and a slow machine's first
  // decision must not miss the hiding timeout (no-flicker.spec covers that).
  await configure(page, { hideTimeoutMs: 10_000 });
  await page.goto('/');
  await attach(page);
  const first = await slotCreatives(page);
  expect(first).toEqual({ hero: 'welcome-sale', sidebar: 'free-shipping' }); // no history: the catalog's priors

  for (const name of ['Turbo Circuit', 'Dust Rally', 'Street Apex']) {
    // A product card's link (a creative may name the same game).
    await page.locator('a[data-precis-item]', { hasText: name }).first().click();
    await expect(page.locator('h1')).toHaveText(name);
    await attach(page);
  }
  await page.getByRole('link', { name: 'Pixel Market' }).click();
  await attach(page);

  const stored = await storedEvents(page);
  const racingViews = stored.filter((e) => e.type === 'view' && e.category === 'racing');
  expect(racingViews).toHaveLength(3); // from the product pages' JSON-LD
  expect(stored.filter((e) => e.type === 'click' && e.category === 'racing')).toHaveLength(3); // data-precis-item links

  const slots = await slotCreatives(page);
  expect(targetsOf(slots.hero)).toContain('racing');
  expect(targetsOf(slots.sidebar)).toContain('racing');
  expect(slots.hero).not.toBe(slots.sidebar);
  await expect(page.locator('[data-precis-slot="hero"] .precis-creative__title')).toBeVisible();

  await page.waitForTimeout(300);
  const shifts = await page.evaluate(() => (window as unknown as { shifts: Array<{ inSlot: boolean }> }).shifts);
  expect(shifts.filter((s) => s.inSlot)).toEqual([]);
  expect(shifts).toEqual([]);
  expectNoUncaught(errors);
});

test('add to cart and purchase from a product page are recorded through the command queue', async ({ page }) => {
  await page.goto('/product/8595');
  await attach(page);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('button', { name: 'Buy now' }).click();
  await page.reload();
  await attach(page);
  const types = (await storedEvents(page)).filter((e) => e.item === '8595').map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['view', 'add_to_cart', 'purchase']));
});

test('the visitor sees their data, downloads it, and deletes it', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/product/8595');
  await attach(page);
  await page.goto('/your-data');
  await attach(page);
  await expect(page.locator('.data-table tbody tr').first()).toBeVisible();
  await expect(page.locator('.data-table')).toContainText('8595');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download my data (JSON)' }).click();
  const file = await (await download).path();
  const data = JSON.parse(readFileSync(file, 'utf8')) as { events: Array<{ item?: string }> };
  expect(data.events.map((e) => e.item)).toContain('8595');
  await page.getByRole('button', { name: 'Delete my data' }).click();
  await expect(page.locator('.data-summary')).toHaveText(/^0 events/);
  expect(await storedEvents(page)).toEqual([]);
  expectNoUncaught(errors);
});
