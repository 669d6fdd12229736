import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initWasmBackend } from '../../train/wasm-backend';
import { createFullSoftmaxPool, type FullSoftmaxPool } from '../../train/full-softmax';

/** Reference: single-thread tfjs cross-entropy over items 1..V−1 (row 0 is padding). */
function referenceLoss(h: tf.Tensor2D, items: tf.Tensor2D, targets: Int32Array): tf.Scalar {
  const [V, d] = items.shape;
  const logits = tf.matMul(h, tf.slice(items, [1, 0], [V - 1, d]), false, true);
  const picked = tf.sum(tf.mul(h, tf.gather(items, tf.tensor1d(targets, 'int32'))), 1);
  return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked)) as tf.Scalar;
}

function randomMatrix(rows: number, cols: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([rows, cols], 0, 1, 'float32', seed) as tf.Tensor2D;
}

let pool: FullSoftmaxPool;
const V = 9;
const d = 4;

beforeAll(async () => {
  await initWasmBackend();
  pool = await createFullSoftmaxPool({ numItems: V, hiddenUnits: d, maxRows: 16, workers: 2, chunkRows: 3 });
}, 120_000); // each worker loads tfjs and its wasm backend: slow on a loaded machine

afterAll(async () => {
  await pool?.close();
});

describe('full softmax cross-entropy on worker threads', () => {
  it('gives the loss and gradients of the single-thread tfjs cross-entropy', () => {
    const h = randomMatrix(7, d, 1);
    const items = randomMatrix(V, d, 2);
    const targets = Int32Array.of(1, 5, 8, 2, 2, 7, 3);
    const grad = (lossFn: typeof referenceLoss) => tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => lossFn(a as tf.Tensor2D, b as tf.Tensor2D, targets));
    const ref = grad(referenceLoss)([h, items]);
    const ours = grad(pool.loss)([h, items]);
    expect(ours.value.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0]!, 4);
    for (let i = 0; i < 2; i++) {
      const a = ours.grads[i]!.dataSync();
      const b = ref.grads[i]!.dataSync();
      expect(a.length).toBe(b.length);
      const maxDiff = Math.max(...a.map((x, k) => Math.abs(x - b[k]!)));
      expect(maxDiff).toBeLessThan(1e-4);
    }
    // The padding row never receives a gradient from the softmax.
    expect([...ours.grads[1]!.dataSync().slice(0, d)]).toEqual([0, 0, 0, 0]);
  });

  it('handles fewer rows than workers and an upstream gradient other than 1', () => {
    const h = randomMatrix(1, d, 3);
    const items = randomMatrix(V, d, 4);
    const targets = Int32Array.of(6);
    const scaled = (lossFn: typeof referenceLoss) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(lossFn(a as tf.Tensor2D, b as tf.Tensor2D, targets), 3));
    const [refH] = scaled(referenceLoss)([h, items]);
    const [ourH] = scaled(pool.loss)([h, items]);
    const a = ourH!.dataSync();
    const b = refH!.dataSync();
    expect(Math.max(...a.map((x, k) => Math.abs(x - b[k]!)))).toBeLessThan(1e-4);
  });

  it('frees every tensor of a job inside the workers', () => {
    const h = randomMatrix(9, d, 7);
    const items = randomMatrix(V, d, 8);
    const targets = Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 1);
    tf.dispose(pool.loss(h, items, targets));
    const before = pool.workerTensorCounts();
    for (let i = 0; i < 3; i++) tf.dispose(pool.loss(h, items, targets));
    expect(pool.workerTensorCounts()).toEqual(before);
  });

  it('rejects more rows than the pool was sized for', () => {
    expect(() => pool.loss(randomMatrix(17, d, 5), randomMatrix(V, d, 6), new Int32Array(17).fill(1))).toThrow(/maxRows/);
  });
});
