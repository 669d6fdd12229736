import { getBackend, memory, removeBackend, setBackend } from '@tensorflow/tfjs-core';
import { describeCause, PrecisError } from '../core/errors';
import { buildItemIndex, encodeHistory } from '../features';
import { backendPlugins, type BackendName, type BackendPlugin, type WasmPaths } from './backend-registry';
import { fetchModel } from './fetch-model';
import { loadSasrecModel, readSasrecSource, type LoadedModel, type ModelSource } from './sasrec-model';

/** Which backend to run on: one by name, or `auto` for the fastest that works here. */
export type BackendChoice = BackendName | 'auto';

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
  /** `items[i]` is the external id of model index i (`items[0]` is padding). */
  items: string[];
  maxLength: number;
  fromCache: boolean;
}

/**
 * The model runtime, wherever tfjs runs (a worker, or the main thread as a fallback):
 * loads and verifies the model, picks a backend, and turns histories into scores.
 */
export interface Engine {
  readonly info: EngineInfo;
  /** Scores of every model item for a history of external item ids (oldest first). */
  score(history: readonly string[]): Promise<Float32Array>;
  /** Live tensors, for leak checks. */
  numTensors(): number;
  /** Loses the WebGL context on purpose (tests of recovery); false if not on WebGL. */
  loseContext(): boolean;
  dispose(): void;
}

/**
 * Tries backends in order until one initialises: the chosen one first, then the rest of
 * BACKEND_ORDER. With `auto`, software GPUs are skipped (WASM beats them).
 *
 * @example
 * const backend = await activateBackend('auto', wasmPaths);
 */
export async function activateBackend(choice: BackendChoice, wasmPaths: WasmPaths): Promise<BackendPlugin> {
  const plugins = backendPlugins();
  const ordered = choice === 'auto' ? plugins : [...plugins.filter((p) => p.name === choice), ...plugins.filter((p) => p.name !== choice)];
  const failures: string[] = [];
  for (const plugin of ordered) {
    if (!(await plugin.isSupported())) continue;
    if (choice === 'auto' && (plugin.name === 'webgpu' || plugin.name === 'webgl') && !(await plugin.isAccelerated())) continue;
    try {
      plugin.register({ wasmPaths });
      // setBackend reports failure by returning false (and leaving another backend active).
      if ((await setBackend(plugin.name)) && getBackend() === plugin.name) return plugin;
      failures.push(`${plugin.name}: setBackend returned false`);
    } catch (cause) {
      failures.push(`${plugin.name}: ${describeCause(cause)}`);
    }
  }
  throw new PrecisError('model-backend', { reason: failures.join('; ') || 'no backend is available' });
}

/**
 * Loads, verifies and prepares a model.
 *
 * @example
 * const engine = await createEngine({ manifestUrl: '/models/games/manifest.json', backend: 'auto',
 *   timeoutMs: 10000, maxAgeMs: 3600000, wasmPaths: '/dist/' });
 * const scores = await engine.score(['22120', '11833']);
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const { manifest, files, fromCache } = await fetchModel(options.manifestUrl, options);
  if (manifest.model.format !== 'layers') throw new PrecisError('model-unsupported', { reason: 'graph models are not supported yet' });
  const source: ModelSource = readSasrecSource(files, manifest.model.url);
  const items = parseItems(files.get(manifest.items.url));
  if (items.length !== source.config.numItems) {
    throw new PrecisError('model-manifest', { reason: `items.json has ${items.length} ids, the model ${source.config.numItems}` });
  }
  const index = buildItemIndex(items);
  const maxLength = manifest.input.maxLength;

  let plugin = await activateBackend(options.backend, options.wasmPaths);
  let model: LoadedModel = loadSasrecModel(source);
  // Warm up: the first run compiles shaders and allocates; let no visitor's decision pay.
  await model.score(new Int32Array(maxLength));

  /** After a lost context or device: a fresh backend, the same kind if it comes back, else the next. */
  async function recover(): Promise<void> {
    model.dispose();
    removeBackend(plugin.name);
    plugin = await activateBackend(plugin.name, options.wasmPaths);
    model = loadSasrecModel(source);
  }

  const info: EngineInfo = { backend: plugin.name, name: manifest.name, version: manifest.version, items, maxLength, fromCache };
  return {
    info,
    async score(history) {
      const input = encodeHistory(history, index, maxLength);
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

