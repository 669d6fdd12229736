/**
 * The training loop: SASRec-style encoder trained, per target position, with a
 * sampled softmax against K uniform negatives (default), SASRec's BCE, or a full
 * softmax cross-entropy over every item (on worker threads); Adam, length-bucketed
 * batches, validation NDCG@10 on a fixed sample, best-checkpoint keeping and
 * resumable checkpoints.
 */
import * as tf from '@tensorflow/tfjs';
import { encodeHistory } from '../src/features';
import { encodeSequences, listSasrecWeights, type SasrecConfig, type SasrecWeights } from '../src/model/layers';
import { matMulFastGrad } from './fast-matmul';
import { sampledSoftmaxLoss } from './sampled-softmax';
import { createFullSoftmaxPool } from './full-softmax';
import { createRng, shuffleInPlace, type Rng } from './rng';
import { evaluateCases, type EvalCase } from './protocol';
import { loadCheckpoint, saveCheckpoint, saveWeightsFile, loadWeightsFile, type CheckpointState } from './checkpoint';
import type { ProgressReporter } from './progress';

/** Hyper-parameters and run control. */
export interface TrainOptions {
  maxLength: number;
  hiddenUnits: number;
  numBlocks: number;
  dropout: number;
  learningRate: number;
  batchSize: number;
  negatives: number;
  /**
   * Draw `negatives` items per target position instead of one set shared by the
   * batch. With few negatives (≈10–30) the softmax targets "beat a few random
   * items", the same question HR@10 among 100 random negatives asks.
   */
  perPositionNegatives: boolean;
  /**
   * `ce`: full softmax cross-entropy over every item, on worker threads (all cores).
   * `softmax`: sampled softmax (positive vs the negatives). `bce`: SASRec's binary
   * cross-entropy, −log σ(pos) − Σ log(1 − σ(neg)).
   */
  loss: 'ce' | 'softmax' | 'bce';
  /** Validation score that picks the best epoch: NDCG@10, HR@10, or their sum. */
  select: 'ndcg' | 'hr' | 'sum';
  /**
   * Exponential moving average of the weights (decay per step, e.g. 0.999; 0 = off).
   * When on, validation and the exported best weights use the averaged weights.
   */
  ema: number;
  epochs: number;
  seed: number;
  /** Evaluate validation every N epochs. */
  evalEvery: number;
  /** Stop after this many evaluations without improvement (0 = never). */
  patience: number;
  /** Stop starting new epochs after this many minutes of training (0 = no limit). */
  maxMinutes: number;
  checkpointDir: string;
  /** Command line of this invocation, recorded in the checkpoint's `runs`. */
  command?: string;
}

/**
 * Validation score used to pick the best epoch.
 *
 * @example
 * selectionScore(0.74, 0.55, 'sum'); // 1.29
 */
export function selectionScore(hr10: number, ndcg10: number, select: 'ndcg' | 'hr' | 'sum'): number {
  return select === 'hr' ? hr10 : select === 'sum' ? hr10 + ndcg10 : ndcg10;
}

/** One training sequence: inputs and next-item targets, left-padded to maxLength. */
export interface TrainingExample {
  input: Int32Array;
  target: Int32Array;
  length: number;
}

/** Per-epoch record kept in the checkpoint and the manifest. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  seconds: number;
  valHr10?: number;
  valNdcg10?: number;
}

/**
 * Build training examples from training sequences (external ids) with the shared
 * `encodeHistory`: input = items[0..n-2], target = items[1..n-1].
 *
 * @example
 * buildTrainingExamples([['a', 'b', 'c']], new Map([['a', 1], ['b', 2], ['c', 3]]), 4);
 * // [{ input: [0, 0, 1, 2], target: [0, 0, 2, 3], length: 2 }]
 */
export function buildTrainingExamples(
  sequences: readonly (readonly string[])[],
  index: ReadonlyMap<string, number>,
  maxLength: number,
): TrainingExample[] {
  const out: TrainingExample[] = [];
  for (const s of sequences) {
    if (s.length < 2) continue;
    const input = encodeHistory(s.slice(0, -1), index, maxLength);
    const target = encodeHistory(s.slice(1), index, maxLength);
    let length = 0;
    for (let i = 0; i < maxLength; i++) if (target[i] !== 0 && input[i] !== 0) length++;
    for (let i = 0; i < maxLength; i++) if (input[i] === 0) target[i] = 0;
    if (length > 0) out.push({ input, target, length });
  }
  return out;
}

/**
 * Group example indices into batches of similar length (shuffled within equal
 * lengths and across batches), so the left padding can be cropped.
 *
 * @example
 * const batches = makeLengthBatches(examples, 128, createRng(1));
 */
export function makeLengthBatches(examples: readonly TrainingExample[], batchSize: number, rng: Rng): number[][] {
  const order = shuffleInPlace(
    examples.map((_, i) => i),
    rng,
  );
  order.sort((a, b) => examples[a]!.length - examples[b]!.length);
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return shuffleInPlace(batches, rng);
}

/**
 * Copy the last `length` columns of left-padded rows into one [rows, length] array.
 *
 * @example
 * cropRows([Int32Array.of(0, 0, 5, 6)], 2); // Int32Array [5, 6]
 */
export function cropRows(rows: readonly Int32Array[], length: number): Int32Array {
  const out = new Int32Array(rows.length * length);
  rows.forEach((r, i) => out.set(r.subarray(r.length - length), i * length));
  return out;
}

/**
 * Create trainable variables with SASRec's initialisation (glorot-uniform
 * matrices, unit gammas, zero biases/betas), from a seed.
 *
 * @example
 * const vars = createSasrecVariables(config, 42);
 */
export function createSasrecVariables(config: SasrecConfig, seed: number): Record<string, tf.Variable> {
  const vars: Record<string, tf.Variable> = {};
  listSasrecWeights(config).forEach(({ name, shape }, i) => {
    let init: tf.Tensor;
    if (name.endsWith('_gamma')) init = tf.ones(shape);
    else if (name.endsWith('_bias') || name.endsWith('_beta')) init = tf.zeros(shape);
    else {
      const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
      init = tf.randomUniform(shape, -limit, limit, 'float32', seed * 1000 + i);
    }
    vars[name] = tf.variable(init, true, `sasrec/${name}`);
    init.dispose();
  });
  return vars;
}

/**
 * Full scores [cases, numItems] of the current weights for evaluation cases
 * (no dropout; inputs built with encodeHistory and cropped per batch).
 *
 * @example
 * const scores = scoreCasesWithWeights(vars, config, cases.slice(0, 256));
 */
export function scoreCasesWithWeights(w: SasrecWeights, config: SasrecConfig, cases: readonly EvalCase[], index: ReadonlyMap<string, number>): Float32Array[] {
  const rows = cases.map((c) => encodeHistory(c.history, index, config.maxLength));
  let len = 1;
  for (const r of rows) {
    let n = 0;
    for (const v of r) if (v !== 0) n++;
    len = Math.max(len, n);
  }
  const data = tf.tidy(() => {
    const ids = tf.tensor2d(cropRows(rows, len), [rows.length, len], 'int32');
    const h = encodeSequences(w, config, ids);
    const last = tf.reshape(tf.slice(h, [0, len - 1, 0], [rows.length, 1, config.hiddenUnits]), [rows.length, config.hiddenUnits]);
    return tf.matMul(last as tf.Tensor2D, tf.transpose(w.item_embedding!) as tf.Tensor2D);
  });
  const flat = data.dataSync() as Float32Array;
  data.dispose();
  const n = config.numItems;
  return cases.map((_, i) => flat.slice(i * n, (i + 1) * n));
}

/**
 * Train (or resume) and return the best weights (by validation NDCG@10) as plain
 * arrays together with the epoch history.
 *
 * @example
 * const result = await trainSasrec(examples, valCases, vocab, config, options, progress);
 */
export async function trainSasrec(
  examples: readonly TrainingExample[],
  valCases: readonly EvalCase[],
  index: ReadonlyMap<string, number>,
  config: SasrecConfig,
  opt: TrainOptions,
  progress: ProgressReporter,
): Promise<{ weights: Record<string, Float32Array>; history: EpochRecord[]; bestEpoch: number; trainSeconds: number; runs: NonNullable<CheckpointState['runs']> }> {
  const vars = createSasrecVariables(config, opt.seed);
  const names = listSasrecWeights(config).map((w) => w.name);
  const optimizer = tf.train.adam(opt.learningRate, 0.9, 0.98, 1e-8);
  let state: CheckpointState = {
    epoch: 0,
    rngState: createRng(opt.seed).state,
    history: [],
    bestEpoch: 0,
    bestNdcg: -1,
    trainSeconds: 0,
    sinceBest: 0,
  };
  const resumed = await loadCheckpoint(opt.checkpointDir, vars, optimizer, names);
  if (resumed) {
    state = resumed;
    progress.log(`resumed from ${opt.checkpointDir} after epoch ${state.epoch}`);
  }
  if (resumed && (state.select ?? 'ndcg') !== opt.select) {
    // The selection rule changed: re-score the saved best epoch under the new rule.
    const b = state.history.find((h) => h.epoch === state.bestEpoch);
    state.bestNdcg = b?.valNdcg10 !== undefined ? selectionScore(b.valHr10!, b.valNdcg10, opt.select) : -1;
  }
  state.select = opt.select;
  state.runs = [...(state.runs ?? []), { command: opt.command ?? '', fromEpoch: state.epoch + 1, learningRate: opt.learningRate, ema: opt.ema }];
  // Weight averaging (EMA): restored from ema.bin, or started from the current weights.
  let ema: Record<string, tf.Variable> | null = null;
  if (opt.ema > 0) {
    const saved = await loadWeightsFile(`${opt.checkpointDir}/ema.bin`, names);
    ema = {};
    for (const n of names) {
      ema[n] = tf.variable(saved ? tf.tensor(saved[n]!, vars[n]!.shape) : vars[n]!.clone(), false, `sasrec_ema/${n}`);
    }
  }
  const evalWeights = (): Record<string, tf.Variable> => ema ?? vars;
  const rng = createRng(opt.seed, state.rngState);
  const totalTokens = examples.reduce((a, e) => a + e.length, 0);
  const d = config.hiddenUnits;
  const V = config.numItems;
  const K = opt.negatives;
  const nextSeed = (): number => rng.int(2 ** 31);
  const fullSoftmax = opt.loss === 'ce' ? await createFullSoftmaxPool({ numItems: V, hiddenUnits: d, maxRows: opt.batchSize * config.maxLength }) : null;

  const evaluateValidation = async (): Promise<{ hr10: number; ndcg10: number }> => {
    const w: SasrecWeights = { ...evalWeights() };
    const r = await evaluateCases(valCases, (b) => scoreCasesWithWeights(w, config, b, index), {
      seed: opt.seed + 1,
      full: false,
    });
    return r.sampled;
  };

  if (state.epoch === 0 && state.bestNdcg < 0 && valCases.length > 0) {
    const v = await evaluateValidation();
    progress.log(`epoch 0: validation HR@10 ${v.hr10.toFixed(4)} NDCG@10 ${v.ndcg10.toFixed(4)}`);
  }

  for (let epoch = state.epoch + 1; epoch <= opt.epochs; epoch++) {
    if (opt.patience > 0 && state.sinceBest >= opt.patience) {
      progress.log(`no validation improvement for ${opt.patience} evaluations; stopping`);
      break;
    }
    if (opt.maxMinutes > 0 && state.trainSeconds / 60 >= opt.maxMinutes) {
      progress.log(`time budget of ${opt.maxMinutes} min reached; stopping before epoch ${epoch}`);
      break;
    }
    const t0 = performance.now();
    const batches = makeLengthBatches(examples, opt.batchSize, rng);
    let lossSum = 0;
    let lossTokens = 0;
    let doneTokens = 0;
    for (let bi = 0; bi < batches.length; bi++) {
      const batch = batches[bi]!.map((i) => examples[i]!);
      const L = batch.reduce((m, e) => Math.max(m, e.length), 1);
      const B = batch.length;
      const ids = cropRows(
        batch.map((e) => e.input),
        L,
      );
      const tgt = cropRows(
        batch.map((e) => e.target),
        L,
      );
      const valid: number[] = [];
      const targets: number[] = [];
      for (let i = 0; i < tgt.length; i++)
        if (tgt[i] !== 0) {
          valid.push(i);
          targets.push(tgt[i]!);
        }
      const N = valid.length;
      const perPos = opt.perPositionNegatives;
      const negs = new Int32Array(fullSoftmax ? 0 : perPos ? N * K : K);
      for (let k = 0; k < negs.length; k++) negs[k] = 1 + rng.int(V - 1);
      const collision = new Float32Array(fullSoftmax ? 0 : N * K);
      if (perPos) {
        for (let r = 0; r < N; r++) for (let k = 0; k < K; k++) if (negs[r * K + k] === targets[r]) collision[r * K + k] = -1e9;
      } else {
        const negSet = new Map<number, number[]>();
        negs.forEach((n, k) => {
          const l = negSet.get(n);
          if (l) l.push(k);
          else negSet.set(n, [k]);
        });
        targets.forEach((t, r) => {
          const hit = negSet.get(t);
          if (hit) for (const k of hit) collision[r * K + k] = -1e9;
        });
      }
      const idsT = tf.tensor2d(ids, [B, L], 'int32');
      const validT = tf.tensor1d(Int32Array.from(valid), 'int32');
      const tgtT = tf.tensor1d(Int32Array.from(targets), 'int32');
      const negT = tf.tensor1d(negs, 'int32');
      const colT = tf.tensor2d(collision, [N, fullSoftmax ? 0 : K]);
      const lossT = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const h = encodeSequences(vars, config, idsT, {
              training: true,
              dropoutRate: opt.dropout,
              nextSeed,
              matMul2d: matMulFastGrad,
            });
            const hN = tf.gather(tf.reshape(h, [B * L, d]), validT) as tf.Tensor2D;
            if (fullSoftmax) return fullSoftmax.loss(hN, vars.item_embedding as tf.Tensor2D, Int32Array.from(targets));
            const posLogit = tf.sum(tf.mul(hN, tf.gather(vars.item_embedding!, tgtT)), -1, true);
            let negScores: tf.Tensor;
            if (perPos) {
              const negE = tf.reshape(tf.gather(vars.item_embedding!, negT), [N, K, d]);
              negScores = tf.sum(tf.mul(tf.expandDims(hN, 1), negE), -1);
            } else {
              negScores = matMulFastGrad(hN, tf.transpose(tf.gather(vars.item_embedding!, negT)) as tf.Tensor2D);
            }
            const negLogits = tf.add(negScores, colT);
            if (opt.loss === 'bce') {
              const perRow = tf.add(tf.softplus(tf.neg(posLogit)), tf.sum(tf.softplus(negLogits), -1, true));
              return tf.mean(perRow) as tf.Scalar;
            }
            const logits = tf.concat([posLogit, negLogits], 1);
            return sampledSoftmaxLoss(logits as tf.Tensor2D);
          }),
        true,
        Object.values(vars),
      )!;
      if (ema) {
        const decay = opt.ema;
        tf.tidy(() => {
          for (const n of names) ema![n]!.assign(tf.add(tf.mul(ema![n]!, decay), tf.mul(vars[n]!, 1 - decay)));
        });
      }
      const loss = lossT.dataSync()[0]!;
      tf.dispose([lossT, idsT, validT, tgtT, negT, colT]);
      if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at epoch ${epoch}, batch ${bi}`);
      lossSum += loss * N;
      lossTokens += N;
      doneTokens += N;
      progress.step({
        epoch,
        epochs: opt.epochs,
        fraction: doneTokens / totalTokens,
        loss: lossSum / lossTokens,
        examplesPerSecond: doneTokens / ((performance.now() - t0) / 1000),
        secondsSoFar: state.trainSeconds + (performance.now() - t0) / 1000,
      });
    }
    const seconds = (performance.now() - t0) / 1000;
    const record: EpochRecord = { epoch, loss: lossSum / Math.max(1, lossTokens), seconds };
    let improved = false;
    if (valCases.length > 0 && (epoch % opt.evalEvery === 0 || epoch === opt.epochs)) {
      const v = await evaluateValidation();
      record.valHr10 = v.hr10;
      record.valNdcg10 = v.ndcg10;
      if (selectionScore(v.hr10, v.ndcg10, opt.select) > state.bestNdcg) {
        improved = true;
        state.bestNdcg = selectionScore(v.hr10, v.ndcg10, opt.select);
        state.bestEpoch = epoch;
        state.sinceBest = 0;
      } else state.sinceBest++;
    } else if (valCases.length === 0) {
      improved = true;
      state.bestEpoch = epoch;
    }
    state.trainSeconds += (performance.now() - t0) / 1000;
    state.epoch = epoch;
    state.rngState = rng.state;
    state.history.push(record);
    if (improved) await saveWeightsFile(`${opt.checkpointDir}/best.bin`, evalWeights(), names);
    if (ema) await saveWeightsFile(`${opt.checkpointDir}/ema.bin`, ema, names);
    await saveCheckpoint(opt.checkpointDir, state, vars, optimizer, names);
    progress.log(
      `epoch ${epoch}: loss ${record.loss.toFixed(4)}, ${seconds.toFixed(1)} s` +
        (record.valNdcg10 !== undefined
          ? `, validation HR@10 ${record.valHr10!.toFixed(4)} NDCG@10 ${record.valNdcg10.toFixed(4)}${improved ? ' (best)' : ''}`
          : ''),
    );
  }
  await fullSoftmax?.close();
  const best = await loadWeightsFile(`${opt.checkpointDir}/best.bin`, names);
  const fallback: Record<string, Float32Array> = {};
  for (const n of names) fallback[n] = evalWeights()[n]!.dataSync() as Float32Array;
  if (ema) tf.dispose(Object.values(ema));
  tf.dispose(Object.values(vars));
  optimizer.dispose();
  return { weights: best ?? fallback, history: state.history, bestEpoch: state.bestEpoch, trainSeconds: state.trainSeconds, runs: state.runs ?? [] };
}
