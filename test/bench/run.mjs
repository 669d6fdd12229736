// `npm run bench`: Precis in real Chromium, through the script tag and the public API.
// Writes bench/results.json, bench/REPORT.md and its charts (bench/*.svg), and prints the
// JSON. Times are only comparable within one run (GPU backends run on a software GPU
// here): read the ratios, not the absolute numbers.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startDemoServer } from '../../demo/server.mjs';
import { launchChromium, log, round } from './harness.mjs';
import { benchChoice, benchModel, benchModelLatency, buildBarePredict } from './model-bench.mjs';
import { makeCharts, makeReport } from './report.mjs';
import { benchSlot } from './slot-bench.mjs';
import { benchTrack } from './track-bench.mjs';

const RUNS = Math.max(5, Number(process.env.PRECIS_BENCH_RUNS ?? 100) || 100);
const config = {
  runs: RUNS,
  model: process.env.PRECIS_BENCH_MODEL ?? '/demo/models/games/manifest.json',
  backends: (process.env.PRECIS_BENCH_BACKENDS ?? 'webgpu,webgl,wasm,cpu').split(',').map((b) => b.trim()).filter(Boolean),
  /** The models whose `auto` backend choice is measured (comma-separated manifest URLs). */
  choiceModels: (process.env.PRECIS_BENCH_CHOICE_MODELS ?? process.env.PRECIS_BENCH_MODEL ?? '/demo/models/games/manifest.json,/test/fixtures/models/prefetch-graph/manifest.json,/test/fixtures/models/gru-layers/manifest.json').split(',').map((m) => m.trim()).filter(Boolean),
  only: (process.env.PRECIS_BENCH_ONLY ?? 'slot,model,choice,latency,track').split(',').map((s) => s.trim()),
  decisions: RUNS,
  recommendRuns: Math.max(5, Math.round(RUNS * 0.3)),
  loadRuns: Math.max(1, Math.round(RUNS / 33)),
  slotVisits: Math.max(2, Math.round(RUNS / 10)),
  trackCalls: 2000,
  trackRounds: Math.max(3, Math.round(RUNS / 10)),
  ingestEvents: 10_000,
  ingestRuns: Math.max(1, Math.round(RUNS / 33)),
};
const outDir = process.env.PRECIS_BENCH_OUT ?? 'bench';

const started = Date.now();
const loadAverageStart = loadavg().map((l) => round(l, 1));
let bare = config.only.includes('model');
if (bare) {
  try {
    await buildBarePredict();
  } catch (error) {
    log(`the bare-predict baseline did not build, skipping it: ${String(error).split('\n')[0]}`);
    bare = false;
  }
}

const { server, url } = await startDemoServer(0);
const browser = await launchChromium();
const results = {
  format: 'precis-bench@1',
  date: new Date().toISOString(),
  chromium: browser.version(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageStart, loadAverageEnd: null },
  config,
  runtimeSeconds: null,
  slot: null,
  model: null,
  backendChoice: null,
  latency: null,
  track: null,
};
try {
  if (config.only.includes('slot')) results.slot = await benchSlot(browser, url, { visits: config.slotVisits });
  if (config.only.includes('model')) {
    results.model = await benchModel(browser, url, {
      backends: config.backends, model: config.model, runs: config.recommendRuns, decisions: config.decisions, loadRuns: config.loadRuns, bare,
    });
  }
  if (config.only.includes('choice')) results.backendChoice = await benchChoice(browser, url, { models: config.choiceModels, loadRuns: config.loadRuns });
  if (config.only.includes('latency')) results.latency = await benchModelLatency(browser, url, { backends: config.backends, runs: config.recommendRuns });
  if (config.only.includes('track')) {
    results.track = await benchTrack(browser, url, {
      calls: config.trackCalls, rounds: config.trackRounds, ingestEvents: config.ingestEvents, ingestRuns: config.ingestRuns,
    });
  }
} finally {
  await browser.close();
  server.close();
}
results.machine.loadAverageEnd = loadavg().map((l) => round(l, 1));
results.runtimeSeconds = round((Date.now() - started) / 1000, 1);

await mkdir(outDir, { recursive: true });
const json = JSON.stringify(results, null, 2);
await writeFile(join(outDir, 'results.json'), `${json}\n`);
for (const [name, svg] of Object.entries(makeCharts(results))) await writeFile(join(outDir, name), svg);
await writeFile(join(outDir, 'REPORT.md'), makeReport(results));
log(`wrote ${outDir}/results.json, ${outDir}/REPORT.md and the charts in ${results.runtimeSeconds} s`);
console.log(json);
