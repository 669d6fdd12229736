// `npm run bench`: the model runtime in real Chromium, per backend. Prints JSON.
// Times are only comparable within one run (and GPU backends run on a software GPU
// here): read the ratios, not the absolute numbers.
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { startDemoServer } from '../../demo/server.mjs';

const MODEL = process.env.PRECIS_BENCH_MODEL ?? '/demo/models/games/manifest.json';
const BACKENDS = (process.env.PRECIS_BENCH_BACKENDS ?? 'webgpu,webgl,wasm,cpu').split(',');
const RUNS = Number(process.env.PRECIS_BENCH_RUNS ?? 50);
const HISTORY = ['22120', '11833', '20325', '15731', '7351'];

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

const { server, url } = await startDemoServer(0);
const browser = await chromium.launch({
  executablePath: process.env.PRECIS_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--enable-unsafe-webgpu'],
});

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const round = (x) => Math.round(x * 100) / 100;

/** Milliseconds from navigation start to the first decision made with the model. */
const timeToFirstDecision = (page) =>
  page.evaluate(() => new Promise((resolve) => {
    window.precis = window.precis || [];
    window.precis.push((api) => {
      window.api = api;
      api.ready.then(() => resolve(performance.now()));
    });
  }));

async function benchBackend(backend) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript((config) => { window.precisConfig = config; }, {
    autoCapture: false, model: MODEL, backend, hideTimeoutMs: 120_000,
    catalog: { creatives: HISTORY.map((item) => ({ id: `pick-${item}`, slots: ['hero', 'side'], title: item, targets: { items: [item] } })) },
  });
  await page.goto(new URL('/test/browser/pages/slots.html', url).href);
  const cold = await timeToFirstDecision(page);
  await page.evaluate((history) => { for (const item of history) window.api.track({ type: 'view', item }); }, HISTORY);
  await page.reload();
  const warm = await timeToFirstDecision(page);

  const measured = await page.evaluate(async ({ runs, model, backend: name }) => {
    const api = window.api;
    await api.recommend({ k: 1 }); // resolves once the model is ready (or failed)
    const status = await api.status();
    const longTasks = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    const ours = [];
    for (let i = 0; i < runs + 5; i += 1) {
      const t = performance.now();
      await api.recommend({ k: 10 });
      if (i >= 5) ours.push(performance.now() - t);
    }
    const decisions = [];
    for (let i = 0; i < runs; i += 1) {
      const t = performance.now();
      await api.decide();
      decisions.push(performance.now() - t);
    }
    await new Promise((r) => setTimeout(r, 100));
    observer.disconnect();

    // The same history through plain tfjs on the main thread.
    const bare = await import('/dist/bench/bare-predict.js');
    const modelUrl = new URL(model, location.href);
    const manifest = await (await fetch(modelUrl)).json();
    const items = await (await fetch(new URL(manifest.items.url, modelUrl))).json();
    const index = new Map(items.map((id, i) => [id, i]));
    const input = new Int32Array(manifest.input.maxLength);
    const known = ['22120', '11833', '20325', '15731', '7351'].filter((id) => index.has(id));
    known.forEach((id, i) => { input[input.length - known.length + i] = index.get(id); });
    const tfModel = await bare.loadBare(name, new URL(manifest.model.url, modelUrl).href, '/dist/');
    const baseline = [];
    for (let i = 0; i < runs + 5; i += 1) {
      const t = performance.now();
      await bare.predictOnce(tfModel, input);
      if (i >= 5) baseline.push(performance.now() - t);
    }
    return { status, ours, decisions, baseline, longTasks };
  }, { runs: RUNS, model: MODEL, backend });
  await context.close();
  const median = (v) => quantile(v, 0.5);
  return {
    backend: measured.status.model?.backend ?? null,
    thread: measured.status.model?.thread ?? null,
    timeToFirstDecisionMs: { cold: round(cold), warm: round(warm) },
    recommendMs: { median: round(median(measured.ours)), p95: round(quantile(measured.ours, 0.95)) },
    decideMs: { median: round(median(measured.decisions)), p95: round(quantile(measured.decisions, 0.95)) },
    barePredictMs: { median: round(median(measured.baseline)), p95: round(quantile(measured.baseline, 0.95)) },
    recommendToBarePredict: round(median(measured.ours) / median(measured.baseline)),
    mainThreadLongTasksOver50ms: measured.longTasks.filter((d) => d > 50).length,
  };
}

const results = {};
try {
  for (const backend of BACKENDS) results[backend] = await benchBackend(backend);
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify({ model: MODEL, runs: RUNS, chromium: browser.version(), results }, null, 2));
