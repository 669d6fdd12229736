import { expect, test, type Page } from '@playwright/test';
import { attach, configure, expectNoUncaught, slotCreatives, storedEvents, TEST_CATALOG, watchErrors } from './helpers';

const PAGE = '/test/browser/pages/slots.html';

/** A stub IAB TCF v2.2 CMP: `window.answerTcf(consents)` plays the visitor's choice. */
async function installStubCmp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const listeners: Array<(data: object, ok: boolean) => void> = [];
    let last: object | undefined;
    const w = window as unknown as Record<string, unknown>;
    // Like a real CMP, a listener added after the visitor answered gets that answer at once.
    w.__tcfapi = (command: string, _version: number, callback: (data: object, ok: boolean) => void) => {
      if (command !== 'addEventListener') return;
      listeners.push(callback);
      if (last) callback({ ...last, eventStatus: 'tcloaded' }, true);
    };
    w.answerTcf = (purposes: number[]) => {
      const consents = Object.fromEntries(purposes.map((p) => [p, true]));
      last = { gdprApplies: true, eventStatus: 'useractioncomplete', purpose: { consents }, vendor: { consents: { 77: true } } };
      for (const l of listeners) l(last, true);
    };
  });
}
const answerTcf = (page: Page, purposes: number[]) =>
  page.evaluate((p) => (window as unknown as { answerTcf(p: number[]): void }).answerTcf(p), purposes);
const databases = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
const racingViews = (page: Page) =>
  page.evaluate(() => {
    for (const item of ['r1', 'r2', 'r3']) api.track({ type: 'view', item, category: 'racing' });
  });

test('TCF: denied, then granted, then withdrawn — storage follows each answer', async ({ page }) => {
  const errors = watchErrors(page);
  await installStubCmp(page);
  await configure(page, { autoCapture: false, catalog: TEST_CATALOG, tcf: { vendorId: 77, timeoutMs: 60_000 } });
  await page.goto(PAGE);

  await answerTcf(page, []); // denied
  await attach(page);
  await racingViews(page);
  await page.evaluate(() => api.refresh());
  expect(await databases(page)).not.toContain('precis'); // nothing written anywhere
  expect(await slotCreatives(page)).toEqual({ hero: 'house', side: 'house-2' }); // not personalised

  await answerTcf(page, [1, 3, 4]); // granted
  await expect.poll(() => storedEvents(page).then((e) => e.map((x) => x.item))).toEqual(['r1', 'r2', 'r3']);
  await expect.poll(() => slotCreatives(page)).toEqual({ hero: 'racing-pick', side: 'racing-week' });

  await answerTcf(page, []); // withdrawn
  await expect.poll(() => databases(page)).not.toContain('precis');
  const data = await page.evaluate(() => api.myData());
  expect(data.events).toEqual([]); // what was queued in memory went too
  expect(data.consent).toEqual({ store: false, personalize: false, send: false });
  await expect.poll(() => slotCreatives(page)).toEqual({ hero: 'house', side: 'house-2' });
  expectNoUncaught(errors);
});

test('a CMP that never answers means no, even with defaultConsent allow: the timeout only ends the wait', async ({ page }) => {
  await installStubCmp(page);
  await configure(page, { autoCapture: false, catalog: TEST_CATALOG, defaultConsent: 'allow', tcf: { timeoutMs: 300 } });
  await page.goto(PAGE);
  await attach(page);
  expect((await page.evaluate(() => api.myData())).consent).toEqual({ store: false, personalize: false, send: false });
  await racingViews(page);
  await page.evaluate(() => api.refresh());
  expect(await databases(page)).not.toContain('precis');
});

test('Global Privacy Control: no personalisation from the profile', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  await configure(page, { autoCapture: false, catalog: TEST_CATALOG });
  await page.goto(PAGE);
  await attach(page);
  await racingViews(page);
  const decided = await page.evaluate(() => api.refresh().then((d) => d.map((x) => x.creative?.id)));
  expect(decided).toEqual(['house', 'house-2']);
  expect((await page.evaluate(() => api.myData())).consent).toMatchObject({ personalize: false, send: false });
  expect((await page.evaluate(() => api.recommend())).items).toEqual([]);
});

test('forget() with three tabs open deletes everything, in every tab, and starts afresh', async ({ context }) => {
  const pages = await Promise.all([0, 1, 2].map(() => context.newPage()));
  for (const page of pages) {
    await configure(page, { autoCapture: false, catalog: TEST_CATALOG });
    await page.goto(PAGE);
    await attach(page);
    await racingViews(page);
  }
  await expect.poll(() => storedEvents(pages[0]!).then((e) => e.length)).toBe(9);
  // Counters and cached decisions too: an impression (1 s in view) and the state in localStorage.
  await expect.poll(() => pages[0]!.evaluate(() => api.myData().then((d) => d.exposures.length))).toBeGreaterThan(0);
  const visitorOf = (page: Page): Promise<string | undefined> =>
    page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').visitor);
  await expect.poll(() => visitorOf(pages[0]!)).toBeDefined();
  const oldVisitor = await visitorOf(pages[0]!);
  const forgotAt = await pages[0]!.evaluate(() => Date.now());
  await pages[0]!.evaluate(() => api.forget());
  await expect.poll(() => storedEvents(pages[0]!).then((e) => e.length)).toBe(0);
  for (const page of pages) {
    await expect.poll(() => page.evaluate(() => api.myData().then((d) => d.events.length))).toBe(0);
    const exposures = await page.evaluate(() => api.myData().then((d) => d.exposures));
    expect(exposures.filter((e) => e.time < forgotAt)).toEqual([]);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(oldVisitor!);
    await expect.poll(() => slotCreatives(page)).toEqual({ hero: 'house', side: 'house-2' });
  }
  // A new anonymous state: tracking goes on, into a fresh database.
  await pages[2]!.evaluate(() => api.track({ type: 'view', item: 'new-visitor' }));
  await expect.poll(() => storedEvents(pages[1]!).then((e) => e.map((x) => x.item))).toEqual(['new-visitor']);
});

test('myData() shows the visitor what is stored', async ({ page }) => {
  await configure(page, { autoCapture: false });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(() => api.track({ type: 'add_to_cart', item: 'sku-1', category: 'rpg', price: 20 }));
  const data = await page.evaluate(() => api.myData());
  expect(data.storedIn).toBe('indexeddb');
  expect(data.events).toEqual([expect.objectContaining({ type: 'add_to_cart', item: 'sku-1', category: 'rpg', price: 20 })]);
});
