import { createHash } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { attach, configure, expectNoUncaught, slotCreatives, watchErrors } from './helpers';

// The model train/ ships, as the demo serves it.
export const MODEL_DIR = '/demo/models/games';
const MANIFEST = `${MODEL_DIR}/manifest.json`;
const CATALOG = {
  creatives: [
    { id: 'house', slots: ['hero', 'side'], title: 'House ad', weight: 1.5 },
    { id: 'pick-a', slots: ['hero', 'side'], title: 'Pick A', targets: { items: ['22120'] } },
    { id: 'pick-b', slots: ['hero', 'side'], title: 'Pick B', targets: { items: ['11833'] } },
  ],
};
const PAGE = '/test/browser/pages/slots.html';
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

/** Collects Precis `error` codes from the first moment (a queued listener). */
async function collectErrorCodes(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { codes: string[]; precis: unknown[] };
    w.codes = [];
    w.precis = [(api: { on(t: 'error', f: (e: { code: string }) => void): void }) => api.on('error', (e) => w.codes.push(e.code))];
  });
}
/** Waits until the model is ready or has failed: `recommend()` waits for that itself. */
const modelSettled = async (page: Page): Promise<void> => void (await page.evaluate(() => api.recommend({ k: 1 })));
const errorCodes = (page: Page) => page.evaluate(() => (window as unknown as { codes: string[] }).codes);

for (const backend of BACKENDS) {
  test.describe(`on ${backend}`, () => {
    test('the model runs in a worker and recommends items the visitor has not seen', async ({ page }) => {
      const errors = watchErrors(page);
      await collectErrorCodes(page);
      await configure(page, { autoCapture: false, catalog: CATALOG, model: MANIFEST, backend, hideTimeoutMs: 60_000 });
      await page.goto(PAGE);
      await attach(page);
      await modelSettled(page);
      const result = await page.evaluate(async () => {
        api.track({ type: 'view', item: '22120' });
        api.track({ type: 'add_to_cart', item: '11833' });
        return { rec: await api.recommend({ k: 10 }), status: await api.status() };
      });
      expect(result.rec.backend).toBe(backend);
      expect(result.rec.items).toHaveLength(10);
      expect(result.rec.items.map((i) => i.item)).not.toContain('22120');
      expect(result.rec.items.map((i) => i.item)).not.toContain('11833');
      const scores = result.rec.items.map((i) => i.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(result.status.model).toMatchObject({ backend, thread: 'worker', backendChoice: { how: 'forced', msPerRun: {}, failed: {} } });
      expect(await errorCodes(page)).toEqual([]);
      expectNoUncaught(errors);
    });

    test('1,000 decisions leave the number of tensors flat', async ({ page }) => {
      test.setTimeout(600_000); // SwiftShader's WebGPU takes ~0.2 s a decision here
      await configure(page, { autoCapture: false, catalog: CATALOG, model: MANIFEST, backend, hideTimeoutMs: 60_000 });
      await page.goto(PAGE);
      await attach(page);
      await modelSettled(page);
      const counts = await page.evaluate(async () => {
        api.track({ type: 'view', item: '22120' });
        await api.decide(); // warm
        // Let the background work settle (the slots' impressions, the decisions made ahead
        // for the next page), so no inference is in flight when tensors are counted.
        const quiet = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1500));
        await quiet();
        const before = (await api.status()).model!.numTensors;
        for (let i = 0; i < 1000; i += 1) await api.decide();
        await quiet();
        return { before, after: (await api.status()).model!.numTensors };
      });
      expect(counts.before).toBeGreaterThan(0);
      expect(counts.after).toBe(counts.before);
    });
  });
}

test.describe('bad model files: the ranker decides, one error, nothing thrown', () => {
  const cases: Array<{ name: string; file: string; code: string; fulfill: (body: Buffer) => { status?: number; body: Buffer | string; contentType?: string } }> = [
    { name: 'a tampered weight shard', file: 'group1-shard1of1.bin', code: 'model-integrity', fulfill: (b) => ({ body: Buffer.from(b.map((x, i) => (i === 100 ? x ^ 1 : x))) }) },
    { name: 'a truncated weight shard', file: 'group1-shard1of1.bin', code: 'model-integrity', fulfill: (b) => ({ body: b.subarray(0, b.length >> 1) }) },
    { name: 'HTML instead of weights', file: 'group1-shard1of1.bin', code: 'model-integrity', fulfill: () => ({ body: '<!doctype html><p>Not found</p>', contentType: 'text/html' }) },
    { name: 'a 404 for items.json', file: 'items.json', code: 'model-fetch', fulfill: () => ({ status: 404, body: 'Not found' }) },
    { name: 'a 503 for model.json', file: 'model.json', code: 'model-fetch', fulfill: () => ({ status: 503, body: 'busy' }) },
    { name: 'a manifest that is not JSON', file: 'manifest.json', code: 'model-manifest', fulfill: () => ({ body: '<html>' }) },
  ];
  for (const { name, file, code, fulfill } of cases) {
    test(name, async ({ page, context }) => {
      const errors = watchErrors(page);
      await collectErrorCodes(page);
      await context.route(`**${MODEL_DIR}/${file}`, async (route) => {
        const response = await route.fetch();
        const { status = 200, body, contentType } = fulfill(await response.body());
        await route.fulfill({ status, body, contentType: contentType ?? 'application/octet-stream' });
      });
      await configure(page, { autoCapture: false, catalog: CATALOG, model: MANIFEST, backend: 'cpu', hideTimeoutMs: 60_000 });
      await page.goto(PAGE);
      await attach(page);
      await modelSettled(page);
      await page.evaluate(() => api.track({ type: 'view', item: '11833' }));
      expect(await page.evaluate(() => api.refresh().then((d) => d.map((x) => x.creative?.id)))).toEqual(['pick-b', 'house']);
      expect(await slotCreatives(page)).toEqual({ hero: 'pick-b', side: 'house' });
      expect(await errorCodes(page)).toEqual([code]);
      expect((await page.evaluate(() => api.recommend())).backend).toBeNull();
      expectNoUncaught(errors);
    });
  }

  test('a model server that never answers times out', async ({ page, context }) => {
    await collectErrorCodes(page);
    await context.route(`**${MODEL_DIR}/model.json`, () => {}); // never answered
    await configure(page, { autoCapture: false, catalog: CATALOG, model: MANIFEST, backend: 'cpu', modelTimeoutMs: 500, hideTimeoutMs: 60_000 });
    await page.goto(PAGE);
    await attach(page);
    await modelSettled(page);
    expect(await errorCodes(page)).toEqual(['model-fetch']);
    expect(await slotCreatives(page)).toEqual({ hero: 'house', side: 'pick-a' });
  });
});

test('a repeat visit makes no model network request', async ({ page, context }) => {
  const modelRequests: string[] = [];
  context.on('request', (request) => {
    if (request.url().includes(MODEL_DIR)) modelRequests.push(new URL(request.url()).pathname);
  });
  await configure(page, { autoCapture: false, catalog: CATALOG, model: MANIFEST, backend: 'wasm', hideTimeoutMs: 60_000 });
  await page.goto(PAGE);
  await attach(page);
  await modelSettled(page);
  expect((await page.evaluate(() => api.status())).model).toMatchObject({ fromCache: false });
  expect(modelRequests.length).toBeGreaterThanOrEqual(4);
  modelRequests.length = 0;
  await page.reload();
  await attach(page);
  await modelSettled(page);
  expect((await page.evaluate(() => api.status())).model).toMatchObject({ fromCache: true, backend: 'wasm' });
  expect(modelRequests).toEqual([]);
});

test('after the cache age only the manifest is fetched again when the version is unchanged', async ({ page, context }) => {
  const modelRequests: string[] = [];
  context.on('request', (request) => {
    if (request.url().includes(MODEL_DIR)) modelRequests.push(new URL(request.url()).pathname.split('/').pop()!);
  });
  await configure(page, { autoCapture: false, model: MANIFEST, backend: 'cpu', hideTimeoutMs: 60_000, modelMaxAgeMs: 1 });
  await page.goto(PAGE);
  await attach(page);
  await modelSettled(page);
  modelRequests.length = 0;
  await page.reload();
  await attach(page);
  await modelSettled(page);
  expect(modelRequests).toEqual(['manifest.json']);
});

/** What `auto` measured: the backend kept, how, and the times. */
const choiceAfterLoad = async (page: Page) => {
  await attach(page);
  await modelSettled(page);
  const model = (await page.evaluate(() => api.status())).model!;
  return { backend: model.backend, thread: model.thread, ...model.backendChoice };
};
const fastestOf = (msPerRun: Partial<Record<string, number>>) => Object.entries(msPerRun).sort((a, b) => a[1]! - b[1]!)[0]![0];

test('auto times the model on all four backends here and keeps the fastest; the next load reuses that choice', async ({ page }) => {
  await configure(page, { autoCapture: false, model: MANIFEST, hideTimeoutMs: 60_000 });
  await page.goto(PAGE);
  const first = await choiceAfterLoad(page);
  expect(first).toMatchObject({ how: 'measured', thread: 'worker', failed: {} });
  expect(Object.keys(first.msPerRun).sort()).toEqual(['cpu', 'wasm', 'webgl', 'webgpu']);
  expect(Object.values(first.msPerRun).every((ms) => ms! > 0)).toBe(true);
  expect(first.backend).toBe(fastestOf(first.msPerRun));

  await page.reload();
  const second = await choiceAfterLoad(page);
  expect(second).toEqual({ ...first, how: 'cached' });
});

test('auto measures again for a new model version', async ({ page, context }) => {
  await configure(page, { autoCapture: false, model: MANIFEST, hideTimeoutMs: 60_000, modelMaxAgeMs: 1 });
  await page.goto(PAGE);
  expect((await choiceAfterLoad(page)).how).toBe('measured');
  await page.reload();
  expect((await choiceAfterLoad(page)).how).toBe('cached');

  const manifest = JSON.parse(await (await page.request.get(MANIFEST)).text()) as { version: string };
  manifest.version = '2.0.0';
  await context.route(`**${MANIFEST}`, (route) => route.fulfill({ body: JSON.stringify(manifest), contentType: 'application/json' }));
  await page.reload();
  const after = await choiceAfterLoad(page);
  expect(after.how).toBe('measured');
  expect(after.backend).toBe(fastestOf(after.msPerRun));
  expect((await page.evaluate(() => api.status())).model?.version).toBe('2.0.0');
});

test('without workers the model runs on the main thread', async ({ page }) => {
  await configure(page, { autoCapture: false, catalog: CATALOG, model: MANIFEST, backend: 'cpu', worker: false, hideTimeoutMs: 60_000 });
  await page.goto(PAGE);
  await attach(page);
  await modelSettled(page);
  const status = await page.evaluate(() => api.status());
  expect(status.model).toMatchObject({ backend: 'cpu', thread: 'main' });
});

for (const backend of ['webgpu', 'webgl', 'cpu'] as const) {
  test(`a strict-CSP page (no eval, no inline script) runs the model on ${backend}`, async ({ page }) => {
    const errors = watchErrors(page);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`/test/strict-csp?backend=${backend}&model=${encodeURIComponent(MANIFEST)}`);
    await attach(page);
    await modelSettled(page);
    const status = await page.evaluate(() => api.status());
    expect(status.model).toMatchObject({ backend, thread: 'worker' });
    expect(violations).toEqual([]);
    expectNoUncaught(errors);
  });
}

test('on the main thread of a strict-CSP page the CPU backend still runs', async ({ page }) => {
  await page.goto(`/test/strict-csp?backend=cpu&worker=false&model=${encodeURIComponent(MANIFEST)}`);
  await attach(page);
  await modelSettled(page);
  expect((await page.evaluate(() => api.status())).model).toMatchObject({ backend: 'cpu', thread: 'main' });
});

test('WASM needs wasm-unsafe-eval in the page’s CSP; without it the model falls back to another backend, and says so', async ({ page }) => {
  await collectErrorCodes(page);
  await page.goto(`/test/strict-csp?backend=wasm&worker=false&model=${encodeURIComponent(MANIFEST)}`);
  await attach(page);
  await modelSettled(page);
  const without = (await page.evaluate(() => api.status())).model;
  expect(without?.backend).toBeTruthy();
  expect(without?.backend).not.toBe('wasm');
  expect(await errorCodes(page)).toEqual(['model-backend']);
  await page.goto(`/test/strict-csp?backend=wasm&worker=false&wasm&model=${encodeURIComponent(MANIFEST)}`);
  await attach(page);
  await modelSettled(page);
  expect((await page.evaluate(() => api.status())).model?.backend).toBe('wasm');
  expect(await errorCodes(page)).toEqual([]);
});

for (const backend of ['webgl', 'webgpu'] as const) {
  test(`${backend}: context or device lost mid-session, the next decision succeeds with the same answer`, async ({ page }) => {
    const errors = watchErrors(page);
    await page.goto('/test/browser/pages/empty.html');
    const result = await page.evaluate(async ({ manifestUrl, backend: name }) => {
      const mlUrl = '/dist/precis-ml.js';
      const ml = (await import(mlUrl)) as typeof import('../../src/model/ml-chunk');
      const engine = await ml.createEngine({ manifestUrl, backend: name, timeoutMs: 30_000, maxAgeMs: 0, wasmPaths: '/dist/' });
      const history = ['22120', '11833', '20325'];
      const source = (history: string[]) => ({ history, categories: {}, counters: { historyLength: history.length, sessionEvents: 0, sessions: 1, daysSinceLastVisit: 0, views7d: 0, carts7d: 0, purchases: 0 } });
      const top = (scores: Float32Array) => [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, 10);
      const before = top(await engine.score(source(history)));
      const lost = engine.loseContext();
      const after = top(await engine.score(source(history)));
      return { lost, before, after, backend: engine.info.backend };
    }, { manifestUrl: MANIFEST, backend });
    expect(result.lost).toBe(true);
    expect(result.after).toEqual(result.before);
    expect(result.backend).toBe(backend); // a fresh context or device, on the same backend
    expectNoUncaught(errors);
  });
}

test('a new model version replaces the old one: only changed files are fetched, old ones leave the cache', async ({ page, context }) => {
  await configure(page, { autoCapture: false, model: MANIFEST, backend: 'cpu', hideTimeoutMs: 60_000, modelMaxAgeMs: 1 });
  await page.goto(PAGE);
  await attach(page);
  await modelSettled(page);
  const cachedKeys = () => page.evaluate(async () => (await (await caches.open('precis-models')).keys()).map((r) => r.url));
  const itemsKeyV1 = (await cachedKeys()).find((url) => url.includes('items.json'))!;

  // Version 2 changes only items.json (same ids, other bytes, so another sha256).
  const original = await (await page.request.get(`${MODEL_DIR}/items.json`)).text();
  const itemsV2 = `${original}\n`;
  const manifest = JSON.parse(await (await page.request.get(MANIFEST)).text()) as { version: string; files: Record<string, string> };
  manifest.version = '2.0.0';
  manifest.files['items.json'] = createHash('sha256').update(itemsV2).digest('hex');
  await context.route(`**${MANIFEST}`, (route) => route.fulfill({ body: JSON.stringify(manifest), contentType: 'application/json' }));
  await context.route(`**${MODEL_DIR}/items.json`, (route) => route.fulfill({ body: itemsV2, contentType: 'application/json' }));
  const fetched: string[] = [];
  context.on('request', (request) => {
    if (request.url().includes(MODEL_DIR)) fetched.push(new URL(request.url()).pathname.split('/').pop()!);
  });

  await page.reload();
  await attach(page);
  await modelSettled(page);
  expect((await page.evaluate(() => api.status())).model).toMatchObject({ version: '2.0.0', backend: 'cpu' });
  expect(fetched.sort()).toEqual(['items.json', 'manifest.json']);
  const keys = await cachedKeys();
  expect(keys).not.toContain(itemsKeyV1);
  expect(keys.filter((url) => url.includes('items.json'))).toHaveLength(1);
});
