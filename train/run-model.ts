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
import type { PrecisManifest } from '../src/model/manifest';
import { answersTo, chooseOutput, modelSignature, type ModelSignature } from '../src/model/model-signature';
import { widthProblem } from '../src/model/output-width';
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

/** One batch tensor per model input, in the model's input order, each by the name it is fed under. */
function batchTensors(loaded: RunnableModel, signature: ModelSignature, encoded: readonly EncodedInput[][]): { names: string[]; tensors: tf.Tensor[] } {
  const names: string[] = [];
  const tensors: tf.Tensor[] = [];
  for (const declared of signature.inputs) {
    const k = loaded.manifest.inputs.findIndex((spec) => answersTo(declared, spec.name));
    const first = encoded[0]![k]!;
    const width = first.values.length;
    const values = first.dtype === 'int32' ? new Int32Array(encoded.length * width) : new Float32Array(encoded.length * width);
    encoded.forEach((row, b) => values.set(row[k]!.values, b * width));
    names.push(declared.names[0]!);
    tensors.push(tf.tensor(values, [encoded.length, ...first.shape.slice(1)], first.dtype));
  }
  return { names, tensors };
}

/** One predict call on `encoded.length` visitors; the output rows, flat. */
function predictBatch(loaded: RunnableModel, signature: ModelSignature, encoded: readonly EncodedInput[][]): Float32Array {
  const { names, tensors } = batchTensors(loaded, signature, encoded);
  // loadModelDir checked the signature: the manifest's output is there.
  const output = chooseOutput(signature, loaded.manifest.output.name)!;
  // Not inside tf.tidy: on the wasm backend predict inside a tidy scope ran ~7x slower.
  const y =
    loaded.model instanceof tf.GraphModel
      ? loaded.model.execute(Object.fromEntries(names.map((name, k) => [name, tensors[k]!])), output.names[0])
      : loaded.model.predict(tensors.length === 1 ? tensors[0]! : tensors, { batchSize: encoded.length });
  const all = y instanceof tf.Tensor ? [y] : y;
  const out = (y instanceof tf.Tensor ? y : y[signature.outputs.indexOf(output)]!).dataSync();
  tf.dispose([...tensors, ...all]);
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
  const signature = modelSignature(loaded.model, loaded.manifest.model.format);
  const one = loaded.manifest.inputs.some((spec) => spec.shape[0] === 1);
  const flats = one ? encoded.map((row) => predictBatch(loaded, signature, [row])) : [predictBatch(loaded, signature, encoded)];
  const width = flats.reduce((n, f) => n + f.length, 0) / sources.length;
  const problem = widthProblem(width, size);
  if (problem) throw new PrecisError('E_MANIFEST', problem);
  return flats.flatMap((flat) => Array.from({ length: flat.length / width }, (_, b) => flat.subarray(b * width, (b + 1) * width)));
}
