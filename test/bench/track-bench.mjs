// `track()` on the main thread: what one synchronous call costs (against a no-op call
// loop), and a 10,000-event burst through to IndexedDB, none lost, also after a reload.
import { installProbe, log, longTaskSummary, median, quantile, ratio, round, summarize, waitReady } from './harness.mjs';

const CATALOG = {
  creatives: [
    { id: 'racing-week', slots: ['hero', 'side'], title: 'Racing week', targets: { categories: ['racing'] } },
    { id: 'rpg-week', slots: ['hero', 'side'], title: 'RPG week', targets: { categories: ['rpg'] } },
    { id: 'house', slots: ['hero', 'side'], title: 'House ad' },
  ],
};

/** A page with the script tag and no model (track() does not touch it), ready. */
async function openPage(browser, baseUrl, config) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(installProbe);
  await page.addInitScript((c) => { window.precisConfig = c; }, { autoCapture: false, holdout: 0, catalog: CATALOG, ...config });
  await page.goto(new URL('/test/browser/pages/slots.html', baseUrl).href);
  await waitReady(page);
  return { context, page };
}

/** Reads the number of events in the page's IndexedDB database directly (a connection of its own). */
function countStored() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('precis');
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('events')) { db.close(); resolve(0); return; }
      const count = db.transaction('events').objectStore('events').count();
      count.onsuccess = () => { db.close(); resolve(count.result); };
      count.onerror = () => { db.close(); reject(count.error); };
    };
    request.onerror = () => reject(request.error);
  });
}

/**
 * `rounds` loops of `calls` synchronous track() calls, each loop timed as a whole (and
 * in a task of its own, so the write it schedules happens between loops): a single call
 * cannot be timed, since performance.now() is coarsened to 100 µs in a page that is not
 * cross-origin isolated. The baseline is the same loop calling a no-op method.
 */
async function benchTrackCost(browser, baseUrl, { calls, rounds }) {
  const { context, page } = await openPage(browser, baseUrl, {});
  try {
    return await page.evaluate(async ({ calls, rounds }) => {
      const api = window.api;
      const categories = ['racing', 'rpg', 'sports', 'action'];
      const make = (i) => ({ type: 'view', item: String(10_000 + (i % 500)), category: categories[i % 4], price: 20 + (i % 7) });
      const events = Array.from({ length: calls }, (_, i) => make(i));
      const sink = { last: null };
      const holder = { noop(event) { sink.last = event; return true; } };
      for (let i = 0; i < 200; i += 1) { api.track(make(i)); holder.noop(make(i)); } // warm-up (JIT)
      const nextTask = () => new Promise((r) => setTimeout(r, 50));
      const track = [];
      const noop = [];
      let accepted = 0;
      for (let round = 0; round < rounds; round += 1) {
        await nextTask();
        let t = performance.now();
        for (let i = 0; i < calls; i += 1) if (api.track(events[i])) accepted += 1;
        track.push(((performance.now() - t) * 1000) / calls);
        // A no-op call is ~1000× cheaper: the loop runs 1,000 times so it spans well over the timer's resolution.
        t = performance.now();
        for (let r = 0; r < 1000; r += 1) for (let i = 0; i < calls; i += 1) holder.noop(events[i]);
        noop.push(((performance.now() - t) * 1000) / (calls * 1000));
      }
      return { track, noop, accepted, errors: window.__bench.errors };
    }, { calls, rounds });
  } finally {
    await context.close();
  }
}

/** `events` track() calls in one task, then the time until IndexedDB holds every one of them. */
async function benchIngest(browser, baseUrl, { events }) {
  const { context, page } = await openPage(browser, baseUrl, { maxEvents: events * 2 });
  try {
    const burst = await page.evaluate(async ({ events, countStoredSource }) => {
      const countStored = new Function(`return (${countStoredSource})`)();
      const api = window.api;
      const before = await countStored();
      const start = performance.now();
      let accepted = 0;
      for (let i = 0; i < events; i += 1) {
        if (api.track({ type: 'view', item: `burst-${i}`, category: 'racing', price: i % 100 })) accepted += 1;
      }
      const syncEnd = performance.now();
      let stored = before;
      let polls = 0;
      while (stored - before < events && performance.now() - start < 60_000) {
        await new Promise((r) => setTimeout(r, 20));
        stored = await countStored();
        polls += 1;
      }
      const storedAt = performance.now();
      const viaMyData = (await api.myData()).events.filter((e) => String(e.item).startsWith('burst-')).length;
      await new Promise((r) => setTimeout(r, 200));
      const longTasks = window.__bench.longTasks;
      return { before, accepted, syncMs: syncEnd - start, storedMs: storedAt - start, stored: stored - before, viaMyData, polls, start, storedAt, longTasks, errors: window.__bench.errors };
    }, { events, countStoredSource: countStored.toString() });

    await page.reload();
    await waitReady(page);
    const afterReload = await page.evaluate(async ({ countStoredSource }) => {
      const countStored = new Function(`return (${countStoredSource})`)();
      const viaMyData = (await window.api.myData()).events.filter((e) => String(e.item).startsWith('burst-')).length;
      return { stored: await countStored(), viaMyData };
    }, { countStoredSource: countStored.toString() });
    return {
      accepted: burst.accepted,
      syncMs: round(burst.syncMs),
      storedMs: round(burst.storedMs),
      stored: burst.stored,
      viaMyData: burst.viaMyData,
      afterReload,
      lost: events - Math.min(burst.stored, afterReload.viaMyData),
      longTasks: longTaskSummary(burst.longTasks, burst.start, burst.storedAt + 200),
      errors: burst.errors,
    };
  } finally {
    await context.close();
  }
}

export async function benchTrack(browser, baseUrl, { calls, rounds, ingestEvents, ingestRuns }) {
  log(`track: ${rounds} × ${calls} calls`);
  const cost = await benchTrackCost(browser, baseUrl, { calls, rounds });
  const ingest = [];
  for (let i = 0; i < ingestRuns; i += 1) {
    log(`track: ingest ${ingestEvents} events, run ${i + 1}/${ingestRuns}`);
    ingest.push(await benchIngest(browser, baseUrl, { events: ingestEvents }));
  }
  const trackUs = median(cost.track);
  const noopUs = median(cost.noop);
  return {
    trackCost: {
      calls,
      rounds,
      accepted: cost.accepted,
      trackUsPerCall: { median: round(trackUs, 3), p90: round(quantile(cost.track, 0.9), 3), min: round(Math.min(...cost.track), 3) },
      noopUsPerCall: { median: round(noopUs, 5) },
      trackToNoop: ratio(trackUs, noopUs),
      trackLoopMs: { median: round((trackUs * calls) / 1000) },
      errors: cost.errors,
    },
    ingest: {
      events: ingestEvents,
      runs: ingest,
      syncMs: summarize(ingest.map((r) => r.syncMs)),
      storedMs: summarize(ingest.map((r) => r.storedMs)),
      allStored: ingest.every((r) => r.stored === ingestEvents && r.viaMyData === ingestEvents),
      allStoredAfterReload: ingest.every((r) => r.afterReload.viaMyData === ingestEvents && r.afterReload.stored >= ingestEvents),
      lost: Math.max(...ingest.map((r) => r.lost)),
    },
  };
}
