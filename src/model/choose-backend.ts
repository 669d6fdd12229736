import { getBackend, removeBackend, setBackend } from '@tensorflow/tfjs-core';
import { describeCause, PrecisError } from '../core/errors';
import { backendPlugins, type BackendName, type BackendPlugin, type WasmPaths } from './backend-registry';

/** Which backend to run on: one by name, or `auto` for the one measured fastest here. */
export type BackendChoice = BackendName | 'auto';

/** How the backend was chosen, as `status().model.backendChoice` reports it. */
export interface BackendChoiceReport {
  /** `measured` now, `cached` (measured on an earlier visit), or `forced` by the `backend` option. */
  how: 'measured' | 'cached' | 'forced';
  /** Median milliseconds of one model run on each backend measured (none when forced). */
  msPerRun: Partial<Record<BackendName, number>>;
  /** Backends left out of the measurement, and why (not supported, failed to start or to run). */
  failed: Partial<Record<BackendName, string>>;
}

/** A model loaded on the active backend, to time. */
export interface ModelTrial {
  run(): Promise<unknown>;
  dispose(): void;
}

/** A measured choice as it is kept between visits. */
export interface StoredChoice {
  /** The model and the device it was measured for: another key means measure again. */
  key: string;
  backend: BackendName;
  msPerRun: Partial<Record<BackendName, number>>;
  failed: Partial<Record<BackendName, string>>;
}

/** Where a measured choice is kept (Cache Storage in the browser; see `cachedChoiceStore`). */
export interface ChoiceStore {
  read(): Promise<StoredChoice | undefined>;
  write(choice: StoredChoice): Promise<void>;
}

export interface ChooseBackendOptions {
  choice: BackendChoice;
  wasmPaths: WasmPaths;
  /** Names the model's version (e.g. name, version and weights hash): a new one is measured again. */
  modelKey: string;
  /** Loads the model on the backend just activated. */
  load(backend: BackendName): Promise<ModelTrial>;
  store: ChoiceStore;
  /** Timed runs per backend, after one untimed warm-up run (default 5). */
  runs?: number;
  /** The clock, in milliseconds (default `performance.now`). */
  now?: () => number;
  /**
   * Awaited before a GPU backend (WebGL, WebGPU) is measured: their start-up compiles shaders
   * in the browser's GPU process, which also draws the page, so the engine lets the page
   * have its first seconds first.
   */
  beforeGpu?: () => Promise<void>;
}

/** Makes `plugin` the active tfjs backend; the reason when it cannot. */
async function activate(plugin: BackendPlugin, wasmPaths: WasmPaths): Promise<string | undefined> {
  try {
    plugin.register({ wasmPaths });
    // setBackend reports failure by returning false (and leaving another backend active).
    if ((await setBackend(plugin.name)) && getBackend() === plugin.name) return undefined;
    return 'setBackend returned false';
  } catch (cause) {
    return describeCause(cause);
  }
}

/**
 * Activates `preferred`, or when this device or page cannot run it, the first of the rest
 * of BACKEND_ORDER that starts. Fails with `model-backend` when none does.
 *
 * @example
 * const plugin = await activateBackend('webgl', wasmPaths); // plugin.name: 'webgl', or a fallback
 */
export async function activateBackend(preferred: BackendName, wasmPaths: WasmPaths): Promise<BackendPlugin> {
  const plugins = backendPlugins();
  const ordered = [...plugins.filter((p) => p.name === preferred), ...plugins.filter((p) => p.name !== preferred)];
  const failures: string[] = [];
  for (const plugin of ordered) {
    if (!(await plugin.isSupported())) continue;
    const failure = await activate(plugin, wasmPaths);
    if (failure === undefined) return plugin;
    failures.push(`${plugin.name}: ${failure}`);
  }
  throw new PrecisError('model-backend', { reason: failures.join('; ') || 'no backend is available' });
}

/** The median of some numbers, to 0.01. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const value = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return Math.round(value * 100) / 100;
}

/** A backend whose timed run is this many times the best median so far has lost: stop timing it. */
const CLEARLY_SLOWER = 3;

/**
 * Median ms of `runs` model runs on the active backend, after one untimed run (shader
 * compiles, allocations); fewer runs once one shows it clearly slower than `best`.
 */
async function timeBackend(plugin: BackendPlugin, options: ChooseBackendOptions, best: number): Promise<number> {
  const now = options.now ?? (() => performance.now());
  const trial = await options.load(plugin.name);
  try {
    await trial.run();
    const times: number[] = [];
    for (let i = 0; i < (options.runs ?? 5); i += 1) {
      const start = now();
      await trial.run();
      times.push(now() - start);
      if (times[i]! > CLEARLY_SLOWER * best) break;
    }
    return median(times);
  } finally {
    trial.dispose();
  }
}

/** The device as far as speed goes: the browser, its cores, and each backend's hardware. */
async function deviceSignature(plugins: readonly BackendPlugin[]): Promise<string> {
  const nav = globalThis.navigator as { userAgent?: string; hardwareConcurrency?: number } | undefined;
  const parts = [nav?.userAgent ?? '', String(nav?.hardwareConcurrency ?? '')];
  for (const plugin of plugins) parts.push(`${plugin.name}: ${(await plugin.describeDevice?.().catch(() => '')) ?? ''}`);
  return parts.join('\n');
}

/** Frees a backend measured but not kept (a GPU context or device, a WASM instance). */
function release(name: BackendName): void {
  try {
    removeBackend(name);
  } catch {
    // never registered: nothing to free
  }
}

/**
 * Times every supported backend, keeps the fastest active, and frees the others. WASM goes
 * first: cheap to start and rarely far from the best, it lets slow backends be cut short.
 */
async function measure(supported: BackendPlugin[], failed: StoredChoice['failed'], options: ChooseBackendOptions): Promise<{ plugin: BackendPlugin; msPerRun: StoredChoice['msPerRun'] }> {
  const msPerRun: StoredChoice['msPerRun'] = {};
  let fastest: BackendPlugin | undefined;
  for (const plugin of [...supported.filter((p) => p.name === 'wasm'), ...supported.filter((p) => p.name !== 'wasm')]) {
    if (plugin.name === 'webgl' || plugin.name === 'webgpu') await options.beforeGpu?.();
    const failure = await activate(plugin, options.wasmPaths);
    if (failure !== undefined) {
      failed[plugin.name] = failure;
      continue;
    }
    try {
      msPerRun[plugin.name] = await timeBackend(plugin, options, fastest ? msPerRun[fastest.name]! : Infinity);
      if (!fastest || msPerRun[plugin.name]! < msPerRun[fastest.name]!) fastest = plugin;
    } catch (cause) {
      failed[plugin.name] = describeCause(cause);
    }
  }
  const reasons = Object.entries(failed).map(([name, reason]) => `${name}: ${reason}`).join('; ');
  if (!fastest) throw new PrecisError('model-backend', { reason: reasons || 'no backend is available' });
  const failure = await activate(fastest, options.wasmPaths);
  if (failure !== undefined) throw new PrecisError('model-backend', { reason: `${fastest.name}: ${failure}` });
  for (const plugin of supported) if (plugin !== fastest) release(plugin.name);
  return { plugin: fastest, msPerRun: Object.fromEntries(supported.flatMap((p) => (p.name in msPerRun ? [[p.name, msPerRun[p.name]]] : []))) };
}

/**
 * Picks and activates the backend to run a model on. A named `choice` is forced (with the
 * fallbacks of `activateBackend`); with `auto`, each backend this device supports is timed
 * on the model itself and the fastest kept, and that choice is stored under the model's
 * version and the device, so later loads reuse it until either changes. A backend that
 * fails to start or to run is left out, and noted.
 *
 * @example
 * const { plugin, report } = await chooseBackend({ choice: 'auto', wasmPaths, modelKey: 'games@1.0.0',
 *   store: cachedChoiceStore(manifestUrl), load: async () => {
 *     const model = loadSasrecModel(source);
 *     return { run: () => model.score(new Int32Array(50)), dispose: () => model.dispose() };
 *   } });
 * report; // { how: 'measured', msPerRun: { webgl: 4.1, wasm: 2.3, cpu: 9.8 }, failed: { webgpu: 'not supported here' } }
 */
export async function chooseBackend(options: ChooseBackendOptions): Promise<{ plugin: BackendPlugin; report: BackendChoiceReport }> {
  if (options.choice !== 'auto') {
    return { plugin: await activateBackend(options.choice, options.wasmPaths), report: { how: 'forced', msPerRun: {}, failed: {} } };
  }
  const supported: BackendPlugin[] = [];
  const failed: StoredChoice['failed'] = {};
  for (const plugin of backendPlugins()) {
    if (await plugin.isSupported()) supported.push(plugin);
    else failed[plugin.name] = 'not supported here';
  }
  const key = `${options.modelKey}\n${await deviceSignature(supported)}`;
  const cached = await options.store.read().catch(() => undefined);
  const plugin = cached?.key === key ? supported.find((p) => p.name === cached.backend) : undefined;
  if (cached && plugin && (await activate(plugin, options.wasmPaths)) === undefined) {
    return { plugin, report: { how: 'cached', msPerRun: cached.msPerRun, failed: cached.failed } };
  }
  const measured = await measure(supported, failed, options);
  await options.store.write({ key, backend: measured.plugin.name, msPerRun: measured.msPerRun, failed }).catch(() => {});
  return { plugin: measured.plugin, report: { how: 'measured', msPerRun: measured.msPerRun, failed } };
}
