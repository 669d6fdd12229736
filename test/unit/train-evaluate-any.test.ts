import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWasmBackend } from '../../train/wasm-backend';
import { loadModelDir } from '../../train/load-model';
import { createModelScorer, evaluateOnLog } from '../../train/evaluate-model';
import { historySource, runModel } from '../../train/run-model';
import { verifyOnLog } from '../../train/verify-model';
import { readInteractionLog } from '../../train/read-log';
import { buildEvalCases, splitLeaveOneOut } from '../../train/protocol';
import { sha256Hex } from '../../train/manifest';
import { runEvaluate, runManifest } from '../../train/cli';

// The two real models of ../shared/data/models (see its README; test/fixtures/models holds
// copies with their provenance), their model.json and weights copied into a temp dir with
// minimal v2 manifests written here, and a tiny model made here for a propensity job.
const SHARED = existsSync('test/fixtures/models/gru-layers/model.json') ? 'test/fixtures/models' : '/work/shared/data/models';
const GRU_INPUT = [86, 11, 62, 40, 36, 75, 82, 94, 67, 75];
const GRU_EXPECTED = [-0.003578941337764263, 0.0028922036290168762, -0.002957976423203945, 0.00955402385443449];
const root = mkdtempSync(join(tmpdir(), 'precis-any-'));

/** Copies model.json and the weight files it names. */
function copyModel(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  const json = JSON.parse(readFileSync(join(from, 'model.json'), 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
  for (const file of ['model.json', ...json.weightsManifest.flatMap((g) => g.paths)]) cpSync(join(from, file), join(to, file));
}

/** Copies a model and writes its manifest, hashing every file. */
function modelDir(name: string, from: string | undefined, manifest: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const dir = join(root, name);
  if (from) copyModel(from, dir);
  for (const [file, json] of Object.entries(extra)) writeFileSync(join(dir, file), JSON.stringify(json));
  const files = Object.fromEntries(readdirSync(dir).filter((f) => f !== 'manifest.json').map((f) => [f, sha256Hex(readFileSync(join(dir, f)))]));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'precis-manifest@2', name, version: '1.0.0', files, ...manifest }));
  return dir;
}

const PAGES = Array.from({ length: 101 }, (_, k) => `page-${k}`);
const prefetchManifest = {
  model: { url: 'model.json', format: 'graph' },
  vocabularies: { pages: { url: 'pages.json', padIndex: null } },
  inputs: [
    { name: 'cur_page:0', feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'pages' },
    { name: 'session_index:0', feature: 'sessionEvents', dtype: 'int32', shape: [null] },
  ],
  output: { kind: 'item-scores', size: 101, vocabulary: 'pages' },
};
const IDS = ['', ...Array.from({ length: 99 }, (_, k) => `game-${k + 1}`)];
const gruManifest = (output: Record<string, unknown>, input: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: { url: 'model.json', format: 'layers' },
  vocabularies: { games: { url: 'games.json', padIndex: 0 } },
  inputs: [{ name: 'embedding_Embedding2_input', feature: 'itemHistory', dtype: 'float32', shape: [null, 10], vocabulary: 'games', ...input }],
  output,
});

/** 30 visitors walking pages page-(u)…; page-0 and page-100 included. */
function writeLog(ids: readonly string[], name: string): string {
  const lines: string[] = [];
  for (let u = 0; u < 30; u++) for (let k = 0; k < 3 + (u % 5); k++) lines.push(`v${u} ${ids[(u * 13 + k * 7) % ids.length]}`);
  const path = join(root, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

let prefetch: string;
let pagesLog: string;
let gamesLog: string;

beforeAll(async () => {
  await initWasmBackend();
  prefetch = modelDir('prefetch-graph', join(SHARED, 'prefetch-graph'), prefetchManifest, { 'pages.json': PAGES });
  pagesLog = writeLog(PAGES, 'pages.txt');
  gamesLog = writeLog(IDS.slice(1), 'games.txt');
}, 60_000);

describe('the Node loader runs any Layers or Graph model through its manifest', () => {
  it('the GRU LayersModel reproduces its authors\' expected output within 1e-4', async () => {
    const dir = modelDir('gru-check', join(SHARED, 'gru-layers'), gruManifest({ kind: 'creative-scores', size: 4, creatives: ['a', 'b', 'c', 'd'] }), { 'games.json': IDS });
    const loaded = await loadModelDir(dir);
    const y = loaded.model.predict(tf.tensor2d([GRU_INPUT], [1, 10], 'float32')) as tf.Tensor;
    const got = [...y.dataSync()];
    got.forEach((v, k) => expect(Math.abs(v - GRU_EXPECTED[k]!)).toBeLessThan(1e-4));
    // And through encodeInputs: a history of ids 86, 11, … (75 only once: the history is distinct items).
    const history = [86, 11, 62, 40, 36, 82, 94, 67, 75].map((k) => IDS[k]!);
    const [row] = runModel(loaded, [historySource(history)]);
    const direct = (loaded.model.predict(tf.tensor2d([[0, 86, 11, 62, 40, 36, 82, 94, 67, 75]], [1, 10], 'float32')) as tf.Tensor).dataSync();
    expect([...row!]).toEqual([...direct]);
    loaded.model.dispose();
  });

  it('the prefetch GraphModel is scored from the last page and the session length', async () => {
    const loaded = await loadModelDir(prefetch);
    expect(loaded.items).toEqual(['', ...PAGES]); // protocol index p = page p-1 (the vocabulary pads nothing)
    const log = readInteractionLog(pagesLog);
    const cases = buildEvalCases(splitLeaveOneOut(log.sequences).evaluated, loaded.index, loaded.items.length, 'test', 42);
    const scores = await createModelScorer(loaded)(cases.slice(0, 5));
    cases.slice(0, 5).forEach((c, i) => {
      const last = PAGES.indexOf(c.history.at(-1)!);
      const y = (loaded.model as tf.GraphModel).predict({ 'cur_page:0': tf.tensor1d([last], 'int32'), 'session_index:0': tf.tensor1d([c.history.length], 'int32') }) as tf.Tensor;
      const want = y.dataSync();
      expect(scores[i]![0]).toBe(-Infinity);
      for (let p = 1; p <= 101; p++) expect(scores[i]![p]).toBe(want[p - 1]);
    });
    const result = await evaluateOnLog(loaded, log, { seed: 42, baselines: true, latency: false });
    expect(result.model.users).toBe(cases.length);
    expect(result.model.sampled.hr10).toBeGreaterThanOrEqual(0);
    expect(result.model.full!.hr10).toBeLessThanOrEqual(result.model.sampled.hr10);
    loaded.model.dispose();
  });

  it.each([
    ['an input the model does not have', { inputs: [{ ...prefetchManifest.inputs[0], name: 'page:0' }, prefetchManifest.inputs[1]] }, 'the model has no input page:0 (it has cur_page, session_index)'],
    ['an input left out', { inputs: [prefetchManifest.inputs[0]] }, "the manifest does not fill the model's input session_index"],
    ['a wrong rank', { inputs: [{ ...prefetchManifest.inputs[0], shape: [null, 1] }, prefetchManifest.inputs[1]] }, 'input cur_page:0: shape [null,1], the model takes [null] (rank 1)'],
    ['a wrong dtype', { inputs: [prefetchManifest.inputs[0], { ...prefetchManifest.inputs[1], dtype: 'float32' }] }, 'input session_index:0: dtype float32, the model takes int32'],
  ])('rejects %s with E_MANIFEST', async (name, patch, message) => {
    const dir = modelDir(`bad-${name.replace(/\W/g, '-')}`, join(SHARED, 'prefetch-graph'), { ...prefetchManifest, ...patch }, { 'pages.json': PAGES });
    await expect(loadModelDir(dir)).rejects.toMatchObject({ code: 'E_MANIFEST', message: expect.stringContaining(message) });
  });

  it('rejects a Graph output of the wrong size at load (from its signature), and a row of the wrong size when it runs', async () => {
    const dir = modelDir('bad-size', join(SHARED, 'prefetch-graph'), { ...prefetchManifest, output: { kind: 'creative-scores', size: 2, creatives: ['x', 'y'] } }, { 'pages.json': PAGES });
    await expect(loadModelDir(dir)).rejects.toMatchObject({ code: 'E_MANIFEST', message: expect.stringContaining('output: the model gives 101 columns, output.size says 2') });
    const loaded = await loadModelDir(prefetch);
    expect(() => runModel(loaded, [historySource(['page-1'])], 2)).toThrow(expect.objectContaining({ code: 'E_MANIFEST', message: 'output: the model gives 101 columns, output.size says 2' }));
    loaded.model.dispose();
  });

  it('rejects a Layers output of the wrong size at load', async () => {
    const dir = modelDir('bad-gru-size', join(SHARED, 'gru-layers'), gruManifest({ kind: 'propensity', size: 3 }), { 'games.json': IDS });
    await expect(loadModelDir(dir)).rejects.toMatchObject({ message: expect.stringContaining('output: the model gives 4 columns, output.size says 3') });
  });
});

describe('npm run manifest', () => {
  it('fills files with the hash of model.json, its shards and the vocabularies', async () => {
    const dir = join(root, 'hand-written');
    copyModel(join(SHARED, 'prefetch-graph'), dir);
    writeFileSync(join(dir, 'pages.json'), JSON.stringify(PAGES));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'precis-manifest@2', name: 'p', version: '1', files: {}, ...prefetchManifest }));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    runManifest(['--model', dir]);
    vi.restoreAllMocks();
    const { files } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(files).toEqual({
      'model.json': sha256Hex(readFileSync(join(SHARED, 'prefetch-graph', 'model.json'))),
      'group1-shard1of1.bin': sha256Hex(readFileSync(join(SHARED, 'prefetch-graph', 'group1-shard1of1.bin'))),
      'pages.json': sha256Hex(JSON.stringify(PAGES)),
    });
    (await loadModelDir(dir)).model.dispose();
  });
});

describe('evaluate verifies a creative-scores or propensity model', () => {
  it('a propensity model: verified, with the stats of its column', async () => {
    // A tiny sigmoid model on the history length and the item history: outputs are probabilities.
    const length = tf.input({ shape: [1], name: 'length' });
    const history = tf.input({ shape: [5], name: 'items', dtype: 'int32' });
    const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 100, outputDim: 1, embeddingsInitializer: 'ones' }).apply(history)) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([length, embedded]) as tf.SymbolicTensor;
    const dense = tf.layers.dense({ units: 2, activation: 'sigmoid', name: 'p' });
    const model = tf.model({ inputs: [length, history], outputs: dense.apply(joined) as tf.SymbolicTensor });
    // Column 0 = sigmoid(0.5 * historyLength - 3); column 1 = sigmoid(sum of the item embeddings).
    dense.setWeights([tf.tensor2d([[0.5, 0], [0, 1], [0, 1], [0, 1], [0, 1], [0, 1]]), tf.tensor1d([-3, 0])]);
    const dir = join(root, 'propensity');
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: artifacts.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    modelDir('propensity', undefined, {
      model: { url: 'model.json', format: 'layers' },
      vocabularies: { games: { url: 'games.json' } },
      inputs: [
        { name: 'items', feature: 'itemHistory', dtype: 'int32', shape: [null, 5], vocabulary: 'games' },
        { name: 'length', feature: 'historyLength', dtype: 'float32', shape: [null, 1] },
      ],
      output: { kind: 'propensity', size: 2, index: 0 },
    }, { 'games.json': IDS });
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await runEvaluate(['--model', dir, '--data', gamesLog, '--no-latency']);
    const printed = JSON.parse(String(stdout.mock.calls.at(-1)![0]));
    const said = stderr.mock.calls.map((c) => String(c[0])).join('');
    vi.restoreAllMocks();
    expect(said).toContain('propensity model verified on 30 visitors: HR@10/NDCG@10 need an item-scores model');
    expect(printed).toMatchObject({ job: 'propensity', visitors: 30, outputSize: 2 });
    // Histories of 3 to 7 items, 6 visitors each.
    const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
    const lengths = [3, 4, 5, 6, 7];
    expect(printed.columns[0]).toEqual({
      label: 'propensity',
      min: expect.closeTo(sigmoid(0.5 * 3 - 3), 5),
      mean: expect.closeTo(lengths.reduce((sum, n) => sum + sigmoid(0.5 * n - 3), 0) / 5, 5),
      max: expect.closeTo(sigmoid(0.5 * 7 - 3), 5),
    });
    expect(printed.columns[1]).toMatchObject({ label: 'column 1', min: expect.closeTo(sigmoid(5), 5), max: expect.closeTo(sigmoid(5), 5) });
  });

  it('the GRU as a creative-scores model is rejected: its outputs are not probabilities', async () => {
    const dir = modelDir('gru-creatives', join(SHARED, 'gru-layers'), gruManifest({ kind: 'creative-scores', size: 4, creatives: ['a', 'b', 'c', 'd'] }), { 'games.json': IDS });
    const loaded = await loadModelDir(dir);
    expect(verifyOnLog(loaded, readInteractionLog(gamesLog), { latency: false }).visitors).toBe(30); // these histories happen to give [0, 1]
    const log = join(root, 'gru.txt');
    // Ten known items (no padding left in the input) give -0.0036 in column 0.
    writeFileSync(log, [86, 11, 62, 40, 36, 75, 82, 94, 67, 12].map((k) => `x ${IDS[k]}`).join('\n'));
    expect(() => verifyOnLog(loaded, readInteractionLog(log), { latency: false })).toThrow(
      expect.objectContaining({ code: 'E_MODEL_OUTPUT', message: expect.stringMatching(/^creative-scores outputs must be probabilities in \[0, 1\]; visitor 0 of the log gets -0\.0036\d* in a$/) }),
    );
  });
});

describe("README's example", () => {
  it('its manifest fits the Keras model it shows (built here with the same layers) and evaluates', async () => {
    const last = tf.input({ shape: [1], dtype: 'int32', name: 'last_page' });
    const events = tf.input({ shape: [1], dtype: 'float32', name: 'session_events' });
    let x = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 101, outputDim: 16 }).apply(last)) as tf.SymbolicTensor;
    x = tf.layers.concatenate().apply([x, events]) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 64, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    const scores = tf.layers.dense({ units: 101, activation: 'softmax', name: 'next_page' }).apply(x) as tf.SymbolicTensor;
    const dir = join(root, 'readme-model');
    mkdirSync(dir, { recursive: true });
    await tf.model({ inputs: [last, events], outputs: scores }).save(tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] }));
      writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(a.weightData as ArrayBuffer));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    writeFileSync(join(dir, 'pages.json'), JSON.stringify(PAGES));
    const readme = readFileSync('README.md', 'utf8');
    const block = readme.slice(readme.lastIndexOf('```json', readme.indexOf('"name": "next-page"')) + 7);
    writeFileSync(join(dir, 'manifest.json'), block.slice(0, block.indexOf('```')));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    runManifest(['--model', dir]);
    vi.restoreAllMocks();
    const loaded = await loadModelDir(dir);
    const result = await evaluateOnLog(loaded, readInteractionLog(pagesLog), { seed: 42, latency: false });
    expect(result.model.users).toBe(30);
    loaded.model.dispose();
  });
});
