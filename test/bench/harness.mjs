// Shared pieces of `npm run bench`: the browser, the statistics, and the probes a page
// gets before any of its own scripts run. Only the public API and the script tag are
// used: `window.precis.push(fn)`, `window.precisConfig`, and the personalizer's methods.
import { chromium } from 'playwright-core';
import chromiumArgs from '../chromium-args.json' with { type: 'json' };

/** The same flags as playwright.config.ts (Debian's Chromium; WebGPU needs the unsafe flag). */
export const CHROMIUM_ARGS = chromiumArgs;

/** Launches Debian's Chromium (or PRECIS_CHROMIUM) the way the browser tests do. */
export function launchChromium() {
  return chromium.launch({ executablePath: process.env.PRECIS_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** The q-quantile by nearest rank (no interpolation: every number reported was measured). */
export function quantile(values, q) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
export const median = (values) => quantile(values, 0.5);
export const round = (x, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** n, median, p90, min and max of some milliseconds (rounded to 0.01). */
export function summarize(values) {
  return {
    n: values.length,
    median: round(median(values)),
    p90: round(quantile(values, 0.9)),
    min: round(values.length ? Math.min(...values) : null),
    max: round(values.length ? Math.max(...values) : null),
  };
}

/** A ratio of two measurements of one run, or null when either is missing. */
export const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined || b === 0 ? null : round(a / b));

/**
 * Installed with `addInitScript`, so it runs at the start of every document of the
 * context, before the page's own scripts: records main-thread long tasks from the start
 * and, through the command queue (as a site would), the personalizer, its `model` event
 * (with the time since navigation start) and its errors.
 */
export function installProbe() {
  const bench = { longTasks: [], model: null, errors: [], readyAt: null, firstRenderAt: null };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    bench.longTasks = null; // not supported: reported as such
  }
  window.precis = window.precis || [];
  window.precis.push((api) => {
    window.api = api;
    api.on('model', (info) => { bench.model = { at: performance.now(), ...info }; });
    api.on('error', (error) => { bench.errors.push(error.code + (error.details?.reason ? `: ${error.details.reason}` : '')); });
    api.on('render', () => { if (bench.firstRenderAt === null) bench.firstRenderAt = performance.now(); });
    api.ready.then(() => { bench.readyAt = performance.now(); });
  });
}

/** Waits until the personalizer of the page is ready (it is exposed as `window.api` by the probe). */
export function waitReady(page, timeout = 60_000) {
  return page.waitForFunction(() => window.__bench && window.__bench.readyAt !== null, undefined, { timeout, polling: 50 });
}

/** Waits for the `model` event; resolves with its payload (and `at`, ms since navigation start), or null on timeout. */
export async function waitModel(page, timeout = 90_000) {
  try {
    await page.waitForFunction(() => window.__bench && window.__bench.model !== null, undefined, { timeout, polling: 50 });
  } catch {
    return null;
  }
  return page.evaluate(() => window.__bench.model);
}

/** Count, total and longest of the long tasks (each is over 50 ms by definition) that started in [from, to). */
export function longTaskSummary(tasks, from = 0, to = Infinity) {
  if (tasks === null) return { supported: false };
  const inWindow = tasks.filter((task) => task.start >= from && task.start < to);
  return {
    count: inWindow.length,
    totalMs: round(inWindow.reduce((sum, task) => sum + task.duration, 0)),
    maxMs: round(inWindow.reduce((max, task) => Math.max(max, task.duration), 0)),
  };
}

/** Logs progress on stderr, so stdout stays the JSON. */
export const log = (...parts) => console.error('[bench]', ...parts);
