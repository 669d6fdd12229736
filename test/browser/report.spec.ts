import { expect, test, type Page } from '@playwright/test';
import { attach, configure, expectNoUncaught, TEST_CATALOG, watchErrors } from './helpers';

const PAGE = '/test/browser/pages/slots.html';

/** A fresh endpoint on the demo server, and a way to read what it received. */
function reportEndpoint(page: Page): { url: string; received(): Promise<Array<Record<string, unknown>>> } {
  const url = `/report/${Math.random().toString(36).slice(2)}`;
  return { url, received: async () => (await page.request.get(url)).json() as Promise<Array<Record<string, unknown>>> };
}

/** One viewable impression and one click on the hero slot's creative. */
async function seeAndClickHero(page: Page): Promise<string> {
  const hero = page.locator('[data-precis-slot="hero"]');
  // A viewable impression takes a second in view; a loaded machine may take several more.
  await expect.poll(() => page.evaluate(async () => (await api.metrics()).arms.personalized.impressions), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(1);
  // The house ad links to "/": stop the navigation, keep the click.
  await page.evaluate(() => document.addEventListener('click', (e) => e.preventDefault()));
  await hero.locator('.precis-creative').click();
  return (await hero.getAttribute('data-precis-creative'))!;
}

test('when the page goes away, the report endpoint gets aggregate counts only, once', async ({ page }) => {
  const errors = watchErrors(page);
  const endpoint = reportEndpoint(page);
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false, report: endpoint.url, hideTimeoutMs: 10_000 });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(() => api.track({ type: 'view', item: 'r1', category: 'racing' }));
  const creative = await seeAndClickHero(page);
  expectNoUncaught(errors);

  await page.goto('/test/browser/pages/empty.html'); // pagehide: the beacon goes
  await expect.poll(async () => (await endpoint.received()).length).toBe(1);
  const [body] = await endpoint.received();
  expect(body).toMatchObject({ format: 'precis-report@2', epsilon: null, periodHours: 0 });
  const rows = body!.rows as Array<Record<string, unknown>>;
  // Counted under the interest the creative was decided under: none yet (the racing view came after).
  expect(rows).toContainEqual({ creative, arm: 'personalized', interest: '', impressions: 1, clicks: 1, conversions: 0 });
  // One row per catalog creative and interest (the categories it targets, and none), zeros included,
  // and nothing else about the visitor.
  const expected = TEST_CATALOG.creatives.flatMap((c) => ['', 'racing', 'rpg'].map((interest) => `${c.id}/${interest}`));
  expect(rows.map((row) => `${String(row.creative)}/${String(row.interest)}`).sort()).toEqual(expected.sort());
  const text = JSON.stringify(body);
  for (const secret of ['r1', 'interest:', 'time', 'visitor', 'slot', 'hero', 'http']) expect(text).not.toContain(secret);

  // The next page has nothing new to say: no second report.
  await page.goto(PAGE);
  await attach(page);
  await page.goto('/test/browser/pages/empty.html');
  await page.waitForTimeout(500);
  expect(await endpoint.received()).toHaveLength(1);
});

test('with reportEpsilon every count carries Laplace noise', async ({ page }) => {
  const endpoint = reportEndpoint(page);
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false, report: endpoint.url, reportEpsilon: 0.5, hideTimeoutMs: 10_000 });
  await page.goto(PAGE);
  await attach(page);
  await seeAndClickHero(page);
  await page.goto('/test/browser/pages/empty.html');
  await expect.poll(async () => (await endpoint.received()).length).toBe(1);
  const [body] = await endpoint.received();
  const rows = body!.rows as Array<Record<string, number>>;
  expect(body!.epsilon).toBe(0.5);
  const counts = rows.flatMap((row) => [row.impressions!, row.clicks!, row.conversions!]);
  expect(counts.length).toBe(3 * TEST_CATALOG.creatives.length * 3); // × interests: none, rpg, racing
  expect(counts.filter((count) => Number.isInteger(count))).toEqual([]); // noise on every one
});

/** Runs Precis's clock `hours` ahead of the real one on this and later pages. */
async function shiftClock(page: Page, hours: number): Promise<void> {
  await page.addInitScript((ms) => {
    (window as unknown as { clockShift: number }).clockShift = ms;
  }, hours * 3600_000);
}

test('reportEvery day: at most one report a day; the counts of every page until then wait on the device, across reloads', async ({ page }) => {
  const endpoint = reportEndpoint(page);
  // A long hiding timeout: the first page's slots must show a creative even on a loaded machine.
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false, report: endpoint.url, reportEvery: 'day', hideTimeoutMs: 10_000 });
  await page.addInitScript(() => {
    const shifted = window as unknown as { precisConfig: Record<string, unknown>; clockShift?: number };
    shifted.precisConfig.clock = () => Date.now() + (shifted.clockShift ?? 0);
  });
  // Day 1, two pages: each hides without a report.
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(() => api.track({ type: 'view', item: 'r1', category: 'racing' }));
  const creative = await seeAndClickHero(page);
  await page.goto('/test/browser/pages/empty.html');
  await shiftClock(page, 2);
  await page.goto(PAGE);
  await attach(page);
  // Decided after the racing view: its exposures carry the interest.
  const second = await page.evaluate(() => api.why('hero'));
  expect(second!.interest).toBe('racing');
  const seen = async () => page.evaluate(async (id) => (await api.metrics()).creatives.find((c) => c.creative === id)?.impressions ?? 0, second!.creative);
  await expect.poll(seen, { timeout: 15_000 }).toBe(1);
  const impressions = await page.evaluate(async () => (await api.metrics()).arms.personalized.impressions);
  await page.goto('/test/browser/pages/empty.html');
  await page.waitForTimeout(500);
  expect(await endpoint.received()).toEqual([]);

  // A day later, the first page sends what both pages counted, in one report.
  await shiftClock(page, 26);
  await page.goto(PAGE);
  await attach(page);
  await expect.poll(async () => (await endpoint.received()).length).toBe(1);
  const [body] = await endpoint.received();
  expect(body).toMatchObject({ format: 'precis-report@2', periodHours: 24 });
  const rows = body!.rows as Array<Record<string, unknown>>;
  expect(rows).toContainEqual({ creative, arm: 'personalized', interest: '', impressions: 1, clicks: 1, conversions: 0 });
  expect(rows).toContainEqual({ creative: second!.creative, arm: 'personalized', interest: 'racing', impressions: 1, clicks: 0, conversions: 0 });
  expect(rows.reduce((sum, row) => sum + Number(row.impressions), 0)).toBe(impressions);

  // Its own impressions wait for the next day: hiding it sends nothing.
  await expect.poll(() => page.evaluate(async () => (await api.metrics()).arms.personalized.impressions)).toBeGreaterThan(impressions);
  await page.goto('/test/browser/pages/empty.html');
  await page.waitForTimeout(500);
  expect(await endpoint.received()).toHaveLength(1);
});

test('without send consent nothing is reported and GPT gets no key-values', async ({ page }) => {
  const endpoint = reportEndpoint(page);
  await page.addInitScript(() => {
    const calls: unknown[] = [];
    (window as unknown as { gptCalls: unknown[] }).gptCalls = calls;
    (window as unknown as { googletag: unknown }).googletag = {
      cmd: { push: (fn: () => void) => fn() },
      pubads: () => ({
        setTargeting: (key: string, value: unknown) => calls.push([key, value]),
        clearTargeting: (key: string) => calls.push([key, null]),
      }),
    };
  });
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false, report: endpoint.url });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(() => api.consent({ send: false }));
  await seeAndClickHero(page);
  // Whether the signals went out just after ready or not, withdrawing send clears Precis's keys.
  const calls = await page.evaluate(() => (window as unknown as { gptCalls: Array<[string, unknown]> }).gptCalls);
  expect(Object.fromEntries(calls)).toEqual({ precis_seg: null, precis_pb: null });
  await page.goto('/test/browser/pages/empty.html');
  await page.waitForTimeout(500);
  expect(await endpoint.received()).toEqual([]);
});

test('with Google Publisher Tag on the page, segments and propensity become key-values', async ({ page }) => {
  await page.addInitScript(() => {
    const calls: unknown[] = [];
    (window as unknown as { gptCalls: unknown[] }).gptCalls = calls;
    (window as unknown as { googletag: unknown }).googletag = {
      cmd: [] as unknown[],
      pubads: () => ({ setTargeting: (key: string, value: unknown) => calls.push([key, value]) }),
    };
  });
  await configure(page, { catalog: TEST_CATALOG, autoCapture: false });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(async () => {
    for (let i = 0; i < 3; i += 1) api.track({ type: 'add_to_cart', item: `r${i}`, category: 'racing' });
    await api.refresh();
  });
  // The next page's script tag queues what this one cached: wait until it is cached.
  await expect.poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').ads?.gpt?.targeting?.precis_seg ?? []))
    .toContain('interest:racing');
  await page.reload();
  await attach(page);
  // GPT's queue: the script tag pushes a function with the signals the last page cached,
  // and the core another once it has read the visitor's profile (just after ready); GPT
  // runs them once loaded (here, the test).
  await expect.poll(() => page.evaluate(() => (window as unknown as { googletag: { cmd: unknown[] } }).googletag.cmd.length)).toBe(2);
  const calls = await page.evaluate(() => {
    const tag = (window as unknown as { googletag: { cmd: Array<() => void> } }).googletag;
    tag.cmd.forEach((fn) => fn());
    return (window as unknown as { gptCalls: Array<[string, unknown]> }).gptCalls;
  });
  const last = (name: string): unknown => calls.filter(([key]) => key === name).at(-1)?.[1];
  const segments = last('precis_seg') as string[];
  expect(segments).toEqual(expect.arrayContaining(['interest:racing', 'cart-abandoner']));
  expect(last('precis_pb')).toMatch(/^(low|medium|high)$/);
});
