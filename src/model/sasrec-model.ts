import { dispose, io, tensor2d, tidy, type Tensor, type Tensor2D } from '@tensorflow/tfjs-core';
import { PrecisError } from '../core/errors';
import { scoreSequences, type SasrecConfig, type SasrecWeights } from './layers/sasrec-forward';

/** The parts of a LayersModel `model.json` the runtime reads. */
interface ModelJson {
  format?: string;
  modelTopology?: { config?: { layers?: Array<{ class_name?: string; config?: Record<string, unknown> }> } };
  weightsManifest?: Array<{ paths: string[]; weights: io.WeightsManifestEntry[] }>;
}

/** A model ready to score: its weights live on the current tfjs backend. */
export interface LoadedModel {
  config: SasrecConfig;
  /** Scores of every item index for one encoded history `[maxLength]`. */
  score(history: Int32Array): Promise<Float32Array>;
  dispose(): void;
}

/** The model's weights as bytes, decoded again whenever the backend changes. */
export interface ModelSource {
  config: SasrecConfig;
  specs: io.WeightsManifestEntry[];
  buffers: ArrayBuffer[];
}

const SASREC_LAYER = 'PrecisSasrec';

/**
 * Whether `model.json` is the built-in architecture (a LayersModel with a PrecisSasrec layer).
 *
 * @example
 * isSasrecModel(files.get('model.json')); // true for the model `npm run train` exports
 */
export function isSasrecModel(modelBytes: ArrayBuffer | undefined): boolean {
  try {
    const json = JSON.parse(new TextDecoder().decode(modelBytes)) as ModelJson;
    return json.modelTopology?.config?.layers?.some((l) => l.class_name === SASREC_LAYER) ?? false;
  } catch {
    return false;
  }
}

function unsupported(reason: string): PrecisError {
  return new PrecisError('model-unsupported', { reason });
}

/**
 * Reads a Precis SASRec LayersModel (`[InputLayer, PrecisSasrec]`, as `npm run train`
 * exports it) from its verified files. Every weight shard must be one of those files.
 *
 * @example
 * const source = readSasrecSource(files, manifest.model.url);
 */
export function readSasrecSource(files: ReadonlyMap<string, ArrayBuffer>, modelPath: string): ModelSource {
  const modelBytes = files.get(modelPath);
  if (!modelBytes) throw unsupported(`missing ${modelPath}`);
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(modelBytes)) as ModelJson;
  } catch {
    throw new PrecisError('model-manifest', { reason: `${modelPath} is not JSON` });
  }
  const layer = json.modelTopology?.config?.layers?.find((l) => l.class_name === SASREC_LAYER);
  if (!layer?.config || !json.weightsManifest) throw unsupported('only Precis SASRec layers models run in the browser runtime');
  const c = layer.config;
  const config: SasrecConfig = {
    numItems: Number(c.num_items),
    maxLength: Number(c.max_length),
    hiddenUnits: Number(c.hidden_units),
    numBlocks: Number(c.num_blocks),
  };
  if (!Object.values(config).every((v) => Number.isInteger(v) && v > 0)) throw unsupported('bad PrecisSasrec config');
  const directory = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/') + 1) : '';
  const specs: io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      const bytes = files.get(directory + path);
      // Only files listed (and so verified) in the manifest may become weights.
      if (!bytes) throw new PrecisError('model-integrity', { reason: `weight file ${path} is not in the manifest` });
      buffers.push(bytes);
    }
    specs.push(...group.weights);
  }
  return { config, specs, buffers };
}

/** Inputs are cropped to this multiple, so GPU backends compile only a few shader shapes. */
const LENGTH_STEP = 10;

/**
 * How much of a left-padded input to run: its real length rounded up to LENGTH_STEP.
 * Positions are right-aligned, so the scores equal those of the full input.
 */
function croppedLength(history: Int32Array): number {
  let first = 0;
  while (first < history.length && history[first] === 0) first += 1;
  return Math.min(history.length, Math.max(LENGTH_STEP, Math.ceil((history.length - first) / LENGTH_STEP) * LENGTH_STEP));
}

/**
 * Puts the weights on the current backend and returns the scorer.
 *
 * @example
 * const model = loadSasrecModel(source);
 * const scores = model.score(encodeHistory(ids, index, model.config.maxLength));
 */
export function loadSasrecModel(source: ModelSource): LoadedModel {
  const named = io.decodeWeights(source.buffers, source.specs);
  const weights: SasrecWeights = {};
  for (const [name, tensor] of Object.entries(named)) weights[name.slice(name.lastIndexOf('/') + 1)] = tensor;
  const { config } = source;
  return {
    config,
    async score(history) {
      const cropped = history.subarray(config.maxLength - croppedLength(history));
      const scores = tidy(() =>
        scoreSequences(weights, config, tensor2d(cropped, [1, cropped.length], 'int32') as Tensor2D),
      );
      try {
        return (await scores.data()) as Float32Array;
      } finally {
        scores.dispose();
      }
    },
    dispose() {
      dispose(Object.values(weights) as Tensor[]);
    },
  };
}
