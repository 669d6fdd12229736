// bench/REPORT.md and its charts (bench/*.svg), from the results of one run.
import { barChart } from './charts.mjs';

const fmt = (value, digits = 1) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ms = (value) => fmt(value, value !== null && value !== undefined && Math.abs(value) < 10 ? 2 : 1);
const x = (value) => (typeof value === 'number' ? `${value.toFixed(value >= 100 ? 0 : 2)}×` : 'n/a');
const int = (value) => (typeof value === 'number' ? value.toLocaleString('en-US') : 'n/a');

/** The charts of a run: file name → SVG text. */
export function makeCharts(results) {
  const charts = {};
  const caveat = `Chromium ${results.chromium}, ${results.machine.cpus} cores, SwiftShader (no GPU); compare within this run only.`;
  const { slot, model, track } = results;
  if (slot) {
    const f = slot.firstVisit;
    const r = slot.repeatVisit;
    charts['slot.svg'] = barChart({
      title: 'Time to the hero slot on the demo shop (median ms from navigation start)',
      subtitle: caveat,
      unit: 'ms',
      categories: ['First visit', 'Repeat visit'],
      series: ['first frame with the slot', 'slot visible (creative or default)', `creative visible`, 'first contentful paint'],
      values: [
        [f.firstFrameMs.median, f.firstVisibleMs.median, f.creativeVisibleMs.median, f.fcpMs.median],
        [r.firstFrameMs.median, r.firstFrameMs.median, r.creativeVisibleMs.median, r.fcpMs.median],
      ],
      notes: [
        `${slot.visits} visitors. Repeat visit: the creative was in the first frame with the slot in ${r.firstFrameHadCreative}/${slot.visits} visits, visible in ${r.firstFrameVisible}/${slot.visits}.`,
        `First visit: ${f.showedCreative}/${slot.visits} showed a creative (its median is over those), ${f.showedDefaultAfterTimeout}/${slot.visits} showed the default after the 300 ms hide timeout.`,
      ],
    });
  }
  const backends = model ? Object.keys(model).filter((b) => model[b].decideMs) : [];
  const label = (b) => (['webgpu', 'webgl'].includes(b) ? `${b} (SwiftShader)` : b);
  if (backends.length) {
    charts['model-load.svg'] = barChart({
      title: `Model load: navigation start → the model event (median of ${model[backends[0]].loadRuns} fresh contexts, ms)`,
      subtitle: caveat,
      unit: 'ms',
      categories: backends.map(label),
      series: ['cold (empty Cache Storage)', 'warm (files from Cache Storage)'],
      values: backends.map((b) => [model[b].modelLoadMs.cold.median, model[b].modelLoadMs.warm.median]),
    });
    charts['decide.svg'] = barChart({
      title: 'Decision latency per backend (ms, model loaded, 5-item history)',
      subtitle: caveat,
      unit: 'ms',
      categories: backends.map(label),
      series: ['decide() median', 'decide() p90', 'recommend() median', 'bare tfjs predict median'],
      values: backends.map((b) => [model[b].decideMs.median, model[b].decideMs.p90, model[b].recommendMs.median, model[b].barePredictMs?.median ?? null]),
    });
    charts['long-tasks.svg'] = barChart({
      title: 'Main-thread long tasks (total ms of tasks over 50 ms)',
      subtitle: caveat,
      unit: 'ms',
      categories: backends.map(label),
      series: [`${results.config.loadRuns} cold pages: load, model load, first decision`, `warm page: load, model load, ${results.config.decisions} decisions`],
      values: backends.map((b) => [model[b].longTasks.coldLoad.totalMs, model[b].longTasks.warmLoadAndDecisions.totalMs]),
      notes: [`Counts (cold / warm): ${backends.map((b) => `${b} ${model[b].longTasks.coldLoad.count} / ${model[b].longTasks.warmLoadAndDecisions.count}`).join(', ')}.`],
    });
  }
  if (track) {
    const c = track.trackCost;
    charts['track.svg'] = barChart({
      title: `track() on the main thread: µs per call (median of ${c.rounds} loops of ${int(c.calls)} calls)`,
      subtitle: caveat,
      unit: 'µs per call',
      categories: ['api.track(event)', 'no-op function call'],
      series: ['µs per call'],
      values: [[c.trackUsPerCall.median], [c.noopUsPerCall.median]],
      format: (v) => (v === 0 ? "0" : v >= 0.1 ? v.toFixed(2) : v.toFixed(4)),
      notes: [`track() / no-op = ${x(c.trackToNoop)}`],
    });
    const i = track.ingest;
    charts['ingest.svg'] = barChart({
      title: `IndexedDB ingest of a ${int(i.events)}-event burst (ms, median of ${i.runs.length})`,
      subtitle: caveat,
      unit: 'ms',
      categories: [`${int(i.events)} track() calls`, 'all in IndexedDB'],
      series: ['ms'],
      values: [[i.syncMs.median], [i.storedMs.median]],
      notes: ['Both timed from the first call; the calls are made in one task.', `In IndexedDB: ${i.runs.map((r) => int(r.stored)).join(' / ')}; after a reload (myData): ${i.runs.map((r) => int(r.afterReload.viaMyData)).join(' / ')}; lost: ${i.lost}.`],
    });
  }
  return charts;
}

/** bench/REPORT.md. */
export function makeReport(results) {
  const { slot, model, track, config, machine } = results;
  const lines = [];
  lines.push('# Precis benchmark report', '');
  lines.push(`Written by \`npm run bench\` (test/bench/run.mjs) on ${results.date}, in ${results.runtimeSeconds} s.`);
  lines.push(`Chromium ${results.chromium} (Playwright, headless), ${machine.cpus} × ${machine.cpuModel}, load average ${machine.loadAverageStart.join(' / ')} at the start, ${machine.loadAverageEnd.join(' / ')} at the end.`);
  lines.push('', '**Read ratios, not absolute times.** There is no GPU here: WebGL and WebGPU run on SwiftShader (a software GPU, correct but slow), the machine has 2 shared cores, and other processes ran at the same time. Only comparisons within this one run mean anything. Raw numbers: [results.json](results.json).', '');
  lines.push(`Settings: PRECIS_BENCH_RUNS=${config.runs} (${config.decisions} timed decide() per backend, ${config.recommendRuns} recommend() and bare predicts, ${config.slotVisits} visitors for the slot, ${config.ingestRuns} ingest runs), model \`${config.model}\`.`, '');

  if (slot) {
    const f = slot.firstVisit;
    const r = slot.repeatVisit;
    lines.push('## 1. Time to the personalised slot', '');
    lines.push('The demo shop (`node demo/server.mjs` on its own port, the script tag in `<head>` as shipped, `holdout: 0`), the hero slot of `/`. A recorder installed before any page script (`addInitScript`) notes when the slot gets `data-precis-creative` (MutationObserver) and, on every animation frame, whether the slot exists, has a creative and is visible. *First visit*: a fresh browser context. *Repeat visit*: the same context after three racing product pages, with a decision for `hero` made ahead in localStorage. Times are ms since navigation start, median (p90) over the visitors.', '');
    lines.push('![Time to the personalised slot](slot.svg)', '');
    const cell = (s) => `${ms(s.median)} (${ms(s.p90)})${s.n < slot.visits ? ` [n=${s.n}]` : ''}`;
    lines.push('| | first frame with the slot | slot visible | creative in the DOM | creative visible | `ready` | first contentful paint |', '|---|---|---|---|---|---|---|');
    lines.push(`| first visit | ${cell(f.firstFrameMs)} | ${cell(f.firstVisibleMs)} | ${cell(f.creativeSetMs)} | ${cell(f.creativeVisibleMs)} | ${cell(f.readyMs)} | ${cell(f.fcpMs)} |`);
    lines.push(`| repeat visit | ${cell(r.firstFrameMs)} | ${cell(r.firstFrameMs)} | ${cell(r.creativeSetMs)} | ${cell(r.creativeVisibleMs)} | ${cell(r.readyMs)} | ${cell(r.fcpMs)} |`, '');
    lines.push('[n=…]: only the visits where it happened.', '');
    lines.push(`- Repeat visit: the creative was already in the first frame with the slot in **${r.firstFrameHadCreative}/${slot.visits}** visits (visible in that frame: ${r.firstFrameVisible}/${slot.visits}; never hidden: ${r.neverHidden}/${slot.visits}; no swap afterwards: ${r.noSwap}/${slot.visits}; it was the decision found in localStorage when the page started: ${r.showedCachedDecision}/${slot.visits}; a racing creative, after three racing games: ${r.racingCreative}/${slot.visits}). Model backend on those pages: ${r.backends.join(', ') || 'none'}.`);
    lines.push(`- First visit: a creative was shown in ${f.showedCreative}/${slot.visits} visits; ${f.showedDefaultAfterTimeout}/${slot.visits} showed the default after the 300 ms hide timeout (and kept it). The slot was hidden for a median of ${f.hiddenFramesMedian ?? 'n/a'} frames.`);
    const fetched = (file) => `${ms(f.fetchedMs[file].requested.median)} → ${ms(f.fetchedMs[file].arrived.median)}`;
    lines.push(`- First visit, where the time goes (Resource Timing, median ms, requested → arrived): \`precis.js\` ${fetched('precis.js')}, \`precis-core.js\` ${fetched('precis-core.js')}, \`catalog.json\` ${fetched('catalog.json')}; \`ready\` at ${ms(f.readyMs.median)}.`);
    lines.push(`- Time to a visible slot, repeat visit (the creative) / first visit (creative or default): ${x(slot.repeatToFirstVisitSlotVisible)}.`);
    const c = slot.repeatWithCmp;
    if (c) {
      lines.push(`- Repeat visit with an IAB TCF CMP on the page (its stub before Precis; the CMP answers from the stored choice ${ms(c.cmpAnsweredMs.min)}–${ms(c.cmpAnsweredMs.max)} ms after the start, median ${ms(c.cmpAnsweredMs.median)}): no cached decision before the CMP's yes (creative in the first frame: ${c.firstFrameHadCreative}/${slot.visits}); the creative visible at ${cell(c.creativeVisibleMs)}, ${cell(c.waitAfterAnswerMs)} after the CMP's answer; the decision cached on the last page in ${c.showedCachedDecision}/${slot.visits}, a racing creative in ${c.racingCreative}/${slot.visits}, the default after the hide timeout in ${c.showedDefaultAfterTimeout}/${slot.visits}. Creative visible with a CMP / without: ${x(slot.cmpToNoCmpCreativeVisible)}; first contentful paint with a CMP / without: ${x(slot.cmpToNoCmpFcp)} (the wait is the slot's, not the page's).`);
    }
    lines.push(`- Main-thread long tasks on these pages (until ~600 ms after \`ready\`), total ms, median (max): first visit ${ms(f.longTaskMs.median)} (${ms(f.longTaskMs.max)}), repeat visit ${ms(r.longTaskMs.median)} (${ms(r.longTaskMs.max)}).`, '');
  }

  const backends = model ? Object.keys(model) : [];
  if (backends.length) {
    lines.push('## 2. Decision latency per backend', '');
    lines.push(`A test page with the script tag (\`data-backend\` forced, a 5-item history, a catalog targeting those items). With the model loaded: ${config.decisions} \`api.decide()\` in a row, then ${config.recommendRuns} \`api.recommend({k: 10})\` (after 5 warm-ups), each alternating with the same history through a bare \`tf.loadLayersModel\` + \`model.predict\` on the main thread (test/bench/bare-predict.ts: the tensor in, the scores read back, on the same backend).`, '');
    lines.push('![Decision latency per backend](decide.svg)', '');
    lines.push('| backend (thread) | decide() median / p90 (ms) | vs WASM | first decide() after load, warm (ms) | recommend() median / p90 (ms) | bare predict median (ms) | recommend / bare |', '|---|---|---|---|---|---|---|');
    for (const b of backends) {
      const m = model[b];
      if (!m.decideMs) { lines.push(`| ${b} | failed: ${m.error} | | | | | |`); continue; }
      lines.push(`| ${m.backend} (${m.thread}) | ${ms(m.decideMs.median)} / ${ms(m.decideMs.p90)} | ${x(m.decideToWasm)} | ${ms(m.firstDecideMs.warm.median)} | ${ms(m.recommendMs.median)} / ${ms(m.recommendMs.p90)} | ${m.barePredictMs ? ms(m.barePredictMs.median) : `n/a${m.barePredictError ? ` (${m.barePredictError})` : ''}`} | ${x(m.recommendToBarePredict)} |`);
    }
    lines.push('');
    lines.push('## 3. Main-thread long tasks', '');
    lines.push(`A \`PerformanceObserver\` for \`longtask\`, installed before any page script. *Cold*: the first page of each of the ${config.loadRuns} fresh contexts of section 6, until the first decision made with the model (summed). *Warm*: the last reload, through the model load and the ${config.decisions} decisions of section 2 (the bare predicts, which run on the main thread on purpose, are not counted). On a loaded 2-core machine a long task can also be the page's thread waiting for a core.`, '');
    lines.push('![Main-thread long tasks](long-tasks.svg)', '');
    lines.push('| backend | cold pages: count, total, longest (ms) | warm page + decisions: count, total, longest (ms) |', '|---|---|---|');
    for (const b of backends) {
      const m = model[b];
      if (!m.longTasks) continue;
      const c = m.longTasks.coldLoad;
      const w = m.longTasks.warmLoadAndDecisions;
      lines.push(`| ${b} | ${c.count}, ${ms(c.totalMs)}, ${ms(c.maxMs)} | ${w.count}, ${ms(w.totalMs)}, ${ms(w.maxMs)} |`);
    }
    lines.push('');
  }

  if (track) {
    const c = track.trackCost;
    const i = track.ingest;
    lines.push('## 4. `track()` cost on the main thread', '');
    lines.push(`${c.rounds} loops of ${int(c.calls)} synchronous \`api.track({type: 'view', item, category, price})\` calls (after 200 warm-up calls; each loop in a task of its own and timed as a whole, since \`performance.now()\` is coarsened to 100 µs outside cross-origin isolation), against the same loop calling a no-op method (run 1,000 times per measurement). The asynchronous work a call schedules (the IndexedDB write, the decision made ahead) is not in this number; section 5 covers the write.`, '');
    lines.push('![track() cost](track.svg)', '');
    lines.push(`| track() µs per call, median / p90 | no-op µs per call | track / no-op | one loop of ${int(c.calls)} calls (ms, median) |`, '|---|---|---|---|');
    lines.push(`| ${fmt(c.trackUsPerCall.median, 2)} / ${fmt(c.trackUsPerCall.p90, 2)} | ${fmt(c.noopUsPerCall.median, 4)} | ${x(c.trackToNoop)} | ${ms(c.trackLoopMs.median)} |`, '');
    lines.push(`## 5. IndexedDB ingest of a ${int(i.events)}-event burst`, '');
    lines.push(`A fresh context, \`maxEvents: ${int(i.events * 2)}\` through \`window.precisConfig\`, no model. ${int(i.events)} \`track()\` calls in one task, then the events store is counted directly in IndexedDB (its own connection, every 20 ms) until all are there; then \`api.myData()\`, then a reload and both counts again.`, '');
    lines.push('![IndexedDB ingest](ingest.svg)', '');
    lines.push('| run | track() loop (ms) | all stored after (ms) | in IndexedDB | myData() | after reload: IndexedDB / myData() | long tasks (count, total ms) |', '|---|---|---|---|---|---|---|');
    i.runs.forEach((r, n) => {
      lines.push(`| ${n + 1} | ${ms(r.syncMs)} | ${ms(r.storedMs)} | ${int(r.stored)} | ${int(r.viaMyData)} | ${int(r.afterReload.stored)} / ${int(r.afterReload.viaMyData)} | ${r.longTasks.count}, ${ms(r.longTasks.totalMs)} |`);
    });
    lines.push('', `None lost: **${i.allStored && i.allStoredAfterReload ? 'yes' : 'NO'}** (at most ${i.lost} missing in a run).`, '');
  }

  if (backends.length) {
    lines.push('## 6. Model load, cold and warm', '');
    lines.push(`Navigation start → the \`model\` event (\`api.on('model', …)\`: fetched, verified, warmed up), on a fresh context (empty Cache Storage), then on a reload of the same context; ${config.loadRuns} contexts per backend, median (p90). *First decision with the model*: when the first \`decide()\` called after that event resolved. \`fromCache\`: in how many of the visits the event said so.`, '');
    lines.push('![Model load](model-load.svg)', '');
    lines.push('| backend | cold (ms) | fromCache | warm (ms) | fromCache | warm / cold | first decision with the model, cold / warm (ms) | first decide() itself, cold / warm (ms) |', '|---|---|---|---|---|---|---|---|');
    for (const b of backends) {
      const m = model[b];
      if (!m.modelLoadMs) { lines.push(`| ${b} | failed: ${m.error} | | | | | | |`); continue; }
      const n = m.loadRuns;
      lines.push(`| ${b} | ${ms(m.modelLoadMs.cold.median)} (${ms(m.modelLoadMs.cold.p90)}) | ${m.fromCache.cold}/${n} | ${ms(m.modelLoadMs.warm.median)} (${ms(m.modelLoadMs.warm.p90)}) | ${m.fromCache.warm}/${n} | ${x(m.modelLoadWarmToCold)} | ${ms(m.firstDecisionWithModelMs.cold.median)} / ${ms(m.firstDecisionWithModelMs.warm.median)} | ${ms(m.firstDecideMs.cold.median)} / ${ms(m.firstDecideMs.warm.median)} |`);
    }
    lines.push('');
  }

  const choice = results.backendChoice;
  if (choice) {
    lines.push('## 7. The backend `auto` chooses, per model', '');
    lines.push(`\`backend: 'auto'\`, in ${config.loadRuns} fresh contexts per model: on the first visit the worker times the model on each backend this browser supports (one untimed run, then the median of up to 5: fewer once a run is 3× the best so far) and keeps the fastest; a reload reuses that stored choice. *Load*: navigation start → the \`model\` event.`, '');
    lines.push('| model | chosen (times) | median ms per run, by backend | load, measuring (ms) | load, cached choice (ms) | reload kept the choice |', '|---|---|---|---|---|---|');
    for (const [url, c] of Object.entries(choice)) {
      if (c.error) { lines.push(`| ${url} | failed: ${c.error} | | | | |`); continue; }
      const chosen = Object.entries(c.chosen).map(([b, n]) => `${b} (${n})`).join(', ');
      const times = Object.entries(c.msPerRun).map(([b, t]) => `${b} ${ms(t.median)}`).join(', ');
      lines.push(`| ${url} | ${chosen} | ${times} | ${ms(c.loadMs.measured.median)} | ${ms(c.loadMs.cached.median)} | ${c.cachedSameChoice}/${c.runs.length} |`);
    }
    lines.push('');
  }
  const { latency } = results;
  if (latency) {
    const names = Object.keys(latency.models);
    const used = [...new Set(names.flatMap((name) => Object.keys(latency.models[name])))];
    lines.push('## 8. Inference latency per model and backend', '');
    lines.push(`\`engine.score()\` alone, in the page through \`import()\` of the ML chunk (no worker, no client): the shipped Games model (built-in SASRec) and the fixture models made by others (test/fixtures/models, through the lazy model chunk), ${config.recommendRuns} timed calls after 5 untimed, median (p90) ms; the engine's load in brackets.`, '');
    lines.push(`| model | ${used.join(' | ')} |`, `|---|${used.map(() => '---').join('|')}|`);
    for (const name of names) {
      const cells = used.map((b) => {
        const r = latency.models[name][b];
        return r?.scoreMs ? `${ms(r.scoreMs.median)} (${ms(r.scoreMs.p90)}) [${ms(r.loadMs)}]` : `failed: ${r?.error ?? 'n/a'}`;
      });
      lines.push(`| ${name} | ${cells.join(' | ')} |`);
    }
    lines.push('', `ML chunks, gzip bytes: ${Object.entries(latency.chunksGzipBytes).map(([f, b]) => `\`${f}\` ${int(b)}`).join(', ')}.`, '');
  }

  const errors = [
    ...(model ? Object.entries(model).flatMap(([b, m]) => (m.errors ?? []).map((e) => `${b}: ${e}`)) : []),
    ...(slot ? slot.raw.flatMap((r, n) => [...r.first.errors, ...r.repeat.errors].map((e) => `slot visitor ${n + 1}: ${e}`)) : []),
    ...(track ? track.ingest.runs.flatMap((r) => r.errors.map((e) => `ingest: ${e}`)) : []),
  ];
  lines.push('## Errors reported by the SDK during the run', '');
  lines.push(errors.length ? [...new Set(errors)].map((e) => `- ${e}`).join('\n') : 'None.', '');
  lines.push('## Reproduce', '');
  lines.push('```sh', `npm run bench                                  # build, then every measurement (here: ${(results.runtimeSeconds / 60).toFixed(1)} min plus the build)`, 'PRECIS_BENCH_RUNS=30 node test/bench/run.mjs    # smaller, on an existing build', 'PRECIS_BENCH_ONLY=model PRECIS_BENCH_BACKENDS=wasm,cpu node test/bench/run.mjs', '```', '');
  lines.push('`PRECIS_BENCH_RUNS` (default 100) is the number of timed `decide()` per backend; the other repeats scale with it. `PRECIS_BENCH_ONLY` (`slot,model,choice,latency,track`), `PRECIS_BENCH_BACKENDS`, `PRECIS_BENCH_MODEL`, `PRECIS_BENCH_CHOICE_MODELS` (comma-separated manifests for section 7) and `PRECIS_CHROMIUM` narrow or redirect a run; `PRECIS_BENCH_OUT` (default `bench`) is where results.json, REPORT.md and the charts go.', '');
  return lines.join('\n');
}
