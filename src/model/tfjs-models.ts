/**
 * The lazy chunk for any TensorFlow.js model (`dist/precis-ml-tfjs-models.js`):
 * tfjs-layers and tfjs-converter, fetched only when the manifest's model is not the
 * built-in architecture.
 */
import { dispose, tensor, tidy, type NamedTensorMap, type Tensor } from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { PrecisError, toPrecisError } from '../core/errors';
import type { EncodedInput } from '../features';
import type { BackendPlugin, WasmPaths } from './backend-registry';
import { registerFullKernels } from './full-kernels';
import type { PrecisManifest } from './manifest';
import { verifiedFiles } from './model-files';
import type { ModelRunner } from './model-runner';
import { answersTo, chooseOutput, modelSignature, signatureProblems, type ModelSignature } from './model-signature';

/** The encoded input for each of the model's inputs, in the model's order. */
function fed(signature: ModelSignature, inputs: readonly EncodedInput[]): Tensor[] {
  return signature.inputs.map((declared) => {
    const input = inputs.find((candidate) => answersTo(declared, candidate.name))!;
    return tensor(input.values, input.shape, input.dtype);
  });
}

async function row(output: Tensor): Promise<Float32Array> {
  try {
    const values = await output.data();
    return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  } finally {
    output.dispose();
  }
}

function layersRunner(model: LayersModel, signature: ModelSignature, outputIndex: number): ModelRunner {
  return {
    async run(inputs) {
      return row(tidy(() => {
        const predicted = model.predict(fed(signature, inputs));
        return Array.isArray(predicted) ? predicted[outputIndex]! : predicted;
      }));
    },
    dispose: () => model.dispose(),
  };
}

function graphRunner(model: GraphModel, signature: ModelSignature, outputName: string): ModelRunner {
  return {
    async run(inputs) {
      const tensors = fed(signature, inputs);
      const feed: NamedTensorMap = Object.fromEntries(signature.inputs.map((declared, k) => [declared.names[0]!, tensors[k]!]));
      try {
        return await row((await model.executeAsync(feed, outputName)) as Tensor);
      } finally {
        dispose(tensors);
      }
    },
    dispose: () => model.dispose(),
  };
}

/**
 * Loads a Layers or Graph model on the active backend (with that backend's full kernel
 * set), checks the manifest against what the model declares (`model-manifest` when they
 * disagree), and returns its runner.
 *
 * @example
 * const runner = await loadTfjsModel(manifest, files, plugin, { wasmPaths: '/dist/' });
 * const row = await runner.run(encodeInputs(manifest.inputs, source, vocabularies));
 */
export async function loadTfjsModel(
  manifest: PrecisManifest,
  files: ReadonlyMap<string, ArrayBuffer>,
  plugin: BackendPlugin,
  options: { wasmPaths: WasmPaths },
): Promise<ModelRunner> {
  await registerFullKernels(plugin, options);
  const handler = verifiedFiles(files, manifest.model.url);
  const layers = manifest.model.format === 'layers';
  let model: LayersModel | GraphModel;
  try {
    model = layers ? await loadLayersModel(handler) : await loadGraphModel(handler);
  } catch (cause) {
    throw toPrecisError(cause, 'model-unsupported'); // an unknown layer class or op, a graph read as layers…
  }
  const signature = modelSignature(model, manifest.model.format);
  const problems = signatureProblems(manifest, signature);
  if (problems.length > 0) {
    model.dispose();
    throw new PrecisError('model-manifest', { reason: problems.join('; ') });
  }
  const output = chooseOutput(signature, manifest.output.name)!;
  return layers
    ? layersRunner(model as LayersModel, signature, signature.outputs.indexOf(output))
    : graphRunner(model as GraphModel, signature, output.names[0]!);
}
