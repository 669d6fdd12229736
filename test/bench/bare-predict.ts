// The baseline for the benchmark: the same model through plain TensorFlow.js
// (tf.loadLayersModel + model.predict), with nothing of the Precis runtime around it.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '../../src/model/layers'; // registers the PrecisSasrec layer class

export async function loadBare(backend: string, modelUrl: string, wasmBase: string): Promise<tf.LayersModel> {
  setWasmPaths(wasmBase);
  if (!(await tf.setBackend(backend))) throw new Error(`setBackend(${backend}) failed`);
  return tf.loadLayersModel(modelUrl);
}

/** One prediction as an app would make it: tensor in, scores read back, tensors freed. */
export async function predictOnce(model: tf.LayersModel, input: Int32Array): Promise<Float32Array> {
  const x = tf.tensor2d(input, [1, input.length], 'int32');
  const y = model.predict(x) as tf.Tensor;
  const scores = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return scores;
}
