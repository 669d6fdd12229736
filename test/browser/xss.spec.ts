import { buildSync } from 'esbuild';
import { expect, test, type Page } from '@playwright/test';
import { cleanTitle } from '../../src/decide/safe-content';
import { attach, configure, expectNoUncaught, watchErrors } from './helpers';
import { expand, PAYLOADS, type Payload } from '../fixtures/xss-payloads';

/**
 * Hostile creatives (issue #6). Every payload of test/fixtures/xss-payloads.json goes
 * into the fields it targets, one creative per placement, each with a slot of its own
 * so every accepted creative is really rendered. Each payload tries to call
 * `window.__xss(name)`; the page records the calls, page errors, and CSP / Trusted
 * Types violations (`securitypolicyviolation` events and console messages).
 */


interface Placement {
  slot: string;
  id: string;
  field: string;
  payload: Payload;
}

declare global {
  var __xssCalls: string[];
  var __violations: string[];
  var __precisErrors: Array<{ code: string; index?: unknown; reason?: unknown }>;
  var __modelSettled: boolean;
}

const CATALOG_URL = '/test/xss-catalog.json';
const MANIFEST = '/demo/models/games/manifest.json';
const VALID = [
  { id: 'valid-hero', slots: ['hero'], title: 'Valid hero', url: '/category/rpg', image: '/img/creative/rpg-week.svg' },
  { id: 'valid-side', slots: ['side'], title: 'Valid side', url: 'https://localhost/ok' },
];


/** JSON text of a creative, with hostile members spliced in where JSON.stringify cannot put them. */
function creativeJson(placement: Placement): string {
  const { field, payload, id, slot } = placement;
  const base = { id, slots: [slot], title: `Placement ${id}`, url: '/safe' };
  const value = field.endsWith('-json') ? '' : expand(payload);
  if (field === 'title') return JSON.stringify({ ...base, title: value });
  if (field === 'url') return JSON.stringify({ ...base, url: value });
  if (field === 'image') return JSON.stringify({ ...base, image: value });
  if (field === 'id') return JSON.stringify({ ...base, id: value });
  if (field === 'target') return JSON.stringify({ ...base, targets: { items: [value] } });
  if (field === 'creative-json') return `{${payload.value}, ${JSON.stringify(base).slice(1)}`;
  if (field === 'targets-json') return JSON.stringify({ ...base, targets: 0 }).replace('"targets":0', `"targets":{${payload.value}, "items":["__proto__"]}`);
  return JSON.stringify(base); // catalog-json: the payload goes into the catalog's root
}

/**
 * The whole hostile catalog as JSON text, plus where each payload went. `offOrigin`
 * false leaves out images on other hosts: a strict `img-src 'self'` refuses them (a
 * CSP report, rightly), which says nothing about XSS.
 */
function buildCatalog(offOrigin: boolean): { text: string; placements: Placement[] } {
  const placements: Placement[] = [];
  for (const payload of PAYLOADS) {
    for (const field of payload.fields) {
      if (!offOrigin && field === 'image' && payload.expect === 'absolute') continue;
      const n = placements.length;
      placements.push({ slot: `slot-${n}`, id: `p${n}`, field, payload });
    }
  }
  const root = PAYLOADS.filter((p) => p.fields.includes('catalog-json')).map((p) => `${p.value}, `).join('');
  const creatives = [...VALID.map((c) => JSON.stringify(c)), ...placements.map(creativeJson)];
  return { text: `{${root}"creatives": [${creatives.join(',\n')}]}`, placements };
}

/** Whether the SDK should show this placement's creative (everything else keeps its default). */
function shouldFill({ field, payload }: Placement): boolean {
  const value = field.endsWith('-json') ? '' : expand(payload);
  if (field === 'title') return value.length <= 300 && cleanTitle(value).trim() !== '';
  if (field === 'url' || field === 'image') return payload.expect !== 'refused' && value.length <= 2048;
  if (field === 'id' || field === 'target') return value.length <= 128;
  return true;
}

/** Records `__xss` calls and policy violations from the first script on. */
async function instrument(page: Page): Promise<{ policyMessages: string[] }> {
  await page.addInitScript(() => {
    globalThis.__xssCalls = [];
    globalThis.__violations = [];
    globalThis.__precisErrors = [];
    globalThis.__modelSettled = false;
    window.precis = window.precis ?? [];
    window.precis.push((api) => {
      api.on('error', (e) => {
        globalThis.__precisErrors.push({ code: e.code, index: e.details.index, reason: String(e.details.reason).slice(0, 120) });
        if (e.code.startsWith('model')) globalThis.__modelSettled = true;
      });
      api.on('model', () => {
        globalThis.__modelSettled = true;
      });
    });
    Object.defineProperty(globalThis, '__xss', { value: (name: unknown) => globalThis.__xssCalls.push(String(name)) });
    document.addEventListener('securitypolicyviolation', (e) => {
      globalThis.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  const policyMessages: string[] = [];
  page.on('console', (m) => {
    if (/Trusted Type|Content Security Policy/i.test(m.text())) policyMessages.push(m.text());
  });
  // Nothing leaves the test server: payload hosts such as evil.example are never asked.
  await page.route(/^https?:\/\/(?!localhost[:/])/, (route) => route.abort());
  return { policyMessages };
}

/** Serves the hostile catalog at CATALOG_URL. */
async function serveCatalog(page: Page, text: string): Promise<void> {
  await page.route(`**${CATALOG_URL}`, (route) => route.fulfill({ contentType: 'application/json', body: text }));
}

/** Lets images fail and any late handler run before the page is judged. */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
}

/** Scrolls to the end, so slots far below the fold are decided too, then settles. */
async function settleAll(page: Page): Promise<void> {
  await settle(page);
  await page.evaluate(async () => {
    for (let y = 0; y <= document.documentElement.scrollHeight; y += innerHeight) {
      window.scrollTo(0, y);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  await settle(page);
}

/** What every slot shows, and everything that could have gone wrong in it. */
async function inspectSlots(page: Page) {
  return page.evaluate(() => {
    const slots = [...document.querySelectorAll<HTMLElement>('[data-precis-slot]')];
    return {
      filled: Object.fromEntries(slots.map((s) => [s.getAttribute('data-precis-slot'), s.getAttribute('data-precis-creative')])),
      titles: Object.fromEntries(slots.map((s) => [s.getAttribute('data-precis-slot'), s.querySelector('.precis-creative__title')?.textContent ?? null])),
      urls: slots.flatMap((s) => [...s.querySelectorAll<HTMLAnchorElement | HTMLImageElement>('a[href], img[src]')])
        .map((el) => ('href' in el ? el.href : el.src)),
      tags: [...new Set(slots.flatMap((s) => [...s.querySelectorAll('*')].map((el) => el.localName)))].sort(),
      attributes: [...new Set(slots.flatMap((s) => [...s.querySelectorAll('*')].flatMap((el) => el.getAttributeNames())))].sort(),
      calls: globalThis.__xssCalls,
      errors: globalThis.__precisErrors,
      violations: globalThis.__violations,
      polluted: [({} as Record<string, unknown>).polluted, Object.getOwnPropertyNames(Object.prototype).filter((k) => /polluted|url|image/.test(k))],
    };
  });
}

/** The assertions every page variant shares. */
function expectSafe(result: Awaited<ReturnType<typeof inspectSlots>>, placements: Placement[], validSlots: string[]): void {
  // Only bad creatives are reported, each once; the catalog as a whole loads.
  expect(result.errors.filter((e) => e.code !== 'invalid-catalog' || typeof e.index !== 'number')).toEqual([]);
  const refused = placements.flatMap((p, i) => (shouldFill(p) ? [] : [VALID.length + i]));
  expect(result.errors.map((e) => e.index)).toEqual(refused);
  expect(result.calls).toEqual([]);
  expect(result.violations).toEqual([]);
  expect(result.polluted).toEqual([undefined, []]);
  expect(result.urls.length).toBeGreaterThan(placements.length / 2);
  for (const url of result.urls) expect(new URL(url).protocol, url).toMatch(/^https?:$/);
  expect(result.tags).toEqual(['a', 'img', 'span']);
  expect(result.attributes).toEqual(['alt', 'class', 'decoding', 'dir', 'href', 'src']);
  // The valid creatives still fill their slots.
  for (const slot of validSlots) expect(result.filled[slot]).toBe(`valid-${slot}`);
  for (const placement of placements) {
    const shown = result.filled[placement.slot];
    const label = `${placement.payload.name} as ${placement.field}`;
    if (!shouldFill(placement)) {
      expect(shown, label).toBeNull();
      continue;
    }
    expect(shown, label).not.toBeNull();
    if (placement.field === 'title') expect(result.titles[placement.slot], label).toBe(cleanTitle(expand(placement.payload)));
  }
}

test('the corpus is large and covers every attack class the issue lists', () => {
  const names = PAYLOADS.map((p) => p.name).join('\n');
  expect(PAYLOADS.length).toBeGreaterThanOrEqual(100);
  for (const pattern of [/onerror/, /onload/, /javascript/, /data/, /vbscript/, /svg/, /mxss/, /close script/, /srcdoc/,
    /__proto__/, /constructor/, /prototype key/, /MB/, /RLO/, /isolates/, /null/i, /leading (NUL|SOH)/]) {
    expect(names).toMatch(pattern);
  }
  const fields = new Set(PAYLOADS.flatMap((p) => p.fields));
  expect([...fields].sort()).toEqual(['catalog-json', 'creative-json', 'id', 'image', 'target', 'targets-json', 'title', 'url']);
});

test('no payload runs in a page without CSP, and valid creatives still fill their slots', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  const { policyMessages } = await instrument(page);
  const { text, placements } = buildCatalog(true);
  await serveCatalog(page, text);
  // No CSP at all: if any payload reached a sink that runs script, __xss would be called.
  const slots = placements.map((p) => `<div data-precis-slot="${p.slot}">Default</div>`).join('\n');
  await page.route('**/test/xss-page', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><html><head><meta charset="utf-8"><title>XSS</title>
<script src="/dist/precis.js" data-catalog="${CATALOG_URL}" data-auto-capture="false" data-catalog-timeout-ms="60000" async></script></head>
<body><div data-precis-slot="hero">Default hero</div><div data-precis-slot="side">Default side</div>
${slots}</body></html>`,
  }));
  await configure(page, { hideTimeoutMs: 60_000 });
  await page.goto('/test/xss-page');
  await attach(page);
  await settleAll(page);
  expectSafe(await inspectSlots(page), placements, ['hero', 'side']);
  expect(policyMessages).toEqual([]);
  expectNoUncaught(errors);
});

test('under Trusted Types and a strict CSP the slots fill from the hostile catalog with zero violations', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  const { policyMessages } = await instrument(page);
  const { text, placements } = buildCatalog(false);
  await serveCatalog(page, text);
  // The route's slot-N names match the placements'; it has a `hero` slot but no `side`.
  await configure(page, { hideTimeoutMs: 60_000 });
  await page.goto(`/test/trusted-types?catalog=${encodeURIComponent(CATALOG_URL)}&slots=${placements.length}`);
  await attach(page);
  await settleAll(page);
  expectSafe(await inspectSlots(page), placements, ['hero']);
  expect(policyMessages).toEqual([]);
  expectNoUncaught(errors);
});

test('the Trusted Types page without a model reports no violation at all', async ({ page }) => {
  const errors = watchErrors(page);
  const { policyMessages } = await instrument(page);
  await configure(page, { hideTimeoutMs: 60_000 });
  await page.goto('/test/trusted-types');
  await attach(page);
  await settle(page);
  const before = await page.evaluate(() => [...globalThis.__violations]);
  const result = await page.evaluate(async () => ({
    hero: document.querySelector('[data-precis-slot="hero"]')?.getAttribute('data-precis-creative'),
    enforced: (() => {
      try {
        document.createElement('div').innerHTML = '<b>x</b>';
        return false;
      } catch {
        return true; // Trusted Types refused a plain string: the page really enforces them.
      }
    })(),
    model: (await api.status()).model,
  }));
  await settle(page);
  const after = await page.evaluate(() => globalThis.__violations);
  expect(result.enforced).toBe(true);
  expect(result.hero).toBe('house');
  expect(result.model).toBeNull();
  // Precis itself caused none; the probe's is seen, so the listener works.
  expect(before).toEqual([]);
  expect(after).toEqual([expect.stringMatching(/^require-trusted-types-for/)]);
  expect(policyMessages.filter((m) => !/TrustedHTML/.test(m))).toEqual([]);
  expectNoUncaught(errors);
});

/** Bundles one source module as an IIFE the test pages load from the test server's origin. */
function bundle(entry: string, globalName: string): string {
  const result = buildSync({ entryPoints: [entry], bundle: true, format: 'iife', globalName, write: false, target: 'es2020' });
  return result.outputFiles[0]!.text;
}

test('createCreativeElement alone, fed every payload directly, never makes a live sink', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  const { policyMessages } = await instrument(page);
  const script = bundle('src/render/creative-element.ts', 'PrecisRender');
  await page.route('**/test/xss-render.js', (route) => route.fulfill({ contentType: 'text/javascript', body: script }));
  await page.route('**/test/xss-render', (route) => route.fulfill({
    contentType: 'text/html',
    body: '<!doctype html><html><head><meta charset="utf-8"><script src="/test/xss-render.js"></script></head><body><main></main></body></html>',
  }));
  await page.goto('/test/xss-render');
  // Bypasses parseCatalog: the render-time checks alone must hold (defence in depth).
  const values = PAYLOADS.filter((p) => !p.fields.some((f) => f.endsWith('-json'))).map(expand);
  const result = await page.evaluate((list) => {
    const render = (globalThis as unknown as { PrecisRender: typeof import('../../src/render/creative-element') }).PrecisRender;
    const main = document.querySelector('main')!;
    const allowed: boolean[] = [];
    list.forEach((value, i) => {
      const creative = { id: `c${i}`, slots: ['s'], title: value, url: value, image: value, targets: { items: [], categories: [], segments: [] }, weight: 1 };
      main.append(render.createCreativeElement(document, creative));
      const strict = render.createCreativeElement(document, creative, ['localhost']);
      allowed.push(strict.localName === 'a');
    });
    return {
      urls: [...main.querySelectorAll<HTMLAnchorElement | HTMLImageElement>('a[href], img[src]')].map((el) => ('href' in el ? el.href : el.src)),
      tags: [...new Set([...main.querySelectorAll('*')].map((el) => el.localName))].sort(),
      longest: Math.max(...[...main.querySelectorAll('span')].map((s) => s.textContent!.length)),
      allowed,
    };
  }, values);
  await settle(page);
  expect(await page.evaluate(() => [globalThis.__xssCalls, globalThis.__violations])).toEqual([[], []]);
  for (const url of result.urls) expect(new URL(url).protocol, url).toMatch(/^https?:$/);
  expect(result.tags).toEqual(['a', 'div', 'img', 'span']);
  expect(result.longest).toBeLessThanOrEqual(300);
  // With an allowlist, only relative URLs (and none of the payloads' other hosts) survive.
  const relative = PAYLOADS.filter((p) => !p.fields.some((f) => f.endsWith('-json'))).map((p) => p.expect === 'relative' || p.expect === undefined);
  expect(result.allowed.filter((ok, i) => ok && !relative[i])).toEqual([]);
  expect(policyMessages).toEqual([]);
  expectNoUncaught(errors);
});

/**
 * Loads the Trusted Types route with the trusted-types helper bundled in, through a
 * parser-inserted script tag (not a TrustedScriptURL sink), keeping the route's CSP.
 */
async function openWithHelper(page: Page): Promise<void> {
  const script = bundle('src/core/trusted-types.ts', 'PrecisTrustedTypes');
  await page.route('**/test/tt-helper.js', (route) => route.fulfill({ contentType: 'text/javascript', body: script }));
  await page.route('**/test/trusted-types', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('<head>', '<head><script src="/test/tt-helper.js"></script>');
    await route.fulfill({ response, body });
  });
  await page.goto('/test/trusted-types');
}

test('toTrustedScriptUrl lets the ML worker start under Trusted Types, and nothing else', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  const { policyMessages } = await instrument(page);
  await openWithHelper(page);
  const result = await page.evaluate(async (manifestUrl) => {
    const helper = (globalThis as unknown as { PrecisTrustedTypes: typeof import('../../src/core/trusted-types') }).PrecisTrustedTypes;
    const trusted = helper.toTrustedScriptUrl('/dist/precis-ml.js');
    const worker = new Worker(trusted as string, { type: 'module' });
    // What model-client.ts does, with the trusted URL: load the model in the worker.
    const reply = await new Promise<unknown>((resolve) => {
      worker.addEventListener('message', ({ data }) => resolve(data));
      worker.addEventListener('error', () => resolve('worker error'));
      const options = { manifestUrl, backend: 'cpu', timeoutMs: 30_000, maxAgeMs: 0, wasmPaths: '/dist/' };
      worker.postMessage({ id: 1, type: 'init', options });
      setTimeout(() => resolve('timeout'), 50_000);
    });
    worker.terminate();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = globalThis.__violations.length;
    const refused = ['/dist/precis.js', 'https://evil.example/precis-ml.js', 'data:text/javascript,1//precis-ml.js'].map((url) => {
      try {
        helper.toTrustedScriptUrl(url);
        return 'accepted';
      } catch (error) {
        return (error as { code?: string }).code ?? 'other';
      }
    });
    let plain = 'accepted';
    try {
      new Worker('/dist/precis-ml.js', { type: 'module' }).terminate();
    } catch {
      plain = 'refused';
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { isTrusted: trusted.constructor.name, reply, refused, plain, before, after: globalThis.__violations };
  }, MANIFEST);
  expect(result.isTrusted).toBe('TrustedScriptURL');
  expect(result.reply).toMatchObject({ id: 1, ok: true, result: { backend: 'cpu' } });
  expect(result.plain).toBe('refused');
  expect(result.before).toBe(0);
  expect(result.refused).toEqual(['model-fetch', 'model-fetch', 'model-fetch']);
  // A plain string at the same sink is what the helper exists to avoid.
  expect(result.after).toEqual([expect.stringMatching(/^require-trusted-types-for/)]);
  expect(policyMessages.filter((m) => !/TrustedScriptURL/.test(m))).toEqual([]);
  expectNoUncaught(errors);
});

/** Loads the Trusted Types route with a model and reads the SDK's status once ready. */
async function openWithModel(page: Page, query: string) {
  await page.goto(`/test/trusted-types?model=${encodeURIComponent(MANIFEST)}&backend=cpu&${query}`);
  await attach(page);
  // `ready` does not wait for the model: wait for its `model` event or its failure.
  await page.waitForFunction(() => globalThis.__modelSettled, undefined, { timeout: 60_000 });
  const status = await page.evaluate(() => api.status());
  await settle(page);
  return { status, violations: await page.evaluate(() => globalThis.__violations) };
}

test('with a model on the main thread (import(), not a Trusted Types sink), zero violations', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  const { policyMessages } = await instrument(page);
  const { status, violations } = await openWithModel(page, 'worker=false');
  expect(status.model).toMatchObject({ backend: 'cpu', thread: 'main' });
  expect(violations).toEqual([]);
  expect(policyMessages).toEqual([]);
  expectNoUncaught(errors);
});

test('with a model in a worker, zero violations', async ({ page }) => {
  // Known gap: model-client.ts passes a plain string to `new Worker(url)`, which Trusted
  // Types refuse (one violation; the ranker then decides alone). Remove this line once
  // it passes `toTrustedScriptUrl(mlUrl)` from src/core/trusted-types.ts.
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  const { policyMessages } = await instrument(page);
  const { status, violations } = await openWithModel(page, 'worker=true');
  expectNoUncaught(errors); // holds today: the refusal becomes a model-fetch error event
  expect(violations).toEqual([]);
  expect(policyMessages).toEqual([]);
  expect(status.model).toMatchObject({ backend: 'cpu', thread: 'worker' });
});
