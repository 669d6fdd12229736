import { expect, test } from '@playwright/test';
import { attach, configure, expectNoUncaught, slotCreatives, storedEvents, TEST_CATALOG, watchErrors } from './helpers';

const PAGE = '/test/browser/pages/slots.html';

test('events persist in IndexedDB across a reload', async ({ page }) => {
  const errors = watchErrors(page);
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(() => {
    for (const item of ['r1', 'r2', 'r3']) api.track({ type: 'view', item, category: 'racing' });
  });
  // The decisions for the next page are made from them a moment later (as a visitor reads).
  await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').decisions?.hero?.creative.id))
    .toBe('racing-pick');
  await page.reload(); // pagehide flushes anything still buffered
  await attach(page);
  const events = await storedEvents(page);
  expect(events.map((e) => [e.type, e.item, e.category])).toEqual([
    ['view', 'r1', 'racing'], ['view', 'r2', 'racing'], ['view', 'r3', 'racing'],
  ]);
  // …and the reloaded page decides from them.
  expect(await slotCreatives(page)).toEqual({ hero: 'racing-pick', side: 'racing-week' });
  expectNoUncaught(errors);
});

test('3 tabs × 200 track() calls at once: 600 stored, none lost', async ({ context }) => {
  const pages = await Promise.all([0, 1, 2].map(() => context.newPage()));
  for (const page of pages) {
    await configure(page, { autoCapture: false });
    await page.goto(PAGE);
    await attach(page);
  }
  await Promise.all(
    pages.map((page, tab) =>
      page.evaluate(async (t) => {
        for (let i = 0; i < 200; i += 1) {
          api.track({ type: 'tab_event', item: `${t}-${i}` });
          // Spread the calls over several flush periods so the tabs' transactions interleave.
          if (i % 20 === 0) await new Promise((r) => setTimeout(r, 150));
        }
        api.destroy(); // flushes what is still buffered
      }, tab),
    ),
  );
  await expect.poll(async () => (await storedEvents(pages[0]!)).length, { timeout: 10_000 }).toBe(600);
  const items = new Set((await storedEvents(pages[0]!)).map((e) => e.item));
  expect(items.size).toBe(600);
});

test('without IndexedDB the slots still fill, from memory', async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
  });
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false });
  await page.goto(PAGE);
  const codes: string[] = [];
  await page.exposeFunction('recordError', (code: string) => codes.push(code));
  await page.evaluate(() =>
    new Promise<void>((resolve) => {
      window.precis = window.precis ?? [];
      window.precis.push((api) => {
        globalThis.api = api;
        void api.ready.then(() => resolve());
      });
    }));
  await page.evaluate(async () => {
    api.on('error', (e) => void (window as unknown as { recordError(c: string): void }).recordError(e.code));
    api.track({ type: 'view', item: 'x', category: 'rpg' });
    api.track({ type: 'add_to_cart', item: 'y', category: 'rpg' });
    await api.refresh();
  });
  expect(await slotCreatives(page)).toEqual({ hero: 'rpg-week', side: 'house' });
  expectNoUncaught(errors);
});

test('the store-unavailable error is reported when IndexedDB is missing', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    // Listen before the script runs, as a site that wants every error would.
    (window as unknown as { precis: unknown[] }).precis = [
      (api: { on(t: string, f: (e: { code: string }) => void): void }) =>
        api.on('error', (e) => ((window as unknown as { codes: string[] }).codes ??= []).push(e.code)),
    ];
  });
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false });
  await page.goto(PAGE);
  await attach(page);
  expect(await page.evaluate(() => (window as unknown as { codes: string[] }).codes)).toEqual(['store-unavailable']);
});

test('a creative whose title is markup shows as text and runs nothing', async ({ page }) => {
  const errors = watchErrors(page);
  const payload = '<img src=x onerror="window.__pwned=1">';
  await configure(page, {
    autoCapture: false,
    hideTimeoutMs: 10_000,
    catalog: { creatives: [{ id: 'xss', slots: ['hero'], title: payload, weight: 5, url: '/safe' }] },
  });
  await page.goto(PAGE);
  await attach(page);
  const hero = page.locator('[data-precis-slot="hero"]');
  await expect(hero).toHaveAttribute('data-precis-creative', 'xss');
  await expect(hero.locator('.precis-creative__title')).toHaveText(payload);
  expect(await hero.locator('img').count()).toBe(0);
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expectNoUncaught(errors);
});

test('slots added later are filled, without reusing a creative already on the page', async ({ page }) => {
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false, hideTimeoutMs: 10_000 });
  await page.goto(PAGE);
  await attach(page);
  expect(await slotCreatives(page)).toEqual({ hero: 'house', side: 'house-2' });
  await page.evaluate(() => {
    const late = document.createElement('section');
    late.innerHTML = '<div data-precis-slot="late-1" class="slot">d</div>';
    late.firstElementChild!.setAttribute('data-precis-slot', 'side');
    document.body.append(late);
  });
  await expect(page.locator('section [data-precis-slot="side"]')).toHaveAttribute('data-precis-creative', /.+/);
  const shown = await page.$$eval('[data-precis-creative]', (els) => els.map((e) => e.getAttribute('data-precis-creative')));
  expect(new Set(shown).size).toBe(3);
});

test('bad calls never throw into the page; destroy() puts the defaults back and is idempotent', async ({ page }) => {
  const errors = watchErrors(page);
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false });
  await page.goto(PAGE);
  await attach(page);
  const result = await page.evaluate(() => {
    const codes: string[] = [];
    api.on('error', (e) => codes.push(e.code));
    api.on('error', () => { throw new Error('a listener that throws'); });
    const tracked = [
      api.track({ type: 'view' } as never),
      api.track(null as never),
      api.track({ type: 'view', item: 'ok' }),
    ];
    window.precis!.push(() => { throw new Error('site callback'); });
    (window.precis as { push(x: unknown): void }).push('not a function');
    api.destroy();
    api.destroy();
    return { tracked, codes, afterDestroy: api.track({ type: 'view', item: 'late' }) };
  });
  expect(result.tracked).toEqual([false, false, true]);
  expect(result.codes).toEqual(['invalid-event', 'invalid-event', 'callback', 'callback']);
  expect(result.afterDestroy).toBe(false);
  await expect(page.locator('[data-precis-slot="hero"]')).toHaveText('Default hero');
  await expect(page.locator('[data-precis-slot="hero"]')).not.toHaveAttribute('data-precis-creative');
  expectNoUncaught(errors);
});

test('the command queue works before and after the script loads, and a second copy is harmless', async ({ page }) => {
  const errors = watchErrors(page);
  await page.addInitScript(() => {
    (window as unknown as { precis: unknown[] }).precis = [
      (api: { track(e: object): boolean }) => api.track({ type: 'queued_before', item: 'b' }),
    ];
  });
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(async () => {
    const first = window.precis;
    const again = document.createElement('script');
    again.src = '/dist/precis.js?again';
    await new Promise((resolve) => {
      again.onload = resolve;
      document.head.append(again);
    });
    if (window.precis !== first) throw new Error('the second copy replaced the first');
    window.precis!.push((api) => api.track({ type: 'queued_after', item: 'a' }));
    api.destroy();
  });
  await expect.poll(async () => (await storedEvents(page)).map((e) => e.type)).toEqual(['queued_before', 'queued_after']);
  expectNoUncaught(errors);
});
