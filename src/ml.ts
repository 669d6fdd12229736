/**
 * The ML chunk (`dist/precis-ml.js`): tfjs with only the kernels Precis models use, the
 * four backends, and the model engine. Loaded lazily — as a module worker, or with
 * `import()` on the main thread where workers are not available.
 */
import './model/backends/webgpu';
import './model/backends/webgl';
import './model/backends/wasm';
import './model/backends/cpu';
import { serveEngine } from './model/serve-engine';

export { createEngine } from './model/engine';
export type { Engine, EngineInfo, EngineOptions } from './model/engine';

// In a dedicated worker there is no document; `importScripts` is the worker's own API.
const inWorker = typeof document === 'undefined' && typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';
if (inWorker) serveEngine(globalThis as unknown as Parameters<typeof serveEngine>[0]);
