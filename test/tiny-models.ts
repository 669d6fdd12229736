/**
 * Two tiny models trained with tfjs-layers for the tests of the model jobs, each written
 * as a site would ship it (model.json, one weight file, a `precis-manifest@2`): a
 * purchase-propensity model over four counters, and a creative-scores model (P(click) per
 * creative) over the visitor's category affinity. Their outputs are computed here too,
 * through the shared feature code, so tests can check the SDK does what the models say.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createVocabulary, encodeInputs, type FeatureSource, type InputSpec } from '../src/features';
import type { PrecisManifest } from '../src/model/manifest';
import { sha256Hex } from '../train/manifest';

/** The counters the propensity model reads, one input each. */
export const PROPENSITY_COUNTERS = ['carts7d', 'views7d', 'sessions', 'daysSinceLastVisit'] as const;
/** The categories the creative-scores model reads, in vocabulary order. */
export const CATEGORIES = ['racing', 'rpg', 'sports'];
/** The creatives it scores, one output column each (the test catalog's, minus two it leaves to the catalog's priors). */
export const SCORED_CREATIVES = ['house', 'rpg-week', 'racing-week'];

/**
 * What the propensity model learns: a cart this week makes a purchase likely, whatever
 * else; no cart, unlikely. (The hand-set formula disagrees: one cart is `propensity:low`.)
 */
const propensityTarget = (carts: number): number => (carts > 0 ? 0.9 : 0.05);

/**
 * What the creative-scores model learns: racing fans click the RPG week, RPG fans the
 * racing week (the opposite of what their targeting says), nobody the house ad.
 */
function clickTargets(affinity: readonly number[]): number[] {
  const [racing = 0, rpg = 0] = affinity;
  return [0.01, 0.02 + 0.5 * racing, 0.02 + 0.5 * rpg];
}

const PROPENSITY_INPUTS: InputSpec[] = PROPENSITY_COUNTERS.map((feature) => ({ name: feature, feature, dtype: 'float32', shape: [null, 1] }));
const CREATIVE_INPUTS: InputSpec[] = [{ name: 'affinity', feature: 'categoryAffinity', dtype: 'float32', shape: [null, CATEGORIES.length], vocabulary: 'categories' }];
const VOCABULARIES = new Map([['categories', createVocabulary(CATEGORIES, null)]]);

async function fit(model: tf.LayersModel, xs: tf.Tensor | tf.Tensor[], ys: tf.Tensor, epochs: number): Promise<void> {
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
  await model.fit(xs, ys, { epochs, batchSize: 256, shuffle: false, verbose: 0 });
  tf.dispose([xs, ys].flat());
}

/** Dense → sigmoid over the four counters (one scalar input each). */
export async function trainPropensityModel(): Promise<tf.LayersModel> {
  const inputs = PROPENSITY_COUNTERS.map((name) => tf.input({ shape: [1], name }));
  const joined = tf.layers.concatenate().apply(inputs) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: 'zeros', name: 'propensity' }).apply(joined) as tf.SymbolicTensor;
  const model = tf.model({ inputs, outputs: output, name: 'tiny_propensity' });
  const rows: number[][] = [];
  for (let carts = 0; carts <= 1; carts += 1) for (let views = 0; views <= 8; views += 2) for (let sessions = 1; sessions <= 4; sessions += 1) {
    for (const days of [0, 1, 5]) rows.push([carts, views, sessions, days]);
  }
  const xs = PROPENSITY_COUNTERS.map((_, k) => tf.tensor2d(rows.map((row) => [row[k]!])));
  await fit(model, xs, tf.tensor2d(rows.map((row) => [propensityTarget(row[0]!)])), 300);
  return model;
}

/** Dense → sigmoid with one output column per scored creative, over the category affinity. */
export async function trainCreativeModel(): Promise<tf.LayersModel> {
  const input = tf.input({ shape: [CATEGORIES.length], name: 'affinity' });
  const output = tf.layers.dense({ units: SCORED_CREATIVES.length, activation: 'sigmoid', kernelInitializer: 'zeros', name: 'clicks' }).apply(input) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output, name: 'tiny_clicks' });
  const rows: number[][] = [];
  for (let racing = 0; racing <= 10; racing += 1) for (let rpg = 0; rpg <= 10 - racing; rpg += 1) rows.push([racing / 10, rpg / 10, (10 - racing - rpg) / 10]);
  await fit(model, tf.tensor2d(rows), tf.tensor2d(rows.map(clickTargets)), 400);
  return model;
}

/** The model's output row for a visitor, computed as the browser computes its inputs. */
export function predict(model: tf.LayersModel, job: 'propensity' | 'creative-scores', source: FeatureSource): number[] {
  const specs = job === 'propensity' ? PROPENSITY_INPUTS : CREATIVE_INPUTS;
  const encoded = encodeInputs(specs, source, VOCABULARIES);
  // The models take their inputs in the specs' order. (Not by name: a process that builds a
  // model twice gets renamed input tensors, `affinity_1`.)
  const tensors = encoded.map((input) => tf.tensor(input.values, input.shape, input.dtype));
  const output = model.predict(tensors.length === 1 ? tensors[0]! : tensors) as tf.Tensor;
  const row = Array.from(output.dataSync());
  tf.dispose([...tensors, output]);
  return row;
}

/**
 * Writes a model as a site ships it: `model.json`, `weights.bin`, the vocabulary files
 * and a `precis-manifest@2` with each file's sha256. Returns the manifest.
 */
export async function writeModel(dir: string, model: tf.LayersModel, job: 'propensity' | 'creative-scores', version: string): Promise<PrecisManifest> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const write = (name: string, bytes: Uint8Array | string): void => {
    writeFileSync(join(dir, name), bytes);
    files[name] = sha256Hex(bytes);
  };
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
    write('weights.bin', weights);
    write('model.json', JSON.stringify({
      format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`, convertedBy: null,
      modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const propensity = job === 'propensity';
  if (!propensity) write('categories.json', JSON.stringify(CATEGORIES));
  const manifest: PrecisManifest = {
    format: 'precis-manifest@2',
    name: propensity ? 'tiny-buyers' : 'tiny-clicks',
    version,
    model: { url: 'model.json', format: 'layers' },
    files,
    vocabularies: propensity ? {} : { categories: { url: 'categories.json', padIndex: null } },
    inputs: propensity ? PROPENSITY_INPUTS : CREATIVE_INPUTS,
    output: propensity
      ? { kind: 'propensity', size: 1 }
      : { kind: 'creative-scores', size: SCORED_CREATIVES.length, creatives: SCORED_CREATIVES },
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
