import { expect, test, type Page } from '@playwright/test';
import { attach, configure, expectNoUncaught, watchErrors } from '../browser/helpers';

interface Frame {
  t: number;
  /** null while the slot is not parsed yet. */
  creative: string | null | undefined;
  visible: boolean;
  text: string;
}

/**
 * Records, on every animation frame from the start of the document (a frame's rAF
 * callbacks run just before it is painted), what the hero slot shows and whether it is
 * visible.
 */
async function recordFrames(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const frames: Frame[] = [];
    (window as unknown as { frames_: Frame[] }).frames_ = frames;
    const start = performance.now();
    const tick = (): void => {
      const slot = document.querySelector<HTMLElement>('[data-precis-slot="hero"]');
      frames.push({
        t: performance.now() - start,
        creative: slot ? slot.getAttribute('data-precis-creative') : undefined,
        visible: slot ? getComputedStyle(slot).visibility === 'visible' : false,
        text: slot?.textContent?.trim().slice(0, 60) ?? '',
      });
      if (frames.length < 400) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    // When the slot is hidden and revealed, to the millisecond (frames are sparse on a busy machine).
    const changes: Array<{ t: number; hidden: boolean }> = [];
    (window as unknown as { changes_: typeof changes }).changes_ = changes;
    new MutationObserver(() => {
      const slot = document.querySelector<HTMLElement>('[data-precis-slot="hero"]');
      const hidden = slot?.style.visibility === 'hidden';
      if (slot && changes.at(-1)?.hidden !== hidden) changes.push({ t: performance.now() - start, hidden });
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['style'] });
  });
}

/**
 * The longest the slot may stay hidden: the 300 ms timer plus what a loading page adds to it.
 * The demo's product images below the fold load lazily, as a shop's do: when all thirty
 * loaded at once, Chromium here ran neither timers nor frames for up to 500 ms after the
 * slot was hidden (300–781 ms measured); lazily, 298–310 ms on the same loaded machine.
 */
const HIDDEN_AT_MOST = 500;

/** How long the hero slot was hidden, from the first hiding to the reveal (ms). */
async function hiddenFor(page: Page): Promise<number> {
  const changes = await page.evaluate(() => (window as unknown as { changes_: Array<{ t: number; hidden: boolean }> }).changes_);
  const hiddenAt = changes.find((c) => c.hidden)?.t;
  const shownAt = changes.find((c) => hiddenAt !== undefined && !c.hidden && c.t > hiddenAt)?.t;
  expect(hiddenAt).toBeDefined();
  expect(shownAt).toBeDefined();
  return shownAt! - hiddenAt!;
}

const framesOf = (page: Page): Promise<Frame[]> => page.evaluate(() => (window as unknown as { frames_: Frame[] }).frames_);

/** The decisions the last page made ahead, from localStorage. */
function cachedDecisions(page: Page): Promise<Record<string, { creative: { id: string } }>> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').decisions ?? {});
}

test('on a repeat visit every painted frame of the slot shows the personalised creative; the slot is never hidden', async ({ page }) => {
  const errors = watchErrors(page);
  await configure(page, {});
  for (const id of ['18515', '8596', '3980']) {
    await page.goto(`/product/${id}`); // racing games: the profile leans to racing
    await attach(page);
  }
  await expect.poll(async () => (await cachedDecisions(page)).hero?.creative.id).toMatch(/^racing-/);
  const cached = (await cachedDecisions(page)).hero!.creative.id;

  await recordFrames(page);
  await page.goto('/');
  await attach(page);
  await page.waitForTimeout(500);
  const frames = (await framesOf(page)).filter((frame) => frame.creative !== undefined);
  expect(frames.length).toBeGreaterThan(5);
  // From the first frame in which the slot exists, it shows the cached creative and is visible.
  expect(frames.every((frame) => frame.creative === cached && frame.visible)).toBe(true);
  expect(await page.evaluate(() => api.why('hero')?.source)).toBe('cache');
  expectNoUncaught(errors);
});

test('on a first visit whose catalog takes 2 s, the slot shows its default by the 300 ms timeout and keeps it', async ({ page }) => {
  const errors = watchErrors(page);
  await configure(page, {});
  await page.route('**/demo/catalog.json', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await route.continue();
  });
  await recordFrames(page);
  await page.goto('/');
  await attach(page); // ready once the catalog came, about 2 s later
  await page.waitForTimeout(300);
  const frames = (await framesOf(page)).filter((frame) => frame.creative !== undefined);
  const hidden = frames.filter((frame) => !frame.visible);
  const firstVisible = frames.find((frame) => frame.visible)!;
  // Hidden only at the start, and visible again with the default by the timeout (plus a frame or two).
  expect(hidden.every((frame) => frame.t < firstVisible.t)).toBe(true);
  // The 300 ms timer, plus what a busy main thread may add to it.
  expect(await hiddenFor(page)).toBeLessThan(HIDDEN_AT_MOST);
  expect(firstVisible.creative).toBeNull();
  expect(firstVisible.text).toContain('Pixel Market'); // the page's own default content
  // The decision that came later did not replace the default on this page: no flicker.
  expect(frames.at(-1)!.creative).toBeNull();
  expect(frames.every((frame) => frame.creative === null)).toBe(true);
  expectNoUncaught(errors);
});

test('on a visit whose model takes 2 s, a visitor with history sees the default by the timeout, and the model decides the next page', async ({ page }) => {
  const errors = watchErrors(page);
  await configure(page, {});
  await page.goto('/product/8595');
  await attach(page);
  // History, but no decision made ahead: cleared from a page without Precis, so that the
  // product page's last decisions for the next page cannot land after the clear.
  await page.goto('/test/browser/pages/empty.html');
  await page.evaluate(() => localStorage.clear());
  await page.route('**/demo/models/games/**', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await route.continue();
  });
  await recordFrames(page);
  await page.goto('/');
  await attach(page);
  // `ready` needs only the catalog, so it can come before the hiding timeout shows the slot again.
  await expect.poll(async () => (await framesOf(page)).some((frame) => frame.creative !== undefined && frame.visible)).toBe(true);
  const frames = (await framesOf(page)).filter((frame) => frame.creative !== undefined);
  expect(frames.find((frame) => frame.visible)?.creative).toBeNull(); // the default, when first seen
  expect(await hiddenFor(page)).toBeLessThan(HIDDEN_AT_MOST);
  await expect.poll(() => page.evaluate(async () => (await api.status()).model?.backend ?? null), { timeout: 30_000 }).not.toBeNull();
  await expect.poll(async () => Object.keys(await cachedDecisions(page))).toContain('hero');
  expectNoUncaught(errors);
});
