import { expect, test } from '@playwright/test';
import { attach, configure, expectNoUncaught, storedEvents, TEST_CATALOG, watchErrors } from './helpers';

const PAGE = '/test/browser/pages/slots.html';

test('SPA route changes are page views; the same path twice is one', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(async () => {
    history.pushState({}, '', '/test/browser/pages/spa/a');
    history.replaceState({ same: true }, '', '/test/browser/pages/spa/a'); // same path: not a new view
    history.pushState({}, '', '/test/browser/pages/spa/b?q=1');
    history.back(); // popstate back to /a
    await new Promise((resolve) => addEventListener('popstate', resolve, { once: true }));
    api.destroy(); // flush
  });
  await expect.poll(async () => (await storedEvents(page)).filter((e) => e.type === 'page_view').map((e) => e.url)).toEqual([
    '/test/browser/pages/slots.html', '/test/browser/pages/spa/a', '/test/browser/pages/spa/b', '/test/browser/pages/spa/a',
  ]);
  // destroy() put history back: no more page views after it.
  await page.evaluate(() => history.pushState({}, '', '/test/browser/pages/spa/c'));
  expect((await storedEvents(page)).filter((e) => e.url === '/test/browser/pages/spa/c')).toEqual([]);
  expectNoUncaught(errors);
});

test('the store keeps the newest maxEvents in Chromium’s IndexedDB', async ({ page }) => {
  await configure(page, { autoCapture: false, maxEvents: 50 });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(async () => {
    for (let i = 0; i < 80; i += 1) {
      api.track({ type: 'view', item: `i${i}`, time: Date.now() - 80 + i });
      if (i === 40) await new Promise((r) => setTimeout(r, 1200)); // a flush in between
    }
    api.destroy();
  });
  await expect.poll(async () => (await storedEvents(page)).length).toBe(50);
  const items = (await storedEvents(page)).map((e) => e.item);
  expect(items[0]).toBe('i30');
  expect(items[49]).toBe('i79');
});

test('expired events are deleted (retention) in Chromium’s IndexedDB', async ({ page }) => {
  await configure(page, { autoCapture: false, retentionDays: 1 });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(() => {
    api.track({ type: 'view', item: 'two-days-old', time: Date.now() - 2 * 86_400_000 });
    api.track({ type: 'view', item: 'fresh' });
    api.destroy();
  });
  await expect.poll(async () => (await storedEvents(page)).map((e) => e.item)).toEqual(['fresh']);
});

test('another tab upgrading the database is not blocked, and this tab carries on', async ({ context }) => {
  const page = await context.newPage();
  const errors = watchErrors(page);
  await configure(page, { autoCapture: false });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(() => api.track({ type: 'view', item: 'before' }));
  const other = await context.newPage();
  await other.goto(PAGE.replace('slots.html', 'empty.html'));
  const version = await other.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const request = indexedDB.open('precis', 1000);
        request.onblocked = () => reject(new Error('blocked by the first tab'));
        request.onsuccess = () => {
          request.result.close();
          resolve(request.result.version);
        };
        request.onerror = () => reject(request.error);
      }),
  );
  expect(version).toBe(1000);
  const decided = await page.evaluate(async () => {
    api.track({ type: 'view', item: 'after' });
    return (await api.decide()).length;
  });
  expect(decided).toBe(2);
  expectNoUncaught(errors);
});

test('what one tab records, another tab’s next decision sees', async ({ context }) => {
  const [a, b] = await Promise.all([context.newPage(), context.newPage()]);
  for (const page of [a, b]) {
    await configure(page, { autoCapture: false, catalog: TEST_CATALOG });
    await page.goto(PAGE);
    await attach(page);
  }
  expect(await b.evaluate(() => api.decide().then((d) => d[0]!.creative?.id))).toBe('house');
  await a.evaluate(() => {
    for (const item of ['r1', 'r2', 'r3']) api.track({ type: 'view', item, category: 'racing' });
  });
  await expect.poll(() => b.evaluate(() => api.decide().then((d) => d[0]!.creative?.id))).toBe('racing-pick');
});
