/**
 * Resumable checkpoints: `state.json` (epoch, RNG state, history, best), the
 * model variables (`weights.bin`), the Adam slots (`optimizer.bin`) and the best
 * weights so far (`best.bin`). Files are written to a temp name and renamed, so an
 * interrupted write never corrupts the previous checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EpochRecord } from './train-model';

/** Training-loop state saved after each epoch. */
export interface CheckpointState {
  epoch: number;
  rngState: number;
  history: EpochRecord[];
  bestEpoch: number;
  /** Best validation score so far under `select` (named for the default rule). */
  bestNdcg: number;
  select?: 'ndcg' | 'hr' | 'sum';
  trainSeconds: number;
  sinceBest: number;
  /** Every invocation that trained this checkpoint (resumes may change --lr / --ema). */
  runs?: { command: string; fromEpoch: number; learningRate: number; ema: number }[];
}

function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

function packTensors(named: { name: string; data: Float32Array; shape: number[] }[]): Uint8Array {
  const header = JSON.stringify(named.map((n) => ({ name: n.name, shape: n.shape, length: n.data.length })));
  const head = Buffer.from(header, 'utf8');
  const total = 4 + head.length + named.reduce((a, n) => a + n.data.length * 4, 0);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let off = 4 + head.length;
  for (const n of named) {
    Buffer.from(n.data.buffer, n.data.byteOffset, n.data.byteLength).copy(out, off);
    off += n.data.byteLength;
  }
  return out;
}

function unpackTensors(buf: Buffer): { name: string; shape: number[]; data: Float32Array }[] {
  const headLen = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headLen).toString('utf8')) as { name: string; shape: number[]; length: number }[];
  let off = 4 + headLen;
  return header.map((h) => {
    const data = new Float32Array(h.length);
    Buffer.from(data.buffer).set(buf.subarray(off, off + h.length * 4));
    off += h.length * 4;
    return { name: h.name, shape: h.shape, data };
  });
}

/**
 * Save the given variables (in `names` order) to a weights file.
 *
 * @example
 * await saveWeightsFile('.train-work/ckpt/best.bin', vars, names);
 */
export async function saveWeightsFile(path: string, vars: Record<string, tf.Variable>, names: readonly string[]): Promise<void> {
  writeAtomic(
    path,
    packTensors(names.map((n) => ({ name: n, shape: vars[n]!.shape, data: vars[n]!.dataSync() as Float32Array }))),
  );
}

/**
 * Load a weights file written by {@link saveWeightsFile}; null if missing.
 *
 * @example
 * const best = await loadWeightsFile('.train-work/ckpt/best.bin', names);
 */
export async function loadWeightsFile(path: string, names: readonly string[]): Promise<Record<string, Float32Array> | null> {
  if (!existsSync(path)) return null;
  const out: Record<string, Float32Array> = {};
  for (const t of unpackTensors(readFileSync(path))) out[t.name] = t.data;
  for (const n of names) if (!out[n]) throw new Error(`weights file ${path} lacks ${n}`);
  return out;
}

/**
 * Write a full checkpoint (state, variables, optimizer slots).
 *
 * @example
 * await saveCheckpoint(dir, state, vars, optimizer, names);
 */
export async function saveCheckpoint(
  dir: string,
  state: CheckpointState,
  vars: Record<string, tf.Variable>,
  optimizer: tf.Optimizer,
  names: readonly string[],
): Promise<void> {
  await saveWeightsFile(`${dir}/weights.bin`, vars, names);
  const slots = await optimizer.getWeights();
  writeAtomic(
    `${dir}/optimizer.bin`,
    packTensors(slots.map((s) => ({ name: s.name, shape: s.tensor.shape, data: Float32Array.from(s.tensor.dataSync() as ArrayLike<number>) }))),
  );
  writeAtomic(`${dir}/state.json`, JSON.stringify(state));
}

/**
 * The training state (epoch, history, best epoch, runs) of a checkpoint directory,
 * without its weights; null when there is none.
 *
 * @example
 * readCheckpointState('.train-work/checkpoints/games')?.history.at(-1); // { epoch: 3, loss: 8.9, ... }
 */
export function readCheckpointState(dir: string): CheckpointState | null {
  if (!existsSync(`${dir}/state.json`)) return null;
  return JSON.parse(readFileSync(`${dir}/state.json`, 'utf8')) as CheckpointState;
}

/**
 * Restore a checkpoint into `vars` and `optimizer`; returns its state, or null
 * when the directory holds no checkpoint.
 *
 * @example
 * const state = await loadCheckpoint(dir, vars, optimizer, names);
 */
export async function loadCheckpoint(
  dir: string,
  vars: Record<string, tf.Variable>,
  optimizer: tf.Optimizer,
  names: readonly string[],
): Promise<CheckpointState | null> {
  const state = readCheckpointState(dir);
  if (!state) return null;
  const w = await loadWeightsFile(`${dir}/weights.bin`, names);
  if (!w) return null;
  for (const n of names) {
    if (w[n]!.length !== vars[n]!.size) throw new Error(`checkpoint ${dir} does not match the model (${n}); use a new --checkpoint-dir`);
    vars[n]!.assign(tf.tensor(w[n]!, vars[n]!.shape));
  }
  if (existsSync(`${dir}/optimizer.bin`)) {
    const slots = unpackTensors(readFileSync(`${dir}/optimizer.bin`));
    await optimizer.setWeights(slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.data, s.shape) })));
  }
  return state;
}
