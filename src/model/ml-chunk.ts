/**
 * The ML chunk (`dist/precis-ml.js`): tfjs with only the kernels Precis models use, the
 * four backends, and the model engine. Loaded lazily — as a module worker, or with
 * `import()` on the main thread where workers are not available.
 */
import './backends/webgpu';
import './backends/webgl';
import './backends/wasm';
import './backends/cpu';
import { serveEngine } from './serve-engine';

export { createEngine } from './engine';
export type { Engine, EngineInfo, EngineOptions } from './engine';

// In a dedicated worker there is no document; `importScripts` is the worker's own API.
const inWorker = typeof document === 'undefined' && typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';
if (inWorker) serveEngine(globalThis as unknown as Parameters<typeof serveEngine>[0]);
