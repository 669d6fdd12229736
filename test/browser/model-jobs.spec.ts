import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { expect, test, type Page } from '@playwright/test';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import { buildProfile } from '../../src/decide/profile';
import { featureSource } from '../../src/features';
import { predict, trainCreativeModel, trainPropensityModel, writeModel } from '../tiny-models';
import { attach, configure, expectNoUncaught, storedEvents, TEST_CATALOG, watchErrors } from './helpers';

// A propensity model and a creative-scores model, trained here with tfjs-layers and served
// as a site would serve them, loaded through the public client: the segments (and the ad
// stack's propensity band) and the decisions follow their outputs, and why() names them.

const PAGE = '/test/browser/pages/slots.html';
// Under the served, git-ignored build directory; one per worker, so none writes over another's.
const SERVED = `/test/browser/pages/.build/models-${process.pid}`;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUYERS = `${SERVED}/buyers/manifest.json`;
const CLICKS = `${SERVED}/clicks/manifest.json`;
let buyers: tf.LayersModel;
let clicks: tf.LayersModel;

test.beforeAll(async () => {
  await tf.setBackend('cpu');
  buyers = await trainPropensityModel();
  clicks = await trainCreativeModel();
  await writeModel(join(ROOT, SERVED, 'buyers'), buyers, 'propensity', '1');
  await writeModel(join(ROOT, SERVED, 'clicks'), clicks, 'creative-scores', '1');
});

/** Collects Precis `error` codes from the first moment (a queued listener). */
async function collectErrorCodes(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { codes: string[]; precis: unknown[] };
    w.codes = [];
    w.precis = [(api: { on(t: 'error', f: (e: { code: string }) => void): void }) => api.on('error', (e) => w.codes.push(e.code))];
  });
}
const errorCodes = (page: Page) => page.evaluate(() => (window as unknown as { codes: string[] }).codes);

/** Starts Precis with these models and waits until they are ready (or failed). */
async function start(page: Page, model?: string | string[]): Promise<void> {
  await collectErrorCodes(page);
  await configure(page, { autoCapture: false, catalog: TEST_CATALOG, model, backend: 'cpu', hideTimeoutMs: 60_000, adStack: { name: 'shop.example' } });
  await page.goto(PAGE);
  await attach(page);
  await page.evaluate(() => api.recommend({ k: 1 })); // resolves once every model has settled
}

/** A racing fan who left a cart: the formula's propensity is low, the tiny model's high. */
async function becomeRacingFan(page: Page): Promise<PrecisEvent[]> {
  await page.evaluate(() => {
    api.track({ type: 'view', item: 'r1', category: 'racing' });
    api.track({ type: 'view', item: 'r2', category: 'racing' });
    api.track({ type: 'add_to_cart', item: 'r2', category: 'racing' });
  });
  await expect.poll(async () => (await storedEvents(page)).length).toBe(3);
  return (await storedEvents(page)) as unknown as PrecisEvent[];
}

/** The model's output for these events, computed in Node by the same feature code. */
function expected(model: tf.LayersModel, job: 'propensity' | 'creative-scores', events: PrecisEvent[]): number[] {
  const now = Math.max(...events.map((e) => e.time));
  return predict(model, job, featureSource(events, buildProfile(events, now, 7 * DAY_MS).categories, now));
}

const band = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').ads?.gpt?.targeting?.precis_pb ?? null);

test('without a propensity model the formula puts the racing fan low', async ({ page }) => {
  await start(page);
  await becomeRacingFan(page);
  expect((await page.evaluate(() => api.profile())).segments).toContain('propensity:low');
  await expect.poll(() => band(page)).toBe('low');
});

test("the propensity model's output is the visitor's propensity, in the segments and the ad stack's band", async ({ page }) => {
  const errors = watchErrors(page);
  await start(page, BUYERS);
  expect(await errorCodes(page)).toEqual([]); // the model loaded
  const events = await becomeRacingFan(page);
  const profile = await page.evaluate(() => api.profile());
  const [propensity] = expected(buyers, 'propensity', events);
  expect(propensity).toBeGreaterThan(0.5);
  expect(profile.propensity).toBeCloseTo(propensity!, 4);
  expect(profile.segments).toContain('propensity:high');
  expect(profile.propensityModel).toEqual({ name: 'tiny-buyers', version: '1', job: 'propensity' });
  await expect.poll(() => band(page)).toBe('high');
  const status = await page.evaluate(() => api.status());
  expect(status.models.map((m) => [m.name, m.job])).toEqual([['tiny-buyers', 'propensity']]);
  expectNoUncaught(errors);
});

test("the creative-scores model's output decides the slot, and why() names it", async ({ page }) => {
  const errors = watchErrors(page);
  await start(page, CLICKS);
  expect(await errorCodes(page)).toEqual([]); // the model loaded
  const events = await becomeRacingFan(page);
  const decisions = await page.evaluate(() => api.refresh().then((d) => d.map((x) => x.creative?.id)));
  // The targeting alone would show a racing creative; the model says racing fans click the RPG week.
  expect(decisions[0]).toBe('rpg-week');
  const why = await page.evaluate(() => api.why('hero'));
  const row = expected(clicks, 'creative-scores', events);
  expect(why!.prior).toMatchObject({ source: 'model', strength: 100 });
  expect(why!.prior!.ctr).toBeCloseTo(row[1]!, 4);
  expect(why!.models).toEqual([{ name: 'tiny-clicks', version: '1', job: 'creative-scores' }]);
  expectNoUncaught(errors);
});

test('one model per job: both run side by side, a second for the same job is reported and ignored', async ({ page }) => {
  await start(page, [BUYERS, CLICKS, BUYERS]);
  expect(await errorCodes(page)).toEqual(['invalid-options']); // the second propensity model
  await becomeRacingFan(page);
  const status = await page.evaluate(() => api.status());
  expect(status.models.map((m) => [m.name, m.job, m.thread])).toEqual([['tiny-buyers', 'propensity', 'worker'], ['tiny-clicks', 'creative-scores', 'worker']]);
  expect(status.model).toMatchObject({ name: 'tiny-buyers' });
  expect((await page.evaluate(() => api.profile())).segments).toContain('propensity:high');
  expect(await page.evaluate(() => api.refresh().then((d) => d[0]?.creative?.id))).toBe('rpg-week');
});
