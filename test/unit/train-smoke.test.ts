import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, writeFileSync, readFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWasmBackend } from '../../train/wasm-backend';
import { runPlot, runTrain } from '../../train/cli';
import { loadModelDir, verifyModelDir } from '../../train/load-model';
import { exportModel } from '../../train/export-model';
import { listSasrecWeights, scoreSequences, type SasrecConfig } from '../../src/model/layers';
import { encodeHistory } from '../../src/features';
import type { PrecisManifest } from '../../src/model/manifest';

/** 90 users walking a ring of 40 items: after item k comes item k+1 (a learnable rule). */
function makeRingLog(): string {
  const lines: string[] = [];
  for (let u = 0; u < 90; u++) {
    const start = (u * 7) % 40;
    const len = 5 + (u % 6);
    for (let k = 0; k < len; k++) lines.push(`u${u} i${(start + k) % 40}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  const info = await initWasmBackend();
  expect(info.backend).toBe('wasm');
});

describe('wasm scatter-add kernel (gather gradient)', () => {
  it('matches a hand-computed unsortedSegmentSum', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const out = tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2], 'int32'), 4);
    expect([...out.dataSync()]).toEqual([3, 4, 0, 0, 6, 8, 0, 0]);
  });
  it('gives the gradient of an embedding lookup', () => {
    const table = tf.variable(tf.ones([5, 3]));
    const ids = tf.tensor1d([1, 3, 1], 'int32');
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, ids)))(table);
    expect([...g.dataSync()]).toEqual([0, 0, 0, 2, 2, 2, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
  });
});

describe('export round trip', () => {
  const config: SasrecConfig = { numItems: 12, maxLength: 6, hiddenUnits: 8, numBlocks: 2 };
  const weights: Record<string, Float32Array> = {};
  let seed = 1;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  for (const { name, shape } of listSasrecWeights(config)) {
    weights[name] = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (name.endsWith('gamma') ? 1 + 0.1 * rand() : 0.3 * rand()));
  }
  const items = ['', ...Array.from({ length: 11 }, (_, i) => `sku-${i + 1}`)];
  const histories = [['sku-1', 'sku-2'], ['sku-5'], ['sku-3', 'sku-9', 'sku-4', 'sku-11', 'sku-2', 'sku-7', 'sku-8']];

  const reference = (): Float32Array => {
    const index = new Map(items.slice(1).map((id, i) => [id, i + 1]));
    const rows = new Int32Array(histories.length * config.maxLength);
    histories.forEach((h, i) => rows.set(encodeHistory(h, index, config.maxLength), i * config.maxLength));
    const w = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, tf.tensor(v, listSasrecWeights(config).find((s) => s.name === k)!.shape)]));
    return scoreSequences(w, config, tf.tensor2d(rows, [histories.length, config.maxLength], 'int32')).dataSync() as Float32Array;
  };

  it.each([
    ['none', { embedding: 'float32', other: 'float32' }, 1e-5],
    ['float16', { embedding: 'float16', other: 'float16' }, 2e-2],
    ['uint8', { embedding: 'uint8', other: 'float16' }, 6e-2],
  ] as const)('loads back with tf.loadLayersModel and gives the same scores (%s)', async (_, q, tol) => {
    const dir = mkdtempSync(join(tmpdir(), 'precis-export-'));
    await exportModel(dir, config, weights, items, q, { name: 't', version: '0', metrics: {}, trainedOn: {} });
    const loaded = await loadModelDir(dir);
    const rows = new Int32Array(histories.length * config.maxLength);
    histories.forEach((h, i) => rows.set(encodeHistory(h, loaded.index, config.maxLength), i * config.maxLength));
    const got = (loaded.model.predict(tf.tensor2d(rows, [histories.length, config.maxLength], 'int32')) as tf.Tensor).dataSync();
    const want = reference();
    expect(got.length).toBe(histories.length * config.numItems);
    for (let i = 0; i < got.length; i++) {
      if (i % config.numItems === 0) continue; // padding column is masked
      expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(tol * Math.max(1, Math.abs(want[i]!)));
    }
  });
});

describe('tiny training run (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'precis-train-'));
  const data = join(dir, 'ring.txt');
  writeFileSync(data, makeRingLog());
  const out = join(dir, 'model');
  const common = ['--data', data, '--out', out, '--checkpoint-dir', join(dir, 'ckpt'), '--max-length', '8', '--hidden', '16', '--batch-size', '16', '--negatives', '16', '--dropout', '0.1', '--lr', '0.01', '--patience', '0', '--loss', 'ce', '--quiet'];
  let manifest: PrecisManifest;

  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await runTrain([...common, '--epochs', '3']);
    // Resume: the second run continues from the epoch-3 checkpoint.
    await runTrain([...common, '--epochs', '12']);
    vi.restoreAllMocks();
    manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as PrecisManifest;
  }, 120_000);

  it('resumes from the checkpoint and the loss falls', () => {
    const history = (manifest.trainedOn as { history: { epoch: number; loss: number }[] }).history;
    expect(history.map((h) => h.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(history.at(-1)!.loss).toBeLessThan(history[0]!.loss * 0.8);
  });

  it('writes a valid manifest whose hashes verify, and reports test metrics', () => {
    expect(manifest.format).toBe('precis-manifest@2');
    expect(manifest.inputs).toEqual([{ name: 'history', feature: 'itemHistory', dtype: 'int32', shape: [null, 8], vocabulary: 'items' }]);
    expect(Object.keys(manifest.files).sort()).toEqual(['group1-shard1of1.bin', 'items.json', 'model.json']);
    expect(() => verifyModelDir(out)).not.toThrow();
    const test = (manifest.metrics as { test: { sampled: { hr10: number } } }).test;
    expect(test.sampled.hr10).toBeGreaterThan(0.5); // the ring rule is easy
  });

  it('the exported model loads and predicts scores for every item', async () => {
    const loaded = await loadModelDir(out);
    expect(loaded.items[0]).toBe('');
    const row = encodeHistory(['i3', 'i4', 'i5'], loaded.index, 8);
    const scores = (loaded.model.predict(tf.tensor2d(row, [1, 8], 'int32')) as tf.Tensor).dataSync();
    expect(scores.length).toBe(loaded.items.length);
    let best = 1;
    for (let j = 1; j < scores.length; j++) if (scores[j]! > scores[best]!) best = j;
    expect(loaded.items[best]).toBe('i6');
  });

  it('records the full softmax cross-entropy in the manifest', () => {
    const t = manifest.trainedOn as { hyperparameters: { loss: string } };
    expect(t.hyperparameters.loss).toBe('full softmax cross-entropy over all items');
  });

  it('plots the checkpoint history (plot command)', async () => {
    const plots = join(dir, 'plots');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await runPlot(['--checkpoint-dir', join(dir, 'ckpt'), '--out', plots]);
    vi.restoreAllMocks();
    expect(readFileSync(join(plots, 'loss.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(readFileSync(join(plots, 'validation-ndcg.svg'), 'utf8')).toContain('<svg');
    const h = JSON.parse(readFileSync(join(plots, 'training-history.json'), 'utf8')) as { history: unknown[]; runs: unknown[] };
    expect(h.history).toHaveLength(12);
    expect(h.runs).toHaveLength(2);
  });

  it('detects a tampered file', () => {
    const copy = join(dir, 'tampered');
    cpSync(out, copy, { recursive: true });
    const items = JSON.parse(readFileSync(join(copy, 'items.json'), 'utf8')) as string[];
    items[1] = 'evil';
    writeFileSync(join(copy, 'items.json'), JSON.stringify(items));
    expect(() => verifyModelDir(copy)).toThrow(/E_HASH_MISMATCH|sha256/);
  });
});

describe('training options (bce loss, per-position negatives, EMA, selection rule)', () => {
  it('trains, resumes with a different loss and exports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'precis-opts-'));
    const data = join(dir, 'ring.txt');
    writeFileSync(data, makeRingLog());
    const out = join(dir, 'model');
    const base = ['--data', data, '--out', out, '--checkpoint-dir', join(dir, 'ckpt'), '--max-length', '8', '--hidden', '16', '--batch-size', '32', '--lr', '0.01', '--quiet', '--no-final-eval'];
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await runTrain([...base, '--epochs', '2', '--negatives', '16']);
    await runTrain([...base, '--epochs', '4', '--loss', 'bce', '--per-position-negatives', '--negatives', '2', '--ema', '0.9', '--select', 'sum']);
    vi.restoreAllMocks();
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as PrecisManifest;
    const t = m.trainedOn as { history: unknown[]; runs: { fromEpoch: number }[]; hyperparameters: { loss: string; ema: number; selectBestBy: string } };
    expect(t.history).toHaveLength(4);
    expect(t.runs.map((r) => r.fromEpoch)).toEqual([1, 3]);
    expect(t.hyperparameters.loss).toMatch(/binary cross-entropy, 2 uniform negatives per target position/);
    expect(t.hyperparameters.ema).toBe(0.9);
    expect(t.hyperparameters.selectBestBy).toBe('sum');
    expect(() => verifyModelDir(out)).not.toThrow();
  }, 60_000);
});

