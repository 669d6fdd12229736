// `npm run bench:adstack` (a build, then `node test/bench/ad-stack-bench.mjs`): how soon the visitor's
// segments reach the page's ad stack, from navigation start, on a publisher page with
// Precis's script tag, a GPT stand-in and Prebid.js 11 (bundled from npm, first auction at
// load): a first visitor (nothing cached: the core builds the signals after `ready`) and a
// returning one (the script tag queues the signals the last page cached); and the bytes
// the ad stack adds to the loader (the loader built as shipped, and without it). Prints JSON.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import configs from '../../rollup.config.js';
import { startDemoServer } from '../../demo/server.mjs';
import { buildPrebidPages } from '../browser/ad-stack/build-pages.mjs';
import { launchChromium, log, ratio, summarize } from './harness.mjs';

const VISITS = Math.max(3, Number(process.env.PRECIS_BENCH_VISITS ?? 10) || 10);
const CATALOG = {
  creatives: [{ id: 'house', slots: ['hero'], title: 'House ad' }],
  audience: { categories: { racing: ['742'] }, segments: { 'cart-abandoner': ['971'] } },
};

/**
 * Installed before the page's scripts: notes (ms since navigation start) when Precis's
 * `user.data` first shows in Prebid's config, polling every millisecond (timers clamp to
 * about 4 ms). GPT's time is when the stand-in logged its first `setConfig` with Precis's
 * targeting.
 */
function installProbe() {
  const probe = (window.__ads = { prebidAt: null });
  const timer = setInterval(() => {
    const data = window.pbjs?.getConfig?.('ortb2')?.user?.data ?? [];
    if (!data.some((entry) => entry.name === 'bench.example')) return;
    probe.prebidAt = performance.now();
    clearInterval(timer);
  }, 1);
}

async function visit(context, url) {
  const page = await context.newPage();
  page.on('pageerror', (error) => log('page error:', error.message));
  await page.goto(new URL('/test/bench/ad-stack.html', url).href);
  await page.waitForFunction(() => window.__ads.prebidAt !== null &&
    window.gptLog.some(([call, config]) => call === 'setConfig' && config.targeting.precis_seg), null, { timeout: 30_000 });
  const result = await page.evaluate(() => {
    const config = window.gptLog.findIndex(([call, c]) => call === 'setConfig' && c.targeting.precis_seg);
    const display = window.gptLog.findIndex(([call]) => call === 'display');
    return {
      prebidAt: window.__ads.prebidAt,
      gptAt: window.gptTimes[config],
      firstAuctionAt: window.auctionTimes[0],
      firstAdRequestAt: window.gptTimes[display],
      inFirstAuction: (window.recordedOrtb2[0]?.user?.data ?? []).some((entry) => entry.name === 'bench.example'),
      beforeFirstAdRequest: config < display,
    };
  });
  return { page, result };
}

async function run(browser, url) {
  const first = [];
  const returning = [];
  for (let i = 0; i < VISITS; i += 1) {
    const context = await browser.newContext();
    await context.addInitScript((config) => void (window.precisConfig = config), { catalog: CATALOG, autoCapture: false, holdout: 0, adStack: { name: 'bench.example', siteSegments: true } });
    await context.addInitScript(installProbe);
    log(`visit ${i + 1}: first`);
    const { page, result } = await visit(context, url);
    first.push(result);
    await page.evaluate(() => new Promise((resolve) => window.precis.push((api) => {
      for (let n = 0; n < 3; n += 1) api.track({ type: 'add_to_cart', item: `r${n}`, category: 'racing' });
      resolve();
    })));
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('precis:precis') ?? '{}').ads?.data?.some((d) => d.ext?.segtax === 4));
    await page.close();
    log(`visit ${i + 1}: returning`);
    returning.push((await visit(context, url)).result);
    await context.close();
  }
  return { first, returning };
}

/**
 * The loader's gzip size as built by rollup.config.js, and with the ad-stack modules its
 * first paint imports replaced by ones that do nothing (terser then drops the calls).
 */
async function loaderAdStackBytes() {
  const loader = configs.find((config) => config.output.file === 'dist/precis.js');
  const stubs = {
    'ad-stack': 'export const sendToGpt = () => {}; export const sendToPrebid = () => {};',
    'ad-signals': 'export const parseAdSignals = () => undefined;',
  };
  const withoutAdStack = {
    name: 'without-ad-stack',
    resolveId: (source) => (/\/measure\/(ad-stack|ad-signals)$/.exec(source) ? `\0${source.split('/').at(-1)}` : null),
    load: (id) => (id.startsWith('\0') ? stubs[id.slice(1)] : null),
  };
  const size = async (plugins) => {
    const bundle = await rollup({ input: loader.input, plugins: plugins.filter((plugin) => plugin.name !== 'check-size') });
    const { output } = await bundle.generate(loader.output);
    await bundle.close();
    return gzipSync(output[0].code, { level: 9 }).length;
  };
  const shipped = await size(loader.plugins);
  const without = await size([withoutAdStack, ...loader.plugins]);
  return { shipped, withoutAdStack: without, adStack: shipped - without };
}

const summary = (visits) => ({
  prebidMs: summarize(visits.map((v) => v.prebidAt)),
  gptMs: summarize(visits.map((v) => v.gptAt)),
  firstAuctionMs: summarize(visits.map((v) => v.firstAuctionAt)),
  firstAdRequestMs: summarize(visits.map((v) => v.firstAdRequestAt)),
  inFirstAuction: visits.filter((v) => v.inFirstAuction).length,
  beforeFirstAdRequest: visits.filter((v) => v.beforeFirstAdRequest).length,
  visits: visits.length,
});

await buildPrebidPages();
const { server, url } = await startDemoServer(0);
const browser = await launchChromium();
try {
  const { first, returning } = await run(browser, url);
  const firstSummary = summary(first);
  const returningSummary = summary(returning);
  const loader = gzipSync(await readFile('dist/precis.js'), { level: 9 }).length;
  const loaderBytes = await loaderAdStackBytes();
  console.log(JSON.stringify({
    format: 'precis-ad-stack-bench@1',
    date: new Date().toISOString(),
    firstVisitor: firstSummary,
    returningVisitor: returningSummary,
    returningOverFirst: { prebid: ratio(returningSummary.prebidMs.median, firstSummary.prebidMs.median), gpt: ratio(returningSummary.gptMs.median, firstSummary.gptMs.median) },
    loaderGzipBytes: loader,
    loaderAdStackGzipBytes: loaderBytes,
  }, null, 2));
} catch (error) {
  log(String(error));
  process.exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
