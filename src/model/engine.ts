import { memory, removeBackend } from '@tensorflow/tfjs-core';
import { PrecisError } from '../core/errors';
import { createVocabulary, encodeInputs, type FeatureSource } from '../features';
import type { BackendName, WasmPaths } from './backend-registry';
import { cachedChoiceStore } from './choice-store';
import { activateBackend, chooseBackend, type BackendChoice, type BackendChoiceReport } from './choose-backend';
import { fetchModel } from './fetch-model';
import { historyInput, type ModelJob } from './manifest';
import { loadSasrecModel, readSasrecSource, type LoadedModel, type ModelSource } from './sasrec-model';

export type { BackendChoice } from './choose-backend';

export interface EngineOptions {
  manifestUrl: string;
  backend: BackendChoice;
  timeoutMs: number;
  maxAgeMs: number;
  /** Where the `.wasm` binaries are (a directory URL ending in `/`). */
  /** Where the WASM binaries are (see `WasmPaths`). */
  wasmPaths: WasmPaths;
}

/** What `init` tells the caller about the loaded model. */
export interface EngineInfo {
  backend: BackendName;
  name: string;
  version: string;
  /** The model's job (the manifest's `output.kind`). */
  job: ModelJob;
  /**
   * What each output column is: item ids for `item-scores` (`labels[0]` is padding when the
   * vocabulary pads at 0), creative ids for `creative-scores`, `['propensity']` for a
   * propensity model (its column: `column`).
   */
  labels: string[];
  /** The output column a propensity model's probability is in. */
  column: number;
  fromCache: boolean;
  /** How `backend` was chosen, and what each backend measured. */
  backendChoice: BackendChoiceReport;
}

/**
 * The model runtime, wherever tfjs runs (a worker, or the main thread as a fallback):
 * loads and verifies the model, picks a backend, and turns histories into scores.
 */
export interface Engine {
  readonly info: EngineInfo;
  /** The model's output row for one visitor's features. */
  score(source: FeatureSource): Promise<Float32Array>;
  /** Live tensors, for leak checks. */
  numTensors(): number;
  /** Loses the WebGL context on purpose (tests of recovery); false if not on WebGL. */
  loseContext(): boolean;
  dispose(): void;
}

/**
 * Loads, verifies and prepares a model.
 *
 * @example
 * const engine = await createEngine({ manifestUrl: '/models/games/manifest.json', backend: 'auto',
 *   timeoutMs: 10000, maxAgeMs: 3600000, wasmPaths: '/dist/' });
 * const scores = await engine.score(featureSource(events, profile.categories, Date.now()));
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const { manifest, files, fromCache } = await fetchModel(options.manifestUrl, options);
  if (manifest.model.format !== 'layers') throw new PrecisError('model-unsupported', { reason: 'graph models are not supported yet' });
  const source: ModelSource = readSasrecSource(files, manifest.model.url);
  const history = historyInput(manifest);
  if (!history) throw new PrecisError('model-unsupported', { reason: 'the built-in model takes one item history' });
  const items = parseItems(files.get(history.itemsUrl));
  if (items.length !== source.config.numItems) {
    throw new PrecisError('model-manifest', { reason: `items.json has ${items.length} ids, the model ${source.config.numItems}` });
  }
  const vocabularies = new Map([[manifest.inputs[0]!.vocabulary!, createVocabulary(items)]]);
  const maxLength = history.maxLength;

  const warmUp = new Int32Array(maxLength);
  const chosen = await chooseBackend({
    choice: options.backend, wasmPaths: options.wasmPaths, store: cachedChoiceStore(options.manifestUrl),
    modelKey: `${manifest.name}@${manifest.version} ${manifest.files[manifest.model.url] ?? ''}`,
    load: async () => {
      const trial = loadSasrecModel(source);
      return { run: () => trial.score(warmUp), dispose: () => trial.dispose() };
    },
  });
  let plugin = chosen.plugin;
  let model: LoadedModel = loadSasrecModel(source);
  // Warm up: the first run compiles shaders and allocates; let no visitor's decision pay.
  await model.score(warmUp);

  /** After a lost context or device: a fresh backend, the same kind if it comes back, else the next. */
  async function recover(): Promise<void> {
    model.dispose();
    removeBackend(plugin.name);
    plugin = await activateBackend(plugin.name, options.wasmPaths);
    model = loadSasrecModel(source);
  }

  const info: EngineInfo = { backend: plugin.name, name: manifest.name, version: manifest.version, job: 'item-scores', labels: items, column: 0, fromCache, backendChoice: chosen.report };
  return {
    info,
    async score(features) {
      const input = encodeInputs(manifest.inputs, features, vocabularies)[0]!.values as Int32Array;
      if (plugin.isLost?.()) await recover();
      let scores: Float32Array;
      try {
        scores = await model.score(input);
        // A context lost mid-run can return zeros instead of failing: check after, too.
        if (plugin.isLost?.()) throw new Error('lost');
      } catch {
        await recover();
        scores = await model.score(input);
      }
      info.backend = plugin.name;
      return scores;
    },
    numTensors: () => memory().numTensors,
    loseContext: () => plugin.loseContext?.() ?? false,
    dispose() {
      model.dispose();
    },
  };
}

function parseItems(bytes: ArrayBuffer | undefined): string[] {
  try {
    const items: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (Array.isArray(items) && items.every((id) => typeof id === 'string')) return items as string[];
  } catch {
    // reported below
  }
  throw new PrecisError('model-manifest', { reason: 'items.json must be an array of strings' });
}

