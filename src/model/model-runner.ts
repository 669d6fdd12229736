import { describeCause, PrecisError } from '../core/errors';
import type { EncodedInput } from '../features';
import type { BackendPlugin, WasmPaths } from './backend-registry';
import type { PrecisManifest } from './manifest';
import { isSasrecModel, loadSasrecModel, readSasrecSource } from './sasrec-model';

/** A model on the current backend: the manifest's encoded inputs in, its output row out. */
export interface ModelRunner {
  run(inputs: readonly EncodedInput[]): Promise<Float32Array>;
  dispose(): void;
}

/** Puts the model on the active backend (again after a lost context): its runner. */
export type LoadRunner = (plugin: BackendPlugin) => Promise<ModelRunner>;

function builtInRunner(manifest: PrecisManifest, files: ReadonlyMap<string, ArrayBuffer>): LoadRunner {
  const source = readSasrecSource(files, manifest.model.url);
  const [input, ...others] = manifest.inputs;
  const { maxLength, numItems } = source.config;
  if (others.length > 0 || input?.feature !== 'itemHistory' || input.dtype !== 'int32' || input.shape[1] !== maxLength) {
    throw new PrecisError('model-manifest', { reason: `the built-in model takes one input: itemHistory, int32, [null, ${maxLength}]` });
  }
  if (manifest.output.kind !== 'item-scores' || manifest.output.size !== numItems) {
    throw new PrecisError('model-manifest', { reason: `the built-in model gives item-scores over ${numItems} items, the manifest says ${manifest.output.kind} of size ${manifest.output.size}` });
  }
  return async () => {
    const model = loadSasrecModel(source);
    return { run: (inputs) => model.score(inputs[0]!.values as Int32Array), dispose: () => model.dispose() };
  };
}

/**
 * How to load the manifest's model: the built-in SASRec architecture on its fast path,
 * anything else through the lazy chunk with tfjs-layers and tfjs-converter.
 *
 * @example
 * const load = await prepareModel(manifest, files, { wasmPaths: '/dist/' });
 * const runner = await load(plugin);
 */
export async function prepareModel(
  manifest: PrecisManifest,
  files: ReadonlyMap<string, ArrayBuffer>,
  options: { wasmPaths: WasmPaths },
): Promise<LoadRunner> {
  if (manifest.model.format === 'layers' && isSasrecModel(files.get(manifest.model.url))) return builtInRunner(manifest, files);
  let models: typeof import('./tfjs-models');
  try {
    models = await import('./tfjs-models');
  } catch (cause) {
    throw new PrecisError('model-fetch', { reason: `the model chunk did not load: ${describeCause(cause)}` });
  }
  return (plugin) => models.loadTfjsModel(manifest, files, plugin, options);
}
