/**
 * Runs any loaded model (Layers or Graph) on visitors' features in Node, with the inputs
 * built by the same `encodeInputs` the browser runtime uses.
 *
 * A log of item ids has no timestamps, event types or categories, so a log history
 * becomes a visitor whose every item is one `view` event, a minute apart, the last one a
 * minute before "now", and whose profile has no category interest: `featureSource` of those
 * synthetic events gives the features (one session of `history.length` events, as many
 * views in the last 7 days, no carts or purchases, category affinities all 0).
 */
import * as tf from '@tensorflow/tfjs';
import { encodeInputs, featureSource, type EncodedInput, type FeatureSource, type Vocabulary } from '../src/features';
import { sameTensor, type ModelSignature, type PrecisManifest } from '../src/model/manifest';
import { PrecisError } from './errors';

/** A model `tf.loadLayersModel` or `tf.loadGraphModel` made. */
export type TfModel = tf.LayersModel | tf.GraphModel;

/** What `runModel` needs of a loaded model directory. */
export interface RunnableModel {
  manifest: PrecisManifest;
  model: TfModel;
  vocabularies: ReadonlyMap<string, Vocabulary>;
}

/** The gap between two synthetic events, and the fixed "now" after the last one. */
export const SYNTHETIC_GAP_MS = 60_000;
const SYNTHETIC_NOW = Date.UTC(2024, 0, 1);

/**
 * The features of a log history (external ids, oldest first): see the module comment.
 *
 * @example
 * historySource(['a', 'b']).counters; // { historyLength: 2, sessionEvents: 2, sessions: 1, views7d: 2, … }
 */
export function historySource(history: readonly string[]): FeatureSource {
  const events = history.map((item, k) => ({ type: 'view', item, time: SYNTHETIC_NOW - (history.length - k) * SYNTHETIC_GAP_MS }));
  return featureSource(events, new Map(), SYNTHETIC_NOW);
}

/**
 * A model tensor's name as its model.json gives it: tfjs-layers makes a Layers model's
 * tensor names unique in the process (`x_1` when a model loads twice), `originalName` not.
 */
const tensorName = (t: { name: string; originalName?: string }): string => t.originalName ?? t.name;

/**
 * The model's inputs and outputs as tfjs reports them (Graph models give no output shape).
 *
 * @example
 * modelSignature(model).inputs; // [{ name: 'history', shape: [null, 50], dtype: 'int32' }]
 */
export function modelSignature(model: TfModel): ModelSignature {
  const shape = (s: unknown): Array<number | null> | undefined => (Array.isArray(s) ? s.map((d) => (typeof d === 'number' && d >= 0 ? d : null)) : undefined);
  const inputs = (model.inputs as Array<{ name: string; shape?: unknown; dtype?: string }>).map((i) => ({ name: tensorName(i), shape: shape(i.shape), dtype: i.dtype }));
  const outputs = (model.outputs as Array<{ name: string; shape?: unknown }>).map((o) => ({ name: tensorName(o), shape: shape(o.shape) }));
  return { inputs, outputs };
}

/** One batch tensor per model input, in the model's input order. */
function batchTensors(loaded: RunnableModel, encoded: readonly EncodedInput[][]): { names: string[]; tensors: tf.Tensor[] } {
  const names: string[] = [];
  const tensors: tf.Tensor[] = [];
  for (const input of loaded.model.inputs as Array<{ name: string }>) {
    const k = loaded.manifest.inputs.findIndex((spec) => sameTensor(spec.name, tensorName(input)));
    if (k < 0) throw new PrecisError('E_MANIFEST', `the model's input ${tensorName(input)} has no entry in inputs`);
    const first = encoded[0]![k]!;
    const width = first.values.length;
    const values = first.dtype === 'int32' ? new Int32Array(encoded.length * width) : new Float32Array(encoded.length * width);
    encoded.forEach((row, b) => values.set(row[k]!.values, b * width));
    names.push(loaded.manifest.inputs[k]!.name);
    tensors.push(tf.tensor(values, [encoded.length, ...first.shape.slice(1)], first.dtype));
  }
  return { names, tensors };
}

/** The manifest's output among the model's outputs. */
function pickOutput(loaded: RunnableModel, y: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap): tf.Tensor {
  if (y instanceof tf.Tensor) return y;
  const name = loaded.manifest.output.name;
  if (Array.isArray(y)) {
    const k = name === undefined ? 0 : (loaded.model.outputs as Array<{ name: string }>).findIndex((o) => sameTensor(name, tensorName(o)));
    return y[Math.max(0, k)]!;
  }
  const key = Object.keys(y).find((n) => name === undefined || sameTensor(name, n)) ?? Object.keys(y)[0]!;
  return y[key]!;
}

/** One predict call on `encoded.length` visitors; the output rows, flat. */
function predictBatch(loaded: RunnableModel, encoded: readonly EncodedInput[][]): Float32Array {
  const { names, tensors } = batchTensors(loaded, encoded);
  // Not inside tf.tidy: on the wasm backend predict inside a tidy scope ran ~7x slower.
  const y =
    loaded.model instanceof tf.GraphModel
      ? loaded.model.predict(Object.fromEntries(names.map((name, k) => [name, tensors[k]!])))
      : loaded.model.predict(tensors.length === 1 ? tensors[0]! : tensors, { batchSize: encoded.length });
  const out = pickOutput(loaded, y).dataSync();
  tf.dispose([...tensors, ...(y instanceof tf.Tensor ? [y] : Array.isArray(y) ? y : Object.values(y))]);
  return out instanceof Float32Array ? out : Float32Array.from(out as ArrayLike<number>);
}

/**
 * The model's output row for each visitor, in one batch (or one call per visitor when an
 * input's batch is fixed at 1). Throws E_MANIFEST when the rows are not `output.size` wide.
 *
 * @example
 * runModel(loaded, [historySource(['a', 'b'])])[0]; // Float32Array(output.size)
 */
export function runModel(loaded: RunnableModel, sources: readonly FeatureSource[], size = loaded.manifest.output.size): Float32Array[] {
  if (sources.length === 0) return [];
  const encoded = sources.map((source) => encodeInputs(loaded.manifest.inputs, source, loaded.vocabularies));
  const one = loaded.manifest.inputs.some((spec) => spec.shape[0] === 1);
  const flats = one ? encoded.map((row) => predictBatch(loaded, [row])) : [predictBatch(loaded, encoded)];
  const width = flats.reduce((n, f) => n + f.length, 0) / sources.length;
  if (width !== size) throw new PrecisError('E_MANIFEST', `the model's output is ${width} wide, output.size says ${size}`);
  return flats.flatMap((flat) => Array.from({ length: flat.length / width }, (_, b) => flat.subarray(b * width, (b + 1) * width)));
}
