// Takes docs/debug-panel.png: the demo shop's debug panel (`?precis-debug`) after a visitor
// has looked at three racing games (and, before them, a sports game and a racing wheel)
// and put one in their cart. Run `npm run build` first,
// then `node demo/screenshot.mjs`. It starts the demo server itself (PORT 4391, or
// PRECIS_SCREENSHOT_PORT) and stops it when done. Chromium: PRECIS_CHROMIUM or /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import chromiumArgs from '../test/chromium-args.json' with { type: 'json' };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PRECIS_SCREENSHOT_PORT ?? 4391);
const base = `http://localhost:${port}`;
const output = join(root, 'docs/debug-panel.png');

/** Starts `node demo/server.mjs` and resolves once it answers. */
async function startServer() {
  const server = spawn(process.execPath, [join(root, 'demo/server.mjs')], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server.stdout.resume();
  const exited = new Promise((_, reject) => server.once('exit', (code) => reject(new Error(`demo server exited (${code})`))));
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const response = await Promise.race([fetch(`${base}/`), exited]);
      if (response.ok) return server;
    } catch (error) {
      if (String(error).includes('demo server exited')) throw error;
      if (Date.now() > deadline) throw new Error(`the demo server did not answer on ${base}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
}

async function main() {
  const server = await startServer();
  let browser;
  const stop = () => {
    if (server.exitCode === null) server.kill();
  };
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  try {
    browser = await chromium.launch({
      executablePath: process.env.PRECIS_CHROMIUM ?? '/usr/bin/chromium',
      args: chromiumArgs,
    });
    let context;
    let page;
    // Like a visitor, stay on each page a moment: until Precis is ready, and a little more
    // (it decides the next page's slots 0.5 s after that).
    const settle = async () => {
      await page.evaluate(() => new Promise((done) => {
        window.precis = window.precis || [];
        window.precis.push((api) => void api.ready.then(done));
      }));
      await page.waitForTimeout(900);
    };
    const open = async (category, name) => {
      await page.goto(`${base}/category/${category}`);
      await settle();
      await page.getByRole('link', { name: new RegExp(name) }).first().click();
      await page.locator('h1', { hasText: name }).waitFor();
      await settle();
    };

    // A new visitor. About 5% of visitors land in the control arm, which ignores their
    // history; the picture is about personalisation, so such a visitor is replaced.
    for (let attempt = 1; ; attempt += 1) {
      context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      page = await context.newPage();
      page.on('pageerror', (error) => console.error('page error:', error.message));
      await page.goto(`${base}/`);
      await settle();
      const arm = await page.evaluate(() => new Promise((done) => window.precis.push((api) => void api.status().then((s) => done(s.arm)))));
      if (arm === 'personalized' || attempt === 5) break;
      await context.close();
    }

    // They glance at a sports game and a racing wheel, then look at three racing games
    // from the Racing page and put the last one in the cart.
    await open('sports', 'Pro Soccer 26');
    await open('accessories', 'Racing Wheel GT');
    for (const name of ['Turbo Circuit', 'Dust Rally', 'Street Apex']) await open('racing', name);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.locator('.shop-status', { hasText: 'Added' }).waitFor();
    await page.waitForTimeout(900);

    // Home, with the panel: wait for the model, the slots' decisions and an impression.
    await page.goto(`${base}/?precis-debug`);
    const panel = page.locator('.precis-debug');
    await panel.locator('.precis-debug__slot').first().waitFor();
    await page.waitForFunction(() => document.querySelector('.precis-debug')?.dataset.state === 'ready');
    await page.waitForFunction(() => document.querySelector('.precis-debug')?.dataset.backend !== 'none', undefined, { timeout: 30_000 })
      .catch(() => console.warn('the model did not load within 30 s; the screenshot shows the ranker alone'));
    await page.waitForTimeout(1500); // an impression needs ≥ 50% of the slot in view for ≥ 1 s
    await page.waitForFunction(() => Number(document.querySelector('.precis-debug')?.dataset.impressions ?? 0) > 0, undefined, { timeout: 10_000 })
      .catch(() => console.warn('no impression was counted'));
    await page.waitForTimeout(400); // the panel's throttled refresh
    await mkdir(dirname(output), { recursive: true });
    await page.screenshot({ path: output });
    console.log(`wrote ${output}`);
  } finally {
    await browser?.close(); // closes the contexts too
    stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
