/**
 * Load an exported model directory in Node: verify manifest.json and every file
 * hash, then load the LayersModel with plain `tf.loadLayersModel` through an
 * in-memory IOHandler (tfjs has no file:// handler without tfjs-node).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/model/layers';
import { buildItemIndex } from '../src/features';
import { PrecisError } from './errors';
import { historyInput, manifestProblems, parseManifest, type PrecisManifest } from '../src/model/manifest';
import { sha256Hex } from './manifest';

/** A loaded model directory. */
export interface LoadedModel {
  manifest: PrecisManifest;
  model: tf.LayersModel;
  items: string[];
  index: Map<string, number>;
  /** The item-history input's length. */
  maxLength: number;
}

/**
 * Read manifest.json and check every listed file's sha256. Throws PrecisError
 * E_MANIFEST (bad structure / missing file) or E_HASH_MISMATCH.
 *
 * @example
 * const manifest = verifyModelDir('demo/models/games');
 */
export function verifyModelDir(dir: string): PrecisManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new PrecisError('E_MANIFEST', `no manifest.json in ${dir}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new PrecisError('E_MANIFEST', `${path} is not valid JSON`);
  }
  const problems = manifestProblems(raw);
  if (problems.length) throw new PrecisError('E_MANIFEST', `${path}: ${problems.join('; ')}`);
  const manifest = parseManifest(raw);
  for (const [file, hash] of Object.entries(manifest.files)) {
    const p = join(dir, file);
    if (!existsSync(p)) throw new PrecisError('E_MANIFEST', `${dir}: file ${file} listed in the manifest is missing`);
    const actual = sha256Hex(readFileSync(p));
    if (actual !== hash) throw new PrecisError('E_HASH_MISMATCH', `${p}: sha256 ${actual} != manifest ${hash}`);
  }
  return manifest;
}

/**
 * Verify and load a model directory (LayersModel format).
 *
 * @example
 * const { model, index, manifest } = await loadModelDir('demo/models/games');
 * model.predict(tf.zeros([1, maxLength], 'int32'));
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const manifest = verifyModelDir(dir);
  if (manifest.model.format !== 'layers') throw new PrecisError('E_MANIFEST', 'only layers-format models load in Node here');
  const modelJson = JSON.parse(readFileSync(join(dir, manifest.model.url), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string;
  };
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  for (const group of modelJson.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      if (!(p in manifest.files)) throw new PrecisError('E_MANIFEST', `weight shard ${p} has no hash in the manifest`);
      buffers.push(readFileSync(join(dir, p)));
    }
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData,
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
    }),
  });
  const history = historyInput(manifest);
  if (!history) throw new PrecisError('E_MANIFEST', 'the model has no item-history input');
  const items = JSON.parse(readFileSync(join(dir, history.itemsUrl), 'utf8')) as string[];
  if (!Array.isArray(items) || items[0] !== '') throw new PrecisError('E_MANIFEST', 'items.json must be an array with "" (padding) at 0');
  return { manifest, model, items, index: buildItemIndex(items), maxLength: history.maxLength };
}
