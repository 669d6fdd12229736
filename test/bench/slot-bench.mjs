// Time to the personalised slot on the demo shop (the script tag in <head>, as shipped):
// a first visit in a fresh context, and a repeat visit after browsing a few products, when
// a decision made on the last page is waiting in localStorage.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { installProbe, log, median, ratio, round, summarize, waitModel, waitReady } from './harness.mjs';

/** Racing games of demo/products.json: browsing them makes the profile lean to racing. */
export const BROWSED = ['18515', '8596', '3980'];

/**
 * Installed with `addInitScript`: records, from the start of the document, when the hero
 * slot is parsed and gets a creative (a MutationObserver, so at the DOM change), and on
 * every animation frame (rAF callbacks run just before the frame is painted) whether the
 * slot exists, shows a creative, and is visible. Times are ms since navigation start.
 */
function installSlotRecorder() {
  const rec = { slotAt: null, creativeAt: null, creative: null, frames: [], cachedAtStart: null };
  window.__slot = rec;
  try {
    // The decision the last page made ahead for this one (README, "Zero flicker"), as it stood when this page started.
    rec.cachedAtStart = JSON.parse(localStorage.getItem('precis:precis') ?? '{}').decisions?.hero?.creative?.id ?? null;
  } catch {
    rec.cachedAtStart = null;
  }
  const find = () => document.querySelector('[data-precis-slot="hero"]');
  const check = () => {
    const slot = find();
    if (!slot) return;
    if (rec.slotAt === null) rec.slotAt = performance.now();
    const creative = slot.getAttribute('data-precis-creative');
    if (creative && rec.creativeAt === null) {
      rec.creativeAt = performance.now();
      rec.creative = creative;
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-precis-creative'] });
  const tick = () => {
    const slot = find();
    rec.frames.push({
      t: performance.now(),
      present: Boolean(slot),
      creative: slot ? slot.getAttribute('data-precis-creative') : null,
      visible: slot ? getComputedStyle(slot).visibility === 'visible' : false,
    });
    if (rec.frames.length < 600) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

/** What the recorder saw on the page, once it has settled. */
async function readRecording(page) {
  await waitReady(page);
  await page.waitForTimeout(600); // the hide timeout is 300 ms: the slot has settled by now
  return page.evaluate(() => {
    const rec = window.__slot;
    const present = rec.frames.filter((frame) => frame.present);
    const firstFrame = present[0] ?? null;
    const firstVisible = present.find((frame) => frame.visible) ?? null;
    const firstCreativeVisible = present.find((frame) => frame.visible && frame.creative) ?? null;
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
    const last = present.at(-1) ?? null;
    return {
      slotParsedAt: rec.slotAt,
      creativeAt: rec.creativeAt,
      creative: rec.creative,
      cachedAtStart: rec.cachedAtStart,
      firstFrameAt: firstFrame?.t ?? null,
      firstFrameHadCreative: firstFrame ? Boolean(firstFrame.creative) : null,
      firstFrameVisible: firstFrame?.visible ?? null,
      firstVisibleAt: firstVisible?.t ?? null,
      firstVisibleShowed: firstVisible ? (firstVisible.creative ?? 'default') : null,
      creativeVisibleAt: firstCreativeVisible?.t ?? null,
      hiddenFrames: present.filter((frame) => !frame.visible).length,
      creativeChanges: present.reduce((n, frame, i) => n + (i > 0 && frame.creative !== present[i - 1].creative ? 1 : 0), 0),
      finalShowed: last ? (last.creative ?? 'default') : null,
      fcpAt: fcp,
      readyAt: window.__bench.readyAt,
      firstRenderAt: window.__bench.firstRenderAt,
      // When the pieces of the first decision were requested and arrived (Resource Timing).
      fetched: Object.fromEntries(performance.getEntriesByType('resource')
        .filter((entry) => /\/(precis[\w-]*\.js|catalog\.json)$/.test(new URL(entry.name).pathname))
        .map((entry) => [new URL(entry.name).pathname.split('/').pop(), { start: entry.startTime, end: entry.responseEnd }])),
      longTasks: window.__bench.longTasks ? window.__bench.longTasks.length : null,
      longTaskMs: window.__bench.longTasks ? window.__bench.longTasks.reduce((sum, task) => sum + task.duration, 0) : null,
      backend: null,
      errors: window.__bench.errors,
    };
  });
}

/** The IAB's TCF stub and CMP (test/browser/pages/iab-cmp.ts), bundled once. */
let cmpScript;
async function cmpBundle() {
  cmpScript ??= (await build({
    entryPoints: [fileURLToPath(new URL('../browser/pages/iab-cmp.ts', import.meta.url))],
    bundle: true, format: 'iife', target: 'es2020', write: false,
  })).outputFiles[0].text;
  return cmpScript;
}

/**
 * The same returning, consenting visitor on `/` with an IAB TCF CMP on the page: its stub
 * before any script, the CMP answering from the visitor's stored choice (`tcloaded`) 50–150 ms
 * after the page starts, as a CMP that reads its own cookie does.
 */
async function visitWithCmp(page, baseUrl) {
  const delay = 50 + Math.random() * 100;
  await page.addInitScript((ms) => {
    window.cmpScenario = { tcf: { stored: { purposes: [1, 3, 4], vendors: [] }, loadAfterMs: ms } };
  }, delay);
  await page.addInitScript({ content: await cmpBundle() });
  await page.goto(baseUrl);
  const visit = await readRecording(page);
  visit.cmpAnsweredAt = await page.evaluate(() => window.testCmp.answeredAt.tcf ?? null);
  visit.waitAfterAnswer = visit.creativeVisibleAt !== null && visit.cmpAnsweredAt !== null ? visit.creativeVisibleAt - visit.cmpAnsweredAt : null;
  visit.showedCached = visit.cachedAtStart !== null && visit.creative === visit.cachedAtStart;
  visit.personalised = (visit.creative ?? '').startsWith('racing-');
  return visit;
}

/** One visitor: first visit to `/`, three product pages, `/` again, then `/` with a CMP on the page. */
async function visitOnce(browser, baseUrl) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(installProbe);
    // The demo's own tag sets the catalog and the model; only the control group is turned off.
    await page.addInitScript(() => { window.precisConfig = { holdout: 0 }; });
    await page.addInitScript(installSlotRecorder);

    await page.goto(baseUrl);
    const first = await readRecording(page);

    for (const id of BROWSED) {
      await page.goto(new URL(`/product/${id}`, baseUrl).href);
      await waitReady(page);
    }
    // A decision for the hero slot is made ahead and kept for the next page.
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').decisions?.hero, undefined, { timeout: 30_000, polling: 50 });

    await page.goto(baseUrl);
    const repeat = await readRecording(page);
    repeat.showedCached = repeat.cachedAtStart !== null && repeat.creative === repeat.cachedAtStart;
    repeat.source = await page.evaluate(() => window.api.why('hero')?.source ?? null);
    repeat.personalised = (repeat.creative ?? '').startsWith('racing-'); // the catalog's racing creatives, after three racing games
    repeat.backend = (await waitModel(page, 30_000))?.backend ?? null; // the demo's `auto` choice, for the record
    const withCmp = await visitWithCmp(page, baseUrl);
    return { first, repeat, withCmp };
  } finally {
    await context.close();
  }
}

const pick = (visits, key) => visits.map((v) => v[key]).filter((x) => typeof x === 'number');
const countOf = (visits, predicate) => visits.filter(predicate).length;

/** `visits` visitors, each in a fresh context. */

/** The times every visit records, summarised. */
function timesOf(visits) {
  return {
    firstFrameMs: summarize(pick(visits, 'firstFrameAt')),
    creativeSetMs: summarize(pick(visits, 'creativeAt')),
    creativeVisibleMs: summarize(pick(visits, 'creativeVisibleAt')),
    readyMs: summarize(pick(visits, 'readyAt')),
    fcpMs: summarize(pick(visits, 'fcpAt')),
  };
}

export async function benchSlot(browser, baseUrl, { visits }) {
  const raw = [];
  for (let i = 0; i < visits; i += 1) {
    log(`slot: visitor ${i + 1}/${visits}`);
    raw.push(await visitOnce(browser, baseUrl));
  }
  const firsts = raw.map((r) => r.first);
  const repeats = raw.map((r) => r.repeat);
  const withCmp = raw.map((r) => r.withCmp);
  const result = {
    visits,
    firstVisit: {
      ...timesOf(firsts),
      slotParsedMs: summarize(pick(firsts, 'slotParsedAt')),
      firstVisibleMs: summarize(pick(firsts, 'firstVisibleAt')),
      fetchedMs: Object.fromEntries(['precis.js', 'precis-core.js', 'catalog.json'].map((file) => [file, {
        requested: summarize(firsts.map((v) => v.fetched[file]?.start).filter((t) => typeof t === 'number')),
        arrived: summarize(firsts.map((v) => v.fetched[file]?.end).filter((t) => typeof t === 'number')),
      }])),
      showedCreative: countOf(firsts, (v) => v.finalShowed !== 'default'),
      showedDefaultAfterTimeout: countOf(firsts, (v) => v.finalShowed === 'default'),
      hiddenFramesMedian: median(pick(firsts, 'hiddenFrames')),
      longTaskMs: summarize(pick(firsts, 'longTaskMs')),
    },
    repeatVisit: {
      ...timesOf(repeats),
      firstFrameHadCreative: countOf(repeats, (v) => v.firstFrameHadCreative === true),
      firstFrameVisible: countOf(repeats, (v) => v.firstFrameVisible === true),
      showedCachedDecision: countOf(repeats, (v) => v.showedCached),
      racingCreative: countOf(repeats, (v) => v.personalised),
      neverHidden: countOf(repeats, (v) => v.hiddenFrames === 0),
      noSwap: countOf(repeats, (v) => v.creativeChanges === 0),
      longTaskMs: summarize(pick(repeats, 'longTaskMs')),
      backends: [...new Set(repeats.map((v) => v.backend))],
    },
    repeatWithCmp: {
      ...timesOf(withCmp),
      cmpAnsweredMs: summarize(pick(withCmp, 'cmpAnsweredAt')),
      waitAfterAnswerMs: summarize(pick(withCmp, 'waitAfterAnswer')),
      firstFrameHadCreative: countOf(withCmp, (v) => v.firstFrameHadCreative === true),
      showedCachedDecision: countOf(withCmp, (v) => v.showedCached),
      racingCreative: countOf(withCmp, (v) => v.personalised),
      noSwap: countOf(withCmp, (v) => v.creativeChanges === 0),
      showedDefaultAfterTimeout: countOf(withCmp, (v) => v.finalShowed === 'default'),
      hiddenFramesMedian: median(pick(withCmp, 'hiddenFrames')),
    },
    raw,
  };
  // What a CMP costs a returning visitor: the creative visible with a CMP / without one (cached at the first paint).
  result.cmpToNoCmpCreativeVisible = ratio(result.repeatWithCmp.creativeVisibleMs.median, result.repeatVisit.creativeVisibleMs.median);
  // Whether the wait is the slot's only: the page's first contentful paint with a CMP / without.
  result.cmpToNoCmpFcp = ratio(result.repeatWithCmp.fcpMs.median, result.repeatVisit.fcpMs.median);
  // A visible slot: the creative on a repeat visit, whatever the first visit showed (creative or default).
  result.repeatToFirstVisitSlotVisible = ratio(result.repeatVisit.creativeVisibleMs.median, result.firstVisit.firstVisibleMs.median);
  for (const v of [...firsts, ...repeats, ...withCmp]) {
    for (const key of Object.keys(v)) if (typeof v[key] === 'number') v[key] = round(v[key]);
    for (const times of Object.values(v.fetched)) for (const key of Object.keys(times)) times[key] = round(times[key]);
  }
  return result;
}
