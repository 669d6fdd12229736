import { io } from '@tensorflow/tfjs-core';
import { PrecisError } from '../core/errors';

/**
 * A tfjs IOHandler over a model's verified files: `model.json` and the weight shards it
 * lists, each of which must be one of those files (else `model-integrity`).
 *
 * @example
 * const model = await loadGraphModel(verifiedFiles(files, manifest.model.url));
 */
export function verifiedFiles(files: ReadonlyMap<string, ArrayBuffer>, modelPath: string): io.IOHandler {
  const directory = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/') + 1) : '';
  return {
    async load() {
      let json: io.ModelJSON;
      try {
        json = JSON.parse(new TextDecoder().decode(files.get(modelPath))) as io.ModelJSON;
      } catch {
        throw new PrecisError('model-manifest', { reason: `${modelPath} is not JSON` });
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new PrecisError('model-unsupported', { reason: `${modelPath} is not a TensorFlow.js model (no modelTopology or weightsManifest)` });
      }
      return io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers = manifest.flatMap((group) =>
          group.paths.map((path) => {
            const bytes = files.get(directory + path);
            // Only files listed (and so verified) in the manifest may become weights.
            if (!bytes) throw new PrecisError('model-integrity', { reason: `weight file ${path} is not in the manifest` });
            return bytes;
          }),
        );
        return [manifest.flatMap((group) => group.weights), buffers];
      });
    },
  };
}
