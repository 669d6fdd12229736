import { findBackend, getKernelsForBackend, unregisterKernel } from '@tensorflow/tfjs-core';
import { describeCause, PrecisError } from '../core/errors';
import type { BackendName, BackendPlugin, WasmPaths } from './backend-registry';

/** Each backend's full kernel set, a lazy chunk that registers its kernels as it loads. */
const FULL_KERNELS: Readonly<Record<BackendName, () => Promise<unknown>>> = {
  webgpu: () => import('./kernels/all-kernels-webgpu'),
  webgl: () => import('./kernels/all-kernels-webgl'),
  wasm: () => import('./kernels/all-kernels-wasm'),
  cpu: () => import('./kernels/all-kernels-cpu'),
};

const loaded = new Set<BackendName>();

/**
 * Registers every kernel of the active backend (a Layers or Graph model may use any op),
 * fetching only that backend's chunk. The built-in model's small set is unregistered
 * first (the chunk registers those again), so that no kernel is registered twice.
 *
 * @example
 * await registerFullKernels(plugin, { wasmPaths: '/dist/' });
 */
export async function registerFullKernels(plugin: BackendPlugin, options: { wasmPaths: WasmPaths }): Promise<void> {
  const name = plugin.name;
  if (!loaded.has(name)) {
    for (const kernel of getKernelsForBackend(name)) unregisterKernel(kernel.kernelName, name);
    try {
      await FULL_KERNELS[name]();
      loaded.add(name);
    } catch (cause) {
      throw new PrecisError('model-fetch', { reason: `the ${name} kernels did not load: ${describeCause(cause)}` });
    } finally {
      plugin.register(options); // puts back any of the small set that is missing
    }
  }
  // WASM kernels bind their functions when the backend starts: bind those registered since.
  const instance = findBackend(name);
  for (const kernel of getKernelsForBackend(name)) if (instance) kernel.setupFunc?.(instance);
}
