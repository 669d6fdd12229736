/**
 * Load a model directory in Node: verify manifest.json (v1 or v2) and every file hash,
 * load the Layers or Graph model with plain `tf.loadLayersModel` / `tf.loadGraphModel`
 * through an in-memory IOHandler (tfjs has no file:// handler without tfjs-node), read
 * its vocabularies, and check that the manifest fits the model.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import '../src/model/layers';
import { PrecisError as SdkError } from '../src/core/errors';
import type { Vocabulary } from '../src/features';
import { historyInput, manifestProblems, parseManifest, type PrecisManifest } from '../src/model/manifest';
import { modelSignature, signatureProblems } from '../src/model/model-signature';
import { readVocabularies, sizedManifest } from '../src/model/model-vocabularies';
import { PrecisError } from './errors';
import { sha256Hex } from './manifest';
import type { TfModel } from './run-model';

/** A loaded model directory. */
export interface LoadedModel {
  manifest: PrecisManifest;
  model: TfModel;
  vocabularies: Map<string, Vocabulary>;
  /**
   * For an item-scores model, the evaluation protocol's items: `''` (padding) at 0, then the
   * output vocabulary's ids (its pad excluded); empty for the other jobs.
   */
  items: string[];
  index: Map<string, number>;
  /** The output column of each `items` index (index 0 → -1); absent when they are the same. */
  columns?: Int32Array;
  /** The output's width. */
  outputSize: number;
  /** The item-history input's length (0 without one). */
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

/** The weights and topology of a model.json, from verified files. */
function readModelArtifacts(dir: string, manifest: PrecisManifest): tf.io.ModelArtifacts {
  const modelJson = JSON.parse(readFileSync(join(dir, manifest.model.url), 'utf8')) as tf.io.ModelJSON;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  const base = manifest.model.url.includes('/') ? manifest.model.url.slice(0, manifest.model.url.lastIndexOf('/') + 1) : '';
  for (const group of modelJson.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      if (!Object.prototype.hasOwnProperty.call(manifest.files, base + p)) throw new PrecisError('E_MANIFEST', `weight shard ${base + p} has no hash in the manifest`);
      buffers.push(readFileSync(join(dir, base + p)));
    }
  }
  const all = Buffer.concat(buffers);
  const { weightsManifest: _w, ...rest } = modelJson;
  return { ...rest, weightSpecs: specs, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}

/** The protocol's items for an item-scores output: the vocabulary, its pad moved to 0. */
function protocolItems(manifest: PrecisManifest, vocabularies: Map<string, Vocabulary>): Pick<LoadedModel, 'items' | 'index' | 'columns'> {
  if (manifest.output.kind !== 'item-scores') return { items: [], index: new Map() };
  const vocabulary = vocabularies.get(manifest.output.vocabulary)!;
  if (vocabulary.padIndex === 0) return { items: ['', ...vocabulary.ids.slice(1)], index: new Map(vocabulary.index) };
  const kept = vocabulary.ids.flatMap((id, k) => (k === vocabulary.padIndex ? [] : [{ id, k }]));
  const items = ['', ...kept.map((x) => x.id)];
  return { items, index: new Map(kept.map((x, p) => [x.id, p + 1])), columns: Int32Array.from([-1, ...kept.map((x) => x.k)]) };
}

/** Runs `make`, turning the SDK's model-manifest errors into the CLI's E_MANIFEST. */
function asCliError<T>(dir: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof SdkError) throw new PrecisError('E_MANIFEST', `${dir}: ${String(e.details.reason ?? e.message)}`);
    throw e;
  }
}

/**
 * Verify and load a model directory: a Layers or Graph model with the manifest's
 * vocabularies, checked against the model's inputs and output.
 *
 * @example
 * const loaded = await loadModelDir('demo/models/games');
 * runModel(loaded, [historySource(['1', '2'])]);
 */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const verified = verifyModelDir(dir);
  const vocabularies = asCliError(dir, () => readVocabularies(verified, (url) => readFileSync(join(dir, url))));
  const manifest = sizedManifest(verified, vocabularies);
  const artifacts = readModelArtifacts(dir, manifest);
  const handler: tf.io.IOHandler = { load: async () => artifacts };
  const model = manifest.model.format === 'graph' ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
  const problems = signatureProblems(manifest, modelSignature(model, manifest.model.format));
  if (problems.length) {
    model.dispose();
    throw new PrecisError('E_MANIFEST', `${dir}: ${problems.join('; ')}`);
  }
  return { manifest, model, vocabularies, ...protocolItems(manifest, vocabularies), outputSize: manifest.output.size, maxLength: historyInput(manifest)?.maxLength ?? 0 };
}
