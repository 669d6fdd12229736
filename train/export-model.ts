/**
 * Export trained weights as a tfjs LayersModel (`model.json` + one weight shard,
 * optionally quantised) plus `items.json` and `manifest.json`.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPrecisSasrecModel, listSasrecWeights, type SasrecConfig } from '../src/model/layers';
import { quantizeFloat16, quantizeUint8, type QuantizationSpec } from './quantize';
import type { PrecisManifest } from '../src/model/manifest';
import { sha256Hex } from './manifest';

/** How each weight is stored: the item table and the rest can differ. */
export interface QuantizeOptions {
  /** Storage of `item_embedding` (the bulk of the size). */
  embedding: 'float32' | 'float16' | 'uint8';
  /** Storage of all other weights. */
  other: 'float32' | 'float16' | 'uint8';
}

/** Everything the exporter writes besides the weights. */
export interface ExportInfo {
  name: string;
  version: string;
  metrics: Record<string, unknown>;
  trainedOn: Record<string, unknown>;
}

/** File name of the single weight shard (tfjs naming). */
export const SHARD_NAME = 'group1-shard1of1.bin';

/**
 * Capture the LayersModel topology (model.json "modelTopology") of a fresh model.
 *
 * @example
 * const topology = await captureTopology(config);
 */
async function captureTopology(config: SasrecConfig): Promise<{ topology: unknown; prefix: string }> {
  const model = buildPrecisSasrecModel(config);
  let topology: unknown;
  await model.save({
    save: async (a: tf.io.ModelArtifacts) => {
      topology = a.modelTopology;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  const prefix = model.layers[1]!.name;
  model.dispose();
  return { topology, prefix };
}

/**
 * Write model.json, the weight shard, items.json and manifest.json into `dir`.
 * Returns the manifest written.
 *
 * @example
 * await exportModel('demo/models/games', config, weights, vocab.items, { embedding: 'uint8', other: 'float16' }, info);
 */
export async function exportModel(
  dir: string,
  config: SasrecConfig,
  weights: Record<string, Float32Array>,
  items: readonly string[],
  quantize: QuantizeOptions,
  info: ExportInfo,
): Promise<PrecisManifest> {
  if (items.length !== config.numItems) throw new Error(`items.json has ${items.length} entries, model has ${config.numItems}`);
  mkdirSync(dir, { recursive: true });
  const { topology, prefix } = await captureTopology(config);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const { name, shape } of listSasrecWeights(config)) {
    const values = weights[name];
    if (!values || values.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`weight ${name} missing or wrong size`);
    const mode = name === 'item_embedding' ? quantize.embedding : quantize.other;
    const spec: tf.io.WeightsManifestEntry = { name: `${prefix}/${name}`, shape, dtype: 'float32' };
    if (mode === 'uint8') {
      const q = quantizeUint8(values);
      spec.quantization = { dtype: 'uint8', scale: q.scale, min: q.min } satisfies QuantizationSpec;
      chunks.push(q.data);
    } else if (mode === 'float16') {
      spec.quantization = { dtype: 'float16' } satisfies QuantizationSpec;
      chunks.push(new Uint8Array(quantizeFloat16(values).buffer));
    } else chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    specs.push(spec);
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const shard = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    shard.set(c, off);
    off += c.length;
  }
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: 'precis train/export-model.ts',
    modelTopology: topology,
    weightsManifest: [{ paths: [SHARD_NAME], weights: specs }],
  });
  const itemsJson = JSON.stringify(items);
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, SHARD_NAME), shard);
  writeFileSync(join(dir, 'items.json'), itemsJson);
  const manifest: PrecisManifest = {
    format: 'precis-manifest@2',
    name: info.name,
    version: info.version,
    model: { url: 'model.json', format: 'layers' },
    files: {
      'model.json': sha256Hex(modelJson),
      [SHARD_NAME]: sha256Hex(shard),
      'items.json': sha256Hex(itemsJson),
    },
    vocabularies: { items: { url: 'items.json', padIndex: 0 } },
    inputs: [{ name: 'history', feature: 'itemHistory', dtype: 'int32', shape: [null, config.maxLength], vocabulary: 'items' }],
    output: { kind: 'item-scores', name: 'precis_sasrec', size: config.numItems, vocabulary: 'items' },
    customLayers: { module: 'src/model/layers', classes: ['PrecisSasrec'] },
    metrics: info.metrics,
    trainedOn: info.trainedOn,
  };
  writeManifest(dir, manifest);
  return manifest;
}

/**
 * (Re)write manifest.json, e.g. after filling in metrics. Hashes are not touched.
 *
 * @example
 * writeManifest('demo/models/games', { ...manifest, metrics });
 */
export function writeManifest(dir: string, manifest: PrecisManifest): void {
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
