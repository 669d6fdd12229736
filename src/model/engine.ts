import { memory, removeBackend } from '@tensorflow/tfjs-core';
import { PrecisError } from '../core/errors';
import { encodeInputs, featureSource, type FeatureSource } from '../features';
import { backendPlugins, type BackendName, type WasmPaths } from './backend-registry';
import { cachedChoiceStore } from './choice-store';
import { activateBackend, chooseBackend, type BackendChoice, type BackendChoiceReport } from './choose-backend';
import { fetchModel } from './fetch-model';
import type { ModelJob } from './manifest';
import { prepareModel } from './model-runner';
import { widthProblem } from './output-width';
import { outputLabels, readVocabularies, sizedManifest } from './model-vocabularies';

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
  /** The label that is padding, never an item: the item-scores vocabulary's `padIndex`; null for none. */
  padIndex: number | null;
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
 * When `auto` measures the backends, the GPU ones wait this long after the engine starts:
 * their shader compiles share the browser's GPU process with the page's own frames.
 */
const GPU_MEASURE_AFTER_MS = 3000;

/** A visitor without events, for the warm-up run. */
const NOBODY: FeatureSource = featureSource([], new Map(), 0);

/**
 * Loads, verifies and prepares a model: the built-in architecture on its fast path, any
 * other TensorFlow.js Layers or Graph model through the lazy model chunk.
 *
 * @example
 * const engine = await createEngine({ manifestUrl: '/models/games/manifest.json', backend: 'auto',
 *   timeoutMs: 10000, maxAgeMs: 3600000, wasmPaths: '/dist/' });
 * const scores = await engine.score(featureSource(events, profile.categories, Date.now()));
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const fetched = await fetchModel(options.manifestUrl, options);
  const { files, fromCache } = fetched;
  const vocabularies = readVocabularies(fetched.manifest, (url) => files.get(url));
  const manifest = sizedManifest(fetched.manifest, vocabularies);
  const load = await prepareModel(manifest, files, options);
  const encode = (source: FeatureSource) => encodeInputs(manifest.inputs, source, vocabularies);

  const warmUp = encode(NOBODY);
  const gpuMeasuredFrom = Date.now() + GPU_MEASURE_AFTER_MS;
  const plugins = new Map(backendPlugins().map((plugin) => [plugin.name, plugin]));
  const chosen = await chooseBackend({
    choice: options.backend, wasmPaths: options.wasmPaths, store: cachedChoiceStore(options.manifestUrl),
    modelKey: `${manifest.name}@${manifest.version} ${manifest.files[manifest.model.url] ?? ''}`,
    beforeGpu: () => new Promise((resolve) => setTimeout(resolve, gpuMeasuredFrom - Date.now())),
    load: async (name) => {
      const trial = await load(plugins.get(name)!);
      return { run: () => trial.run(warmUp), dispose: () => trial.dispose() };
    },
  });
  let plugin = chosen.plugin;
  let model = await load(plugin);
  // Warm up: the first run compiles shaders and allocates; let no visitor's decision pay.
  const problem = widthProblem((await model.run(warmUp)).length, manifest.output.size);
  if (problem) {
    model.dispose();
    throw new PrecisError('model-manifest', { reason: problem });
  }

  /** After a lost context or device: a fresh backend, the same kind if it comes back, else the next. */
  async function recover(): Promise<void> {
    model.dispose();
    removeBackend(plugin.name);
    plugin = await activateBackend(plugin.name, options.wasmPaths);
    model = await load(plugin);
  }

  const info: EngineInfo = {
    backend: plugin.name, name: manifest.name, version: manifest.version, job: manifest.output.kind, ...outputLabels(manifest, vocabularies), fromCache,
    padIndex: manifest.output.kind === 'item-scores' ? vocabularies.get(manifest.output.vocabulary)!.padIndex : null,
    backendChoice: chosen.report,
  };
  return {
    info,
    async score(features) {
      const inputs = encode(features);
      if (plugin.isLost?.()) await recover();
      let scores: Float32Array;
      try {
        scores = await model.run(inputs);
        // A context lost mid-run can return zeros instead of failing: check after, too.
        if (plugin.isLost?.()) throw new Error('lost');
      } catch {
        await recover();
        scores = await model.run(inputs);
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
