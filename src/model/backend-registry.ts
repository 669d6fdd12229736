import { getKernel, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';

/** The backends Precis can run a model on, fastest first on typical hardware. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * A backend as the runtime sees it. Each lives in `backends/` and adds itself with
 * `addBackendPlugin`; the runtime never imports one by name.
 */
/**
 * Where the WASM backend finds its binaries: a directory URL (ending in `/`), or a URL
 * per file name (`tfjs-backend-wasm.wasm`, `-simd.wasm`, `-threaded-simd.wasm`).
 */
export type WasmPaths = string | Record<string, string>;

export interface BackendPlugin {
  name: BackendName;
  /** Can this device run it at all (API present, allowed by the page's CSP)? */
  isSupported(): Promise<boolean>;
  /**
   * What hardware it would run on (the GPU adapter or renderer), for the device signature
   * under which a measured choice is cached; absent where there is nothing to tell.
   */
  describeDevice?(): Promise<string>;
  /** Registers the tfjs backend and its kernels (idempotent). */
  register(options: { wasmPaths: WasmPaths }): void;
  /** True once the GPU context or device is lost; the runtime then starts afresh. */
  isLost?(): boolean;
  /** Loses the context on purpose, to test recovery; false when it cannot. */
  loseContext?(): boolean;
}

const plugins = new Map<BackendName, BackendPlugin>();

/**
 * Makes a backend available to the runtime.
 *
 * @example
 * addBackendPlugin({ name: 'cpu', isSupported: async () => true, register });
 */
export function addBackendPlugin(plugin: BackendPlugin): void {
  plugins.set(plugin.name, plugin);
}

/**
 * The plugins added so far, in BACKEND_ORDER.
 *
 * @example
 * backendPlugins().map((p) => p.name); // ['webgpu', 'webgl', 'wasm', 'cpu']
 */
export function backendPlugins(): BackendPlugin[] {
  return BACKEND_ORDER.flatMap((name) => plugins.get(name) ?? []);
}

/**
 * Registers kernel configs once each; a custom bundle registers only what the model uses.
 *
 * @example
 * registerKernelsOnce([addConfig, reshapeConfig]);
 */
export function registerKernelsOnce(configs: readonly KernelConfig[]): void {
  for (const config of configs) {
    if (!getKernel(config.kernelName, config.backendName)) registerKernel(config);
  }
}
