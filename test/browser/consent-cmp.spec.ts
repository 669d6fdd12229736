import { expect, test, type Page } from '@playwright/test';
import { attach, expectNoUncaught, storedEvents, watchErrors } from './helpers';
import {
  leaveAfterAnImpression, NOT_PERSONALISED, NOTHING_STORED, openCmpPage, PERSONALISED, refreshedCreatives,
  storedAnything, trackRacing, type TcChoice,
} from './cmp-helpers';

// Issue #11: consent with real CMPs — the IAB's own TCF v2.2 and GPP libraries (see
// pages/iab-cmp.ts), loaded 300 ms after the page as real CMPs are. Every scenario checks
// what is in IndexedDB and localStorage and what reached the network.

const GRANTED: TcChoice = { purposes: [1, 3, 4], vendors: [77] };
const REFUSED: TcChoice = { purposes: [], vendors: [] };
const consentStatus = (page: Page) => page.evaluate(() => api.status().then((s) => s.consent));
const storedItems = (page: Page) => storedEvents(page).then((events) => events.map((e) => e.item));

test('TCF stored choice, granted: stored, personalised, reported', async ({ page }) => {
  const errors = watchErrors(page);
  const { reports } = await openCmpPage(page, { tcf: { stored: GRANTED } });
  await attach(page);
  await trackRacing(page);
  await expect.poll(() => storedItems(page)).toEqual(['r1', 'r2', 'r3']);
  expect(await refreshedCreatives(page)).toEqual(PERSONALISED);
  await expect.poll(() => storedAnything(page).then((s) => s.localStorage)).toEqual(['precis:precis']);
  expect(await consentStatus(page)).toMatchObject({ source: 'cmp', pending: false, state: { store: true, personalize: true, send: true } });
  expectNoUncaught(errors);
  await leaveAfterAnImpression(page, true);
  await expect.poll(() => reports().then((r) => r.length)).toBe(1); // the positive control for the "nothing sent" assertions below
});

test('TCF purpose 1 only: stored, not personalised, nothing sent', async ({ page }) => {
  const { reports } = await openCmpPage(page, { tcf: { stored: { purposes: [1], vendors: [77] } } });
  await attach(page);
  await trackRacing(page);
  await expect.poll(() => storedItems(page)).toEqual(['r1', 'r2', 'r3']);
  expect(await refreshedCreatives(page)).toEqual(NOT_PERSONALISED);
  expect(await consentStatus(page)).toMatchObject({ source: 'cmp', state: { store: true, personalize: false } });
  await leaveAfterAnImpression(page, false);
  expect(await reports()).toEqual([]);
});

const REFUSALS: Array<[string, TcChoice]> = [['refused', REFUSED], ['granted to another vendor only', { purposes: [1, 3, 4], vendors: [88] }]];
for (const [name, choice] of REFUSALS) {
  test(`TCF stored choice, ${name}: nothing stored, personalised or sent`, async ({ page }) => {
    const { reports } = await openCmpPage(page, { tcf: { stored: choice } });
    await attach(page);
    await trackRacing(page);
    expect(await refreshedCreatives(page)).toEqual(NOT_PERSONALISED);
    expect(await storedAnything(page)).toEqual(NOTHING_STORED);
    expect(await consentStatus(page)).toMatchObject({ source: 'cmp', pending: false, state: { store: false } });
    await leaveAfterAnImpression(page, false);
    expect(await reports()).toEqual([]);
  });
}

test('TCF banner shown, then accepted: nothing stored before the click, the page’s events written after', async ({ page }) => {
  const errors = watchErrors(page);
  await openCmpPage(page, { tcf: {} });
  await attach(page); // the wait for the CMP ends (1 s): the page goes on without consent
  await trackRacing(page);
  expect(await refreshedCreatives(page)).toEqual(NOT_PERSONALISED);
  await page.waitForTimeout(500);
  expect(await storedAnything(page)).toEqual(NOTHING_STORED);
  expect(await consentStatus(page)).toMatchObject({ source: 'cmp', pending: true });

  await page.evaluate((choice) => window.testCmp.answerTcf(choice), GRANTED); // the click
  await expect.poll(() => storedItems(page)).toEqual(['r1', 'r2', 'r3']);
  expect(await refreshedCreatives(page)).toEqual(PERSONALISED);
  expect(await consentStatus(page)).toMatchObject({ source: 'cmp', pending: false });
  expectNoUncaught(errors);
});

test('TCF banner shown, then refused: nothing ever stored, the page’s events dropped', async ({ page }) => {
  const { reports } = await openCmpPage(page, { tcf: {} });
  await attach(page);
  await trackRacing(page);
  await page.evaluate((choice) => window.testCmp.answerTcf(choice), REFUSED);
  await expect.poll(() => page.evaluate(() => api.myData().then((d) => d.events.length))).toBe(0);
  await trackRacing(page);
  expect(await refreshedCreatives(page)).toEqual(NOT_PERSONALISED);
  await page.waitForTimeout(500);
  expect(await storedAnything(page)).toEqual(NOTHING_STORED);
  expect(await consentStatus(page)).toMatchObject({ source: 'cmp', pending: false, state: { store: false } });
  await leaveAfterAnImpression(page, false);
  expect(await reports()).toEqual([]);
});

test('TCF stub whose CMP never loads: nothing stored, personalised or sent after 10 s', async ({ page }) => {
  const { reports } = await openCmpPage(page, { tcf: { loadAfterMs: null } });
  await attach(page);
  await trackRacing(page);
  await page.waitForTimeout(10_000); // asserts an absence: no clock to wait on
  expect(await refreshedCreatives(page)).toEqual(NOT_PERSONALISED);
  expect(await storedAnything(page)).toEqual(NOTHING_STORED);
  expect(await consentStatus(page)).toMatchObject({ source: 'cmp', pending: true, state: { store: false, personalize: false, send: false } });
  await leaveAfterAnImpression(page, false);
  expect(await reports()).toEqual([]);
});

test('TCF withdrawal later on the page purges at once', async ({ page }) => {
  await openCmpPage(page, { tcf: { stored: GRANTED } });
  await attach(page);
  await trackRacing(page);
  await expect.poll(() => storedItems(page)).toEqual(['r1', 'r2', 'r3']);
  await expect.poll(() => storedAnything(page).then((s) => s.localStorage)).toEqual(['precis:precis']);
  await page.evaluate((choice) => window.testCmp.answerTcf(choice), REFUSED); // the visitor reopens the CMP and refuses
  await expect.poll(() => storedAnything(page)).toEqual(NOTHING_STORED);
  expect(await refreshedCreatives(page)).toEqual(NOT_PERSONALISED);
});

test('TCF gdprApplies false: TCF does not restrict', async ({ page }) => {
  await openCmpPage(page, { tcf: { gdprApplies: false } }, { defaultConsent: 'deny' });
  await attach(page);
  await trackRacing(page);
  await expect.poll(() => storedItems(page)).toEqual(['r1', 'r2', 'r3']);
  expect(await refreshedCreatives(page)).toEqual(PERSONALISED);
  expect(await consentStatus(page)).toMatchObject({ source: 'cmp', pending: false });
});

test('TCF publisher restriction for our vendor id: purpose 1 not allowed stores nothing; purpose 3 not allowed stops personalisation', async ({ browser }) => {
  const storeBarred = await (await browser.newContext()).newPage();
  await openCmpPage(storeBarred, { tcf: { stored: { ...GRANTED, restrictions: [[1, 77, 0]] } } });
  await attach(storeBarred);
  await trackRacing(storeBarred);
  expect(await refreshedCreatives(storeBarred)).toEqual(NOT_PERSONALISED);
  expect(await storedAnything(storeBarred)).toEqual(NOTHING_STORED);

  const profileBarred = await (await browser.newContext()).newPage();
  await openCmpPage(profileBarred, { tcf: { stored: { ...GRANTED, restrictions: [[3, 77, 0], [3, 88, 1]] } } });
  await attach(profileBarred);
  await trackRacing(profileBarred);
  await expect.poll(() => storedItems(profileBarred)).toEqual(['r1', 'r2', 'r3']);
  expect(await refreshedCreatives(profileBarred)).toEqual(NOT_PERSONALISED);
  expect(await consentStatus(profileBarred)).toMatchObject({ source: 'cmp', state: { store: true, personalize: false } });
});

test('GPP usnat: an opt-out of sale caps personalisation and sending; without one, GPP does not restrict', async ({ browser }) => {
  const optedOut = await (await browser.newContext()).newPage();
  const { reports } = await openCmpPage(optedOut, { gpp: { usnat: { SaleOptOutNotice: 1, SaleOptOut: 1, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } } });
  await attach(optedOut);
  await trackRacing(optedOut);
  await expect.poll(() => storedItems(optedOut)).toEqual(['r1', 'r2', 'r3']);
  expect(await refreshedCreatives(optedOut)).toEqual(NOT_PERSONALISED);
  expect(await consentStatus(optedOut)).toMatchObject({ source: 'gpp', pending: false, state: { store: true, personalize: false, send: false } });
  await leaveAfterAnImpression(optedOut, false);
  expect(await reports()).toEqual([]);

  const notOptedOut = await (await browser.newContext()).newPage();
  await openCmpPage(notOptedOut, { gpp: { usnat: { SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 } } });
  await attach(notOptedOut);
  await trackRacing(notOptedOut);
  expect(await refreshedCreatives(notOptedOut)).toEqual(PERSONALISED);
});

test('GPP CMP present and silent: nothing stored; its later answer counts', async ({ page }) => {
  await openCmpPage(page, { gpp: {} });
  await attach(page);
  await trackRacing(page);
  await page.waitForTimeout(500);
  expect(await storedAnything(page)).toEqual(NOTHING_STORED);
  expect(await consentStatus(page)).toMatchObject({ source: 'gpp', pending: true });
  await page.evaluate(() => window.testCmp.answerGpp({ SaleOptOut: 2, TargetedAdvertisingOptOut: 2 }));
  await expect.poll(() => storedItems(page)).toEqual(['r1', 'r2', 'r3']);
  expect(await refreshedCreatives(page)).toEqual(PERSONALISED);
});

test('GPP and TCF both present: both must answer; TCF grants, the GPP opt-out still caps', async ({ page }) => {
  await openCmpPage(page, { tcf: { stored: GRANTED }, gpp: {} }); // GPP shows its banner
  await attach(page); // TCF answered at 300 ms; GPP is still silent
  await trackRacing(page);
  await page.waitForTimeout(500);
  expect(await storedAnything(page)).toEqual(NOTHING_STORED);
  expect(await consentStatus(page)).toMatchObject({ pending: true, source: 'gpp' });
  await page.evaluate(() => window.testCmp.answerGpp({ TargetedAdvertisingOptOut: 1 }));
  await expect.poll(() => storedItems(page)).toEqual(['r1', 'r2', 'r3']);
  expect(await refreshedCreatives(page)).toEqual(NOT_PERSONALISED);
  expect(await consentStatus(page)).toMatchObject({
    pending: false, source: 'gpp', decidedBy: { store: 'cmp', personalize: 'gpp', send: 'gpp' },
  });
});

test('a returning visitor: the decision cached on the last page shows only once the CMP said yes on this page', async ({ page }) => {
  await openCmpPage(page, { tcf: { stored: GRANTED } });
  await attach(page);
  await trackRacing(page);
  await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').decisions?.hero?.creative?.id)).toBe('racing-pick');
  const savedVisitor = () => page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').visitor as string);
  const visitor = await savedVisitor();
  await page.addInitScript(() => {
    // When the hero slot first shows a creative, and whether the CMP had answered by then.
    new MutationObserver(() => {
      const w = window as unknown as { heroShownAfterAnswer?: boolean; testCmp?: { answeredAt: { tcf?: number } } };
      const hero = document.querySelector('[data-precis-slot="hero"]');
      if (w.heroShownAfterAnswer === undefined && hero?.getAttribute('data-precis-creative')) {
        w.heroShownAfterAnswer = w.testCmp?.answeredAt.tcf !== undefined;
      }
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.reload();
  await attach(page);
  await expect.poll(() => page.evaluate(() => (window as unknown as { heroShownAfterAnswer?: boolean }).heroShownAfterAnswer)).toBe(true);
  expect(await page.getAttribute('[data-precis-slot="hero"]', 'data-precis-creative')).toBe('racing-pick');
  // The same visitor (and so the same arm): the id saved on the last page is kept once the CMP said yes.
  await page.evaluate(() => api.track({ type: 'view', item: 'r4', category: 'racing' }));
  await expect.poll(() => storedItems(page)).toEqual(['r1', 'r2', 'r3', 'r4']);
  await page.waitForTimeout(300); // the decisions made ahead are saved 50 ms after the event
  expect(await savedVisitor()).toBe(visitor);
});
