// The model runtime per backend, through the script tag on a test page: model load cold
// (empty Cache Storage) and warm (a reload: files from the cache), the first decision
// made with the model, `decide()` latency, `recommend()` against a bare tfjs
// `model.predict` of the same history, and main-thread long tasks.
// `benchModelLatency` times inference alone, per model (the shipped one and the fixtures
// made by others) and backend, and reports the ML chunks' gzip sizes.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { installProbe, log, longTaskSummary, ratio, round, summarize, waitModel } from './harness.mjs';

export const BENCH_HISTORY = ['22120', '11833', '20325', '15731', '7351'];

/** Bundles the baseline (plain tfjs + the PrecisSasrec layer) for the page to import. */
export async function buildBarePredict() {
  await build({
    entryPoints: ['test/bench/bare-predict.ts'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: 'dist/bench/bare-predict.js',
    // package.json's sideEffects describes dist/; here the layer module's registration must stay.
    ignoreAnnotations: true,
    logLevel: 'error',
  });
}

/** A fresh context (so an empty Cache Storage and HTTP cache) whose pages load the script tag with `backend` forced. */
async function openContext(browser, backend, model) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(installProbe);
  await page.addInitScript((config) => { window.precisConfig = config; }, {
    autoCapture: false, model, backend, holdout: 0, explore: false, hideTimeoutMs: 120_000,
    catalog: { creatives: BENCH_HISTORY.map((item) => ({ id: `pick-${item}`, slots: ['hero', 'side'], title: item, targets: { items: [item] } })) },
  });
  // The visitor's history, tracked once (on the cold visit) through the command queue.
  await page.addInitScript((history) => {
    window.precis = window.precis || [];
    window.precis.push((api) => {
      if (localStorage.getItem('bench:seeded')) return;
      for (const item of history) api.track({ type: 'view', item });
      localStorage.setItem('bench:seeded', '1');
    });
  }, BENCH_HISTORY);
  return { context, page };
}

/** The first decision after the `model` event: ms since navigation start when it resolved, and its latency. */
const firstDecision = (page) => page.evaluate(async () => {
  const start = performance.now();
  await window.api.decide();
  const end = performance.now();
  return { end, ms: end - start };
});

/**
 * A cold visit (nothing cached), then a reload of the same context (the model files in
 * Cache Storage): the `model` event and the first decision after it, on each. The warm
 * page stays open for the caller.
 */
async function coldThenWarm(page, pageUrl) {
  await page.goto(pageUrl);
  const cold = await waitModel(page);
  if (!cold) {
    const errors = await page.evaluate(() => window.__bench.errors);
    throw new Error(`no model event: ${errors.join('; ') || 'timeout'}`);
  }
  const coldFirst = await firstDecision(page);
  const coldTasks = await page.evaluate(() => window.__bench.longTasks);
  // The history must be in IndexedDB before the reload.
  await page.waitForFunction(async (n) => (await window.api.myData()).events.length >= n, BENCH_HISTORY.length, { timeout: 10_000, polling: 100 });
  await page.reload();
  const warm = await waitModel(page);
  if (!warm) throw new Error('no model event on the warm visit');
  const warmFirst = await firstDecision(page);
  return { cold, coldFirst, coldLongTasks: longTaskSummary(coldTasks, 0, coldFirst.end), warm, warmFirst };
}

/** One backend: `loadRuns` cold/warm pairs (each in a fresh context); on the last warm page, the latencies. */
async function benchBackend(browser, baseUrl, backend, { model, runs, decisions, bare, loadRuns }) {
  const pageUrl = new URL('/test/browser/pages/slots.html', baseUrl).href;
  const loads = [];
  for (let i = 0; i < loadRuns - 1; i += 1) {
    const { context, page } = await openContext(browser, backend, model);
    try {
      loads.push(await coldThenWarm(page, pageUrl));
    } finally {
      await context.close();
    }
  }
  const { context, page } = await openContext(browser, backend, model);
  try {
    const last = await coldThenWarm(page, pageUrl);
    loads.push(last);
    const { warmFirst } = last;

    const measured = await page.evaluate(async ({ decisions, runs, model, backend: name, history, bare }) => {
      const api = window.api;
      const decide = [];
      for (let i = 0; i < decisions; i += 1) {
        const t = performance.now();
        await api.decide();
        decide.push(performance.now() - t);
      }
      const decisionsEnd = performance.now();
      await new Promise((r) => setTimeout(r, 100)); // let the observer deliver the last long task
      const longTasks = window.__bench.longTasks;
      const status = await api.status();
      // The same history through plain tfjs on the main thread, loaded first so that the two
      // can alternate: a drift in the machine's load then hits both alike.
      let predictBare = null;
      let bareError = null;
      if (bare) {
        try {
          const mod = await import('/dist/bench/bare-predict.js');
          const modelUrl = new URL(model, location.href);
          const manifest = await (await fetch(modelUrl)).json();
          const items = await (await fetch(new URL(manifest.items.url, modelUrl))).json();
          const index = new Map(items.map((id, i) => [id, i]));
          const input = new Int32Array(manifest.input.maxLength);
          const known = history.filter((id) => index.has(id));
          known.forEach((id, i) => { input[input.length - known.length + i] = index.get(id); });
          const tfModel = await mod.loadBare(name, new URL(manifest.model.url, modelUrl).href, '/dist/');
          predictBare = () => mod.predictOnce(tfModel, input);
        } catch (error) {
          bareError = String(error);
        }
      }
      const recommend = [];
      const baseline = [];
      for (let i = 0; i < runs + 5; i += 1) {
        let t = performance.now();
        await api.recommend({ k: 10 });
        if (i >= 5) recommend.push(performance.now() - t);
        if (!predictBare) continue;
        t = performance.now();
        try {
          await predictBare();
        } catch (error) {
          bareError = String(error);
          predictBare = null;
          continue;
        }
        if (i >= 5) baseline.push(performance.now() - t);
      }
      return { decide, decisionsEnd, longTasks, status, recommend, baseline, bareError, errors: window.__bench.errors };
    }, { decisions, runs, model, backend, history: BENCH_HISTORY, bare });

    const recommendMs = summarize(measured.recommend);
    const barePredictMs = bare ? summarize(measured.baseline) : null;
    const modelLoadMs = { cold: summarize(loads.map((l) => l.cold.at)), warm: summarize(loads.map((l) => l.warm.at)) };
    return {
      requested: backend,
      backend: measured.status.model?.backend ?? null,
      thread: measured.status.model?.thread ?? null,
      loadRuns: loads.length,
      modelLoadMs,
      fromCache: { cold: loads.filter((l) => l.cold.fromCache).length, warm: loads.filter((l) => l.warm.fromCache).length },
      modelLoadWarmToCold: ratio(modelLoadMs.warm.median, modelLoadMs.cold.median),
      firstDecisionWithModelMs: { cold: summarize(loads.map((l) => l.coldFirst.end)), warm: summarize(loads.map((l) => l.warmFirst.end)) },
      firstDecideMs: { cold: summarize(loads.map((l) => l.coldFirst.ms)), warm: summarize(loads.map((l) => l.warmFirst.ms)) },
      decideMs: summarize(measured.decide),
      recommendMs,
      barePredictMs,
      barePredictError: measured.bareError,
      recommendToBarePredict: barePredictMs ? ratio(recommendMs.median, barePredictMs.median) : null,
      longTasks: {
        coldLoad: {
          count: loads.reduce((n, l) => n + l.coldLongTasks.count, 0),
          totalMs: round(loads.reduce((n, l) => n + l.coldLongTasks.totalMs, 0)),
          maxMs: round(Math.max(...loads.map((l) => l.coldLongTasks.maxMs))),
          pages: loads.length,
        },
        warmLoadAndDecisions: longTaskSummary(measured.longTasks, 0, measured.decisionsEnd),
      },
      numTensors: measured.status.model?.numTensors ?? null,
      errors: measured.errors,
    };
  } finally {
    await context.close();
  }
}

/**
 * Runs every backend in turn. `decisions` timed `decide()` calls (and the long tasks
 * around them), `runs` timed `recommend()` and bare predicts.
 */
export async function benchModel(browser, baseUrl, { backends, model, runs, decisions, loadRuns, bare = true }) {
  const results = {};
  for (const backend of backends) {
    log(`model: ${backend}`);
    const started = Date.now();
    try {
      results[backend] = await benchBackend(browser, baseUrl, backend, { model, runs, decisions, bare, loadRuns });
    } catch (error) {
      results[backend] = { requested: backend, backend: null, error: String(error).split('\n')[0] };
    }
    results[backend].benchSeconds = round((Date.now() - started) / 1000, 1);
  }
  // Within-run comparisons: each backend's median decide() against WASM's.
  const wasm = results.wasm?.decideMs?.median ?? null;
  for (const result of Object.values(results)) {
    if (result.decideMs) result.decideToWasm = ratio(result.decideMs.median, wasm);
  }
  return results;
}

/** One fresh context with `backend: 'auto'`: the measured choice on the cold visit, the cached one on a reload. */
async function measureChoiceOnce(browser, pageUrl, model) {
  const { context, page } = await openContext(browser, 'auto', model);
  try {
    const choiceOf = async () => {
      const event = await waitModel(page);
      if (!event) throw new Error(`no model event: ${(await page.evaluate(() => window.__bench.errors)).join('; ') || 'timeout'}`);
      const { backend, backendChoice } = (await page.evaluate(() => window.api.status())).model;
      return { loadMs: round(event.at), backend, ...backendChoice };
    };
    await page.goto(pageUrl);
    const measured = await choiceOf();
    await page.reload();
    const cached = await choiceOf();
    return { measured, cached };
  } finally {
    await context.close();
  }
}

/**
 * The backend `auto` picks for each model, in `loadRuns` fresh contexts: the median ms per
 * run it measured on each backend, how often each backend won, and the model load with the
 * measurement (cold) against a reload that reuses the stored choice.
 */
export async function benchChoice(browser, baseUrl, { models, loadRuns }) {
  const pageUrl = new URL('/test/browser/pages/slots.html', baseUrl).href;
  const results = {};
  for (const model of models) {
    log(`backend choice: ${model}`);
    try {
      const runs = [];
      for (let i = 0; i < loadRuns; i += 1) runs.push(await measureChoiceOnce(browser, pageUrl, model));
      const backends = [...new Set(runs.flatMap((r) => Object.keys(r.measured.msPerRun)))];
      results[model] = {
        chosen: Object.fromEntries(backends.map((b) => [b, runs.filter((r) => r.measured.backend === b).length]).filter(([, n]) => n > 0)),
        msPerRun: Object.fromEntries(backends.map((b) => [b, summarize(runs.flatMap((r) => r.measured.msPerRun[b] ?? []))])),
        failed: runs[runs.length - 1].measured.failed,
        loadMs: { measured: summarize(runs.map((r) => r.measured.loadMs)), cached: summarize(runs.map((r) => r.cached.loadMs)) },
        cachedSameChoice: runs.filter((r) => r.cached.how === 'cached' && r.cached.backend === r.measured.backend).length,
        runs,
      };
    } catch (error) {
      results[model] = { error: String(error).split('\n')[0] };
    }
  }
  return results;
}

/** The models whose inference is timed per backend: the shipped one and the fixtures made by others. */
export const LATENCY_MODELS = {
  games: { manifest: '/demo/models/games/manifest.json', history: BENCH_HISTORY, sessionEvents: 5 },
  'prefetch-graph': { manifest: '/test/fixtures/models/prefetch-graph/manifest.json', history: ['page-3', 'page-17'], sessionEvents: 2 },
  'gru-layers': { manifest: '/test/fixtures/models/gru-layers/manifest.json', history: [86, 11, 62, 40, 36, 75, 82, 94, 67, 75].map((id) => `item-${id}`), sessionEvents: 10 },
};

/** The ML build's files (the entry and its lazy chunks), gzip bytes each. */
export async function mlChunkSizes() {
  const sizes = {};
  for (const file of (await readdir('dist')).filter((f) => /^precis-ml.*\.js$/.test(f)).sort()) {
    sizes[file] = gzipSync(await readFile(join('dist', file)), { level: 9 }).length;
  }
  return sizes;
}

/**
 * Each model on each backend, in the page through `import()` of the ML chunk (no worker,
 * no client): the engine's load time, and `runs` timed `engine.score()` calls after
 * 5 untimed ones (median and spread, ms).
 */
export async function benchModelLatency(browser, baseUrl, { backends, runs }) {
  const results = { chunksGzipBytes: await mlChunkSizes(), models: {} };
  for (const [name, model] of Object.entries(LATENCY_MODELS)) {
    results.models[name] = {};
    for (const backend of backends) {
      log(`latency: ${name} on ${backend}`);
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        await page.goto(new URL('/test/browser/pages/empty.html', baseUrl).href);
        const measured = await page.evaluate(async ({ model, backend: choice, runs: n }) => {
          const ml = await import('/dist/precis-ml.js');
          const started = performance.now();
          const engine = await ml.createEngine({ manifestUrl: model.manifest, backend: choice, timeoutMs: 120_000, maxAgeMs: 0, wasmPaths: '/dist/' });
          const loadMs = performance.now() - started;
          const counters = { historyLength: model.history.length, sessionEvents: model.sessionEvents, sessions: 1, daysSinceLastVisit: 0, views7d: 0, carts7d: 0, purchases: 0 };
          const source = { history: model.history, categories: {}, counters };
          const times = [];
          for (let i = 0; i < n + 5; i += 1) {
            const t = performance.now();
            await engine.score(source);
            if (i >= 5) times.push(performance.now() - t);
          }
          const info = engine.info;
          engine.dispose();
          return { backend: info.backend, columns: info.labels.length, loadMs, times };
        }, { model, backend, runs });
        results.models[name][backend] = { backend: measured.backend, columns: measured.columns, loadMs: round(measured.loadMs), scoreMs: summarize(measured.times) };
      } catch (error) {
        results.models[name][backend] = { backend: null, error: String(error).split('\n')[0] };
      } finally {
        await context.close();
      }
    }
  }
  return results;
}
