import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { expect, test, type Page } from '@playwright/test';
import type { FeatureSource } from '../../src/features';
import { attach, configure, expectNoUncaught, slotCreatives, watchErrors } from './helpers';

// Models made by others (test/fixtures/models, see its README) run through the lazy model
// chunk on every backend, and give what plain TensorFlow.js gives in Node.
const FIXTURES = '/test/fixtures/models';
const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
/** The issue's bar. */
const TOLERANCE = 1e-4;

const counters = (sessionEvents = 0): FeatureSource['counters'] => ({
  historyLength: 0, sessionEvents, sessions: 1, daysSinceLastVisit: 0, views7d: 0, carts7d: 0, purchases: 0,
});
const source = (history: string[], sessionEvents = 0): FeatureSource => ({ history, categories: {}, counters: counters(sessionEvents) });

/** The GRU's input in its authors' test (tfjs e2e load_predict_test.ts) and the output they expect. */
const GRU_IDS = [86, 11, 62, 40, 36, 75, 82, 94, 67, 75];
const GRU_EXPECTED = [-0.003578941337764263, 0.0028922036290168762, -0.002957976423203945, 0.00955402385443449];

interface Fixture {
  dir: string;
  /** Visitors, and the model inputs they encode to (for the Node reference). */
  cases: Array<{ source: FeatureSource; feed: Record<string, { values: number[]; shape: number[]; dtype: 'int32' | 'float32' }> }>;
}

const FIXTURE_CASES: Fixture[] = [
  {
    dir: 'prefetch-graph',
    cases: [
      { source: source([], 0), feed: { cur_page: { values: [0], shape: [1], dtype: 'int32' }, session_index: { values: [0], shape: [1], dtype: 'int32' } } },
      { source: source(['page-3'], 2), feed: { cur_page: { values: [3], shape: [1], dtype: 'int32' }, session_index: { values: [2], shape: [1], dtype: 'int32' } } },
      { source: source(['page-100', 'unknown', 'page-57'], 9), feed: { cur_page: { values: [57], shape: [1], dtype: 'int32' }, session_index: { values: [9], shape: [1], dtype: 'int32' } } },
    ],
  },
  {
    dir: 'gru-layers',
    cases: [
      { source: source(GRU_IDS.map((id) => `item-${id}`)), feed: { x: { values: GRU_IDS, shape: [1, 10], dtype: 'float32' } } },
      { source: source(['item-5', 'nope', 'item-7']), feed: { x: { values: [0, 0, 0, 0, 0, 0, 0, 0, 5, 7], shape: [1, 10], dtype: 'float32' } } },
    ],
  },
];

/** The fixture's model in plain TensorFlow.js (Node, cpu backend), from the same files. */
async function nodeReference(dir: string, feeds: Fixture['cases'][number]['feed'][]): Promise<number[][]> {
  await tf.setBackend('cpu');
  const path = new URL(`../fixtures/models/${dir}/`, import.meta.url);
  const json = JSON.parse(readFileSync(new URL('model.json', path), 'utf8')) as tf.io.ModelJSON;
  const handler: tf.io.IOHandler = {
    load: () => tf.io.getModelArtifactsForJSON(json, async (manifest) => [
      manifest.flatMap((g) => g.weights),
      manifest.flatMap((g) => g.paths.map((p) => new Uint8Array(readFileSync(new URL(p, path))).buffer)),
    ]),
  };
  const rows: number[][] = [];
  if (json.format === 'graph-model') {
    const model = await tf.loadGraphModel(handler);
    for (const feed of feeds) {
      const inputs = Object.fromEntries(Object.entries(feed).map(([name, f]) => [name, tf.tensor(f.values, f.shape, f.dtype)]));
      rows.push([...((await (model.execute(inputs, 'Identity:0') as tf.Tensor).data()) as Float32Array)]);
    }
  } else {
    const model = await tf.loadLayersModel(handler);
    for (const feed of feeds) {
      const x = Object.values(feed)[0]!;
      rows.push([...((await (model.predict(tf.tensor(x.values, x.shape, x.dtype)) as tf.Tensor).data()) as Float32Array)]);
    }
  }
  return rows;
}

/** Creates an engine in the page (main thread, `import()` of the ML chunk) and scores the sources. */
function scoreInPage(page: Page, manifestUrl: string, backend: string, sources: FeatureSource[]) {
  return page.evaluate(async ({ manifestUrl, backend, sources }) => {
    const mlUrl = '/dist/precis-ml.js';
    const ml = (await import(mlUrl)) as typeof import('../../src/model/ml-chunk');
    const engine = await ml.createEngine({ manifestUrl, backend: backend as 'cpu', timeoutMs: 60_000, maxAgeMs: 0, wasmPaths: '/dist/' });
    const rows: number[][] = [];
    for (const s of sources) rows.push([...(await engine.score(s))]);
    const tensorsBefore = engine.numTensors();
    for (let i = 0; i < 10; i += 1) for (const s of sources) await engine.score(s);
    const tensors = { before: tensorsBefore, after: engine.numTensors() };
    const chunks = performance.getEntriesByType('resource').map((e) => e.name.split('/').pop()!).filter((n) => n.startsWith('precis-ml-'));
    engine.dispose();
    return { info: engine.info, rows, chunks, tensors };
  }, { manifestUrl, backend, sources });
}

for (const { dir, cases } of FIXTURE_CASES) {
  for (const backend of BACKENDS) {
    test(`${dir} on ${backend}: the outputs of plain TensorFlow.js in Node, within ${TOLERANCE}`, async ({ page }) => {
      test.setTimeout(180_000);
      const errors = watchErrors(page);
      await page.goto('/test/browser/pages/empty.html');
      const expected = await nodeReference(dir, cases.map((c) => c.feed));
      const result = await scoreInPage(page, `${FIXTURES}/${dir}/manifest.json`, backend, cases.map((c) => c.source));
      expect(result.info).toMatchObject({ backend, job: 'item-scores' });
      expect(result.info.labels).toHaveLength(expected[0]!.length);
      result.rows.forEach((row, i) => {
        expect(row).toHaveLength(expected[i]!.length);
        row.forEach((value, k) => expect(Math.abs(value - expected[i]![k]!), `case ${i} column ${k}`).toBeLessThan(TOLERANCE));
      });
      if (dir === 'gru-layers') result.rows[0]!.forEach((value, k) => expect(Math.abs(value - GRU_EXPECTED[k]!)).toBeLessThan(TOLERANCE));
      expect(result.tensors.after).toBe(result.tensors.before); // no tensor leaks
      // Only the chosen backend's kernels are fetched.
      expect(result.chunks.sort()).toEqual([`precis-ml-all-kernels-${backend}.js`, 'precis-ml-tfjs-models.js']);
      expectNoUncaught(errors);
    });
  }
}

test('the shipped Games model loads through its v1 manifest and its v2 manifest, on the built-in path', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/test/browser/pages/empty.html');
  const history = source(['22120', '11833', '20325']);
  const v1 = await scoreInPage(page, '/demo/models/games/manifest-v1.json', 'cpu', [history]);
  const v2 = await scoreInPage(page, '/demo/models/games/manifest.json', 'cpu', [history]);
  for (const result of [v1, v2]) {
    expect(result.info).toMatchObject({ backend: 'cpu', job: 'item-scores', name: 'precis-games-sasrec' });
    expect(result.info.labels).toHaveLength(23716);
    expect(result.chunks).toEqual([]); // neither the model chunk nor a full kernel set
  }
  expect(v2.rows[0]).toEqual(v1.rows[0]);
  const top = [...v1.rows[0]!.keys()].slice(1).sort((a, b) => v1.rows[0]![b]! - v1.rows[0]![a]!)[0]!;
  expect(v1.rows[0]![top]).toBeGreaterThan(v1.rows[0]![0]!);
});

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const manifestOf = (dir: string): Manifest => JSON.parse(readFileSync(new URL(`../fixtures/models/${dir}/manifest.json`, import.meta.url), 'utf8'));

const BAD_MANIFESTS: Array<{ name: string; dir: string; edit(m: Manifest): void; reason: RegExp }> = [
  { name: 'an unknown feature', dir: 'gru-layers', edit: (m) => { m.inputs[0].feature = 'favouriteColour'; }, reason: /not a known feature/ },
  { name: 'a wrong dtype', dir: 'gru-layers', edit: (m) => { m.inputs[0].dtype = 'int32'; }, reason: /dtype int32, the model takes float32/ },
  { name: 'a wrong shape', dir: 'gru-layers', edit: (m) => { m.inputs[0].shape = [null, 12]; }, reason: /shape \[null,12\], the model takes \[null,10\]/ },
  { name: 'a wrong rank', dir: 'prefetch-graph', edit: (m) => { m.inputs[1].shape = [null, 1]; }, reason: /rank 1/ },
  {
    name: 'an input the model does not have',
    dir: 'prefetch-graph',
    edit: (m) => { m.inputs[1].name = 'session:0'; },
    reason: /the model has no input session:0.*does not fill the model's input session_index/,
  },
  {
    name: 'an output of the wrong size',
    dir: 'prefetch-graph',
    edit: (m) => { m.output = { kind: 'propensity', name: 'Identity:0', size: 100 }; },
    reason: /the model gives 101 columns, output.size says 100/,
  },
  {
    name: 'creative scores of the wrong size',
    dir: 'gru-layers',
    edit: (m) => { m.output = { kind: 'creative-scores', size: 5, creatives: ['a', 'b', 'c', 'd', 'e'] }; },
    reason: /the model gives 4 columns, output.size says 5/,
  },
];

/** Serves `edit`ed copies of a fixture's manifest at …/bad-manifest.json, beside its files. */
async function serveBadManifest(page: Page, dir: string, edit: (m: Manifest) => void): Promise<string> {
  const manifest = manifestOf(dir);
  edit(manifest);
  const url = `${FIXTURES}/${dir}/bad-manifest.json`;
  await page.context().route(`**${url}`, (route) => route.fulfill({ body: JSON.stringify(manifest), contentType: 'application/json' }));
  return url;
}

for (const { name, dir, edit, reason } of BAD_MANIFESTS) {
  test(`${name} in the manifest is a model-manifest error from createEngine`, async ({ page }) => {
    const url = await serveBadManifest(page, dir, edit);
    await page.goto('/test/browser/pages/empty.html');
    const error = await page.evaluate(async (manifestUrl) => {
      const mlUrl = '/dist/precis-ml.js';
      const ml = (await import(mlUrl)) as typeof import('../../src/model/ml-chunk');
      try {
        await ml.createEngine({ manifestUrl, backend: 'cpu', timeoutMs: 60_000, maxAgeMs: 0, wasmPaths: '/dist/' });
        return null;
      } catch (e) {
        const { code, details } = e as { code: string; details: { reason?: string } };
        return { code, reason: details.reason ?? '' };
      }
    }, url);
    expect(error?.code).toBe('model-manifest');
    expect(error?.reason).toMatch(reason);
  });
}

test('a weight file the manifest does not list never becomes weights: model-integrity', async ({ page }) => {
  const url = await serveBadManifest(page, 'gru-layers', (m) => { delete m.files['weights.bin']; });
  await page.goto('/test/browser/pages/empty.html');
  const error = await page.evaluate(async (manifestUrl) => {
    const mlUrl = '/dist/precis-ml.js';
    const ml = (await import(mlUrl)) as typeof import('../../src/model/ml-chunk');
    return ml.createEngine({ manifestUrl, backend: 'cpu', timeoutMs: 60_000, maxAgeMs: 0, wasmPaths: '/dist/' }).then(
      () => null,
      (e: { code: string; details: { reason?: string } }) => ({ code: e.code, reason: e.details.reason ?? '' }),
    );
  }, url);
  expect(error).toEqual({ code: 'model-integrity', reason: 'weight file weights.bin is not in the manifest' });
});

test('through the public client a bad manifest is one model-manifest error, and the ranker fills the slots', async ({ page }) => {
  const errors = watchErrors(page);
  const url = await serveBadManifest(page, 'gru-layers', (m) => { m.inputs[0].dtype = 'int32'; });
  await page.addInitScript(() => {
    const w = window as unknown as { codes: string[]; precis: unknown[] };
    w.codes = [];
    w.precis = [(api: { on(t: 'error', f: (e: { code: string }) => void): void }) => api.on('error', (e) => w.codes.push(e.code))];
  });
  const catalog = {
    creatives: [
      { id: 'house', slots: ['hero', 'side'], title: 'House ad', weight: 1.5 },
      { id: 'pick-a', slots: ['hero', 'side'], title: 'Pick A', targets: { items: ['item-3'] } },
    ],
  };
  await configure(page, { autoCapture: false, catalog, model: url, backend: 'cpu', hideTimeoutMs: 60_000 });
  await page.goto('/test/browser/pages/slots.html');
  await attach(page);
  await page.evaluate(() => api.recommend({ k: 1 })); // waits until the model is ready or has failed
  expect(await page.evaluate(() => (window as unknown as { codes: string[] }).codes)).toEqual(['model-manifest']);
  expect((await page.evaluate(() => api.recommend())).backend).toBeNull();
  expect(await slotCreatives(page)).toEqual({ hero: 'house', side: 'pick-a' });
  expectNoUncaught(errors);
});

test('through the public client, in the worker, a graph model recommends pages', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await configure(page, { autoCapture: false, model: `${FIXTURES}/prefetch-graph/manifest.json`, backend: 'wasm', hideTimeoutMs: 60_000 });
  await page.goto('/test/browser/pages/slots.html');
  await attach(page);
  const result = await page.evaluate(async () => {
    api.track({ type: 'view', item: 'page-3' });
    return { rec: await api.recommend({ k: 5 }), status: await api.status() };
  });
  expect(result.status.model).toMatchObject({ backend: 'wasm', thread: 'worker' });
  expect(result.rec.backend).toBe('wasm');
  expect(result.rec.items).toHaveLength(5);
  expect(result.rec.items.map((i) => i.item)).not.toContain('page-3');
  expectNoUncaught(errors);
});

for (const { path, worker, backend } of [
  { path: '/test/strict-csp', worker: true, backend: 'webgl' },
  { path: '/test/strict-csp', worker: false, backend: 'cpu' },
  { path: '/test/trusted-types', worker: true, backend: 'cpu' },
  { path: '/test/trusted-types', worker: false, backend: 'cpu' },
] as const) {
  test(`under ${path} the lazy chunks load ${worker ? 'in the worker' : 'on the main thread'} (${backend})`, async ({ page }) => {
    test.setTimeout(120_000);
    const errors = watchErrors(page);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Trusted Type/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${path}?backend=${backend}&worker=${worker}&model=${encodeURIComponent(`${FIXTURES}/gru-layers/manifest.json`)}`);
    await attach(page);
    await page.evaluate(() => api.recommend({ k: 1 }));
    expect((await page.evaluate(() => api.status())).model).toMatchObject({ backend, thread: worker ? 'worker' : 'main' });
    expect(violations).toEqual([]);
    expectNoUncaught(errors);
  });
}

test('a lost WebGL context: the Layers model is loaded again and gives the same output', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/test/browser/pages/empty.html');
  const result = await page.evaluate(async ({ manifestUrl, history }) => {
    const mlUrl = '/dist/precis-ml.js';
    const ml = (await import(mlUrl)) as typeof import('../../src/model/ml-chunk');
    const engine = await ml.createEngine({ manifestUrl, backend: 'webgl', timeoutMs: 60_000, maxAgeMs: 0, wasmPaths: '/dist/' });
    const visitor = { history, categories: {}, counters: { historyLength: 0, sessionEvents: 0, sessions: 1, daysSinceLastVisit: 0, views7d: 0, carts7d: 0, purchases: 0 } };
    const before = [...(await engine.score(visitor))];
    const lost = engine.loseContext();
    const after = [...(await engine.score(visitor))];
    return { before, lost, after, backend: engine.info.backend };
  }, { manifestUrl: `${FIXTURES}/gru-layers/manifest.json`, history: GRU_IDS.map((id) => `item-${id}`) });
  expect(result.lost).toBe(true);
  expect(result.backend).toBe('webgl');
  result.after.forEach((value, k) => expect(Math.abs(value - GRU_EXPECTED[k]!)).toBeLessThan(TOLERANCE));
  result.after.forEach((value, k) => expect(Math.abs(value - result.before[k]!)).toBeLessThan(TOLERANCE));
});
