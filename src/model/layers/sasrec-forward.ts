/**
 * The SASRec-style encoder as plain tfjs functions over a weight dictionary.
 * Used by the `PrecisSasrec` layer (inference, browser) and by `train/` (training),
 * so both run exactly the same math. Only ops implemented by the cpu, wasm, webgl
 * and webgpu backends are used (gather, matMul, softmax, mean, rsqrt, relu, ...).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Hyper-parameters that define the weight shapes. */
export interface SasrecConfig {
  /** Vocabulary size including the padding row 0. */
  numItems: number;
  maxLength: number;
  hiddenUnits: number;
  numBlocks: number;
}

/** Weight dictionary: name → tensor (a tf.Variable in training, a layer weight at inference). */
export type SasrecWeights = Record<string, tf.Tensor>;

/** Large negative bias for masked attention logits (finite, so float16 backends stay NaN-free). */
const MASK_BIAS = -1e4;

/**
 * Names and shapes of every weight, in a fixed order.
 *
 * @example
 * listSasrecWeights({ numItems: 10, maxLength: 5, hiddenUnits: 4, numBlocks: 1 })[0];
 * // { name: 'item_embedding', shape: [10, 4] }
 */
export function listSasrecWeights(c: SasrecConfig): { name: string; shape: number[] }[] {
  const d = c.hiddenUnits;
  const out: { name: string; shape: number[] }[] = [
    { name: 'item_embedding', shape: [c.numItems, d] },
    { name: 'position_embedding', shape: [c.maxLength, d] },
  ];
  for (let b = 0; b < c.numBlocks; b++) {
    const p = `block${b}_`;
    out.push(
      { name: `${p}attn_ln_gamma`, shape: [d] }, { name: `${p}attn_ln_beta`, shape: [d] },
      { name: `${p}query_kernel`, shape: [d, d] }, { name: `${p}query_bias`, shape: [d] },
      { name: `${p}key_kernel`, shape: [d, d] }, { name: `${p}key_bias`, shape: [d] },
      { name: `${p}value_kernel`, shape: [d, d] }, { name: `${p}value_bias`, shape: [d] },
      { name: `${p}ffn_ln_gamma`, shape: [d] }, { name: `${p}ffn_ln_beta`, shape: [d] },
      { name: `${p}ffn1_kernel`, shape: [d, d] }, { name: `${p}ffn1_bias`, shape: [d] },
      { name: `${p}ffn2_kernel`, shape: [d, d] }, { name: `${p}ffn2_bias`, shape: [d] },
    );
  }
  out.push({ name: 'final_ln_gamma', shape: [d] }, { name: 'final_ln_beta', shape: [d] });
  return out;
}

/** Options of the forward pass; training enables dropout. */
export interface ForwardOptions {
  training?: boolean;
  dropoutRate?: number;
  /** Returns a fresh integer seed for each dropout mask (deterministic training). */
  nextSeed?: () => number;
  /**
   * 2-D matMul used for dense layers; training passes a variant with a faster gradient.
   * Defaults to tf.matMul.
   */
  matMul2d?: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
}

/**
 * Layer-norm epsilon. 1e-5 (not 1e-8) so it stays non-zero on float16 backends
 * (mobile WebGL), where LN of an all-zero padding row would otherwise give NaN.
 */
const LN_EPSILON = 1e-5;

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, LN_EPSILON))), gamma), beta);
}

function dense(x: tf.Tensor3D, kernel: tf.Tensor, bias: tf.Tensor, mm: ForwardOptions['matMul2d']): tf.Tensor3D {
  const [b, l, d] = x.shape;
  const flat = tf.reshape(x, [b * l, d]) as tf.Tensor2D;
  const y = (mm ?? tf.matMul)(flat, kernel as tf.Tensor2D);
  return tf.reshape(tf.add(y, bias), [b, l, kernel.shape[1]!]) as tf.Tensor3D;
}

/**
 * Encode left-padded sequences: returns hidden states `[batch, length, d]` for every
 * position (padding positions are zero before the final layer norm). `length` may be
 * shorter than `maxLength` when the left padding is cropped: positions are aligned
 * to the right, so the result for the real positions is identical.
 *
 * @example
 * const h = encodeSequences(weights, config, tf.tensor2d([[0, 0, 3, 7]], [1, 4], 'int32'));
 * h.shape; // [1, 4, config.hiddenUnits]
 */
export function encodeSequences(
  w: SasrecWeights,
  c: SasrecConfig,
  ids: tf.Tensor2D,
  opts: ForwardOptions = {},
): tf.Tensor3D {
  const [batch, length] = ids.shape;
  if (length > c.maxLength) throw new Error(`sequence length ${length} exceeds maxLength ${c.maxLength}`);
  const d = c.hiddenUnits;
  const rate = opts.training ? (opts.dropoutRate ?? 0) : 0;
  const drop = (x: tf.Tensor): tf.Tensor =>
    rate > 0 ? tf.dropout(x, rate, undefined, opts.nextSeed ? opts.nextSeed() : undefined) : x;
  const mm = opts.matMul2d;

  const intIds = ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32');
  const mask = tf.expandDims(tf.cast(tf.notEqual(intIds, 0), 'float32'), -1); // [b, l, 1]
  const flatIds = tf.reshape(intIds, [batch * length]);
  let x: tf.Tensor = tf.reshape(tf.gather(w.item_embedding!, flatIds), [batch, length, d]);
  x = tf.mul(x, Math.sqrt(d));
  const pos = tf.slice(w.position_embedding!, [c.maxLength - length, 0], [length, d]);
  x = tf.mul(drop(tf.add(x, pos)), mask);

  // Attention bias: causal (no look-ahead) plus key padding.
  const causal = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) causal[i * length + j] = MASK_BIAS;
  const keyPad = tf.mul(tf.sub(1, tf.reshape(mask, [batch, 1, length])), MASK_BIAS); // [b,1,l]
  const bias = tf.add(tf.tensor3d(causal, [1, length, length]), keyPad); // [b,l,l]
  const scale = 1 / Math.sqrt(d);

  for (let b = 0; b < c.numBlocks; b++) {
    const p = `block${b}_`;
    const q = layerNorm(x, w[`${p}attn_ln_gamma`]!, w[`${p}attn_ln_beta`]!) as tf.Tensor3D;
    const Q = dense(q, w[`${p}query_kernel`]!, w[`${p}query_bias`]!, mm);
    const K = dense(x as tf.Tensor3D, w[`${p}key_kernel`]!, w[`${p}key_bias`]!, mm);
    const V = dense(x as tf.Tensor3D, w[`${p}value_kernel`]!, w[`${p}value_bias`]!, mm);
    const logits = tf.add(tf.mul(tf.matMul(Q, K, false, true), scale), bias);
    const attn = drop(tf.softmax(logits, -1));
    x = tf.add(q, tf.matMul(attn as tf.Tensor3D, V));
    const y = layerNorm(x, w[`${p}ffn_ln_gamma`]!, w[`${p}ffn_ln_beta`]!) as tf.Tensor3D;
    let f: tf.Tensor = drop(tf.relu(dense(y, w[`${p}ffn1_kernel`]!, w[`${p}ffn1_bias`]!, mm)));
    f = drop(dense(f as tf.Tensor3D, w[`${p}ffn2_kernel`]!, w[`${p}ffn2_bias`]!, mm));
    x = tf.mul(tf.add(f, y), mask);
  }
  return layerNorm(x, w.final_ln_gamma!, w.final_ln_beta!) as tf.Tensor3D;
}

/**
 * Scores of every vocabulary item for each sequence: the last position's hidden
 * state dotted with the (shared) item embedding table. Column 0 (padding) is pushed
 * to a large negative value so it never ranks.
 *
 * @example
 * const s = scoreSequences(weights, config, tf.tensor2d([[0, 4, 9]], [1, 3], 'int32'));
 * s.shape; // [1, config.numItems]
 */
export function scoreSequences(
  w: SasrecWeights,
  c: SasrecConfig,
  ids: tf.Tensor2D,
  opts: ForwardOptions = {},
): tf.Tensor2D {
  return tf.tidy(() => {
    const h = encodeSequences(w, c, ids, opts);
    const [batch, length, d] = h.shape;
    const last = tf.reshape(tf.slice(h, [0, length - 1, 0], [batch, 1, d]), [batch, d]) as tf.Tensor2D;
    const scores = tf.matMul(last, w.item_embedding! as tf.Tensor2D, false, true);
    const padMask = new Float32Array(c.numItems);
    padMask[0] = MASK_BIAS * 1e3;
    return tf.add(scores, tf.tensor1d(padMask)) as tf.Tensor2D;
  });
}
