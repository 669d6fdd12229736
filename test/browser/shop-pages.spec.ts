import { expect, test, type Page } from '@playwright/test';
import { attach, expectNoUncaught, storedEvents, watchErrors } from './helpers';

declare global {
  // The Next.js-like fixture's router (test/browser/pages/shops/next-shop.html).
  var shop: { navigate(route: string): Promise<void>; navigateRenderFirst(route: string): void; rerender(): void };
}

const SHOPS = '/test/browser/pages/shops';

/** The product views stored in the page's IndexedDB, as item, price and category. */
async function storedViews(page: Page): Promise<Array<Record<string, unknown>>> {
  return (await storedEvents(page))
    .filter((event) => event.type === 'view')
    .map(({ item, price, category }) => Object.fromEntries(Object.entries({ item, price, category }).filter(([, v]) => v !== undefined)));
}

/** Lets the capture's settle timer (50 ms, set before this one) run. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 150)));
}

test.describe('auto-capture on the platforms’ product pages, stored in Chromium’s IndexedDB', () => {
  for (const [name, path, expected] of [
    ['Shopify (Dawn, a ProductGroup)', 'shopify-dawn.html', { item: '8100000000001', price: 39, category: 'Racing' }],
    ['Shopify, the variant in the URL', 'shopify-dawn.html?variant=40100000000002', { item: '8100000000001', price: 59, category: 'Racing' }],
    ['WooCommerce', 'woocommerce.html', { item: 'RAS-8W', price: 1049.5, category: 'Controllers' }],
    ['Magento / Adobe Commerce (microdata, no category in its markup)', 'magento.html', { item: 'MG-JP-PRO', price: 49.9 }],
    ['BigCommerce (Cornerstone)', 'bigcommerce.html', { item: '4006381333931', price: 249.99, category: 'Handheld' }],
    ['Open Graph product tags only', 'open-graph.html', { item: 'ACM-01', price: 129, category: 'Arcade' }],
  ] as const) {
    test(name, async ({ page }) => {
      const errors = watchErrors(page);
      await page.goto(`${SHOPS}/${path}`);
      await attach(page);
      await expect.poll(() => storedViews(page)).toEqual([expected]);
      await settle(page);
      expect(await storedViews(page)).toEqual([expected]); // one view, however many times the page was read
      expectNoUncaught(errors);
    });
  }

  test('a category page is not a product view', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto(`${SHOPS}/listing.html`);
    await attach(page);
    await expect.poll(async () => (await storedEvents(page)).some((event) => event.type === 'page_view')).toBe(true);
    await settle(page);
    expect(await storedViews(page)).toEqual([]);
    // The capture is watching: a quick-view dialog that renders this page's own product is a view.
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.type = 'application/ld+json';
      script.textContent = JSON.stringify({ '@type': 'Product', sku: 'QV-1', url: location.href, offers: { price: '9.50' } });
      document.body.append(script);
    });
    await expect.poll(() => storedViews(page)).toEqual([{ item: 'QV-1', price: 9.5 }]);
    expectNoUncaught(errors);
  });

  test('a Next.js-style shop: a view per product route, none for the listing or a re-render', async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto(`${SHOPS}/next-shop.html`);
    await attach(page);
    const pixelQuest = { item: 'PQ-01', price: 24.99, category: 'Puzzle' };
    const neonDrift = { item: `${SHOPS}/next/product/neon-drift`, price: 19.99 }; // no sku, no url: the page's path
    await page.evaluate(() => shop.navigate('product/pixel-quest'));
    await expect.poll(() => storedViews(page)).toEqual([pixelQuest]);
    await page.evaluate(() => shop.rerender());
    await settle(page);
    await page.evaluate(() => shop.navigateRenderFirst('product/neon-drift'));
    await expect.poll(() => storedViews(page)).toEqual([pixelQuest, neonDrift]);
    await page.evaluate(() => shop.navigate('collections/all'));
    await settle(page);
    await page.evaluate(() => shop.navigate('product/pixel-quest'));
    await expect.poll(() => storedViews(page)).toEqual([pixelQuest, neonDrift, pixelQuest]);
    const pageViews = (await storedEvents(page)).filter((event) => event.type === 'page_view').map((event) => event.url);
    expect(pageViews).toEqual([
      `${SHOPS}/next-shop.html`, `${SHOPS}/next/product/pixel-quest`, `${SHOPS}/next/product/neon-drift`,
      `${SHOPS}/next/collections/all`, `${SHOPS}/next/product/pixel-quest`,
    ]);
    expectNoUncaught(errors);
  });
});
