/**
 * Node set-up of the tfjs wasm backend, plus a fast JS `UnsortedSegmentSum`
 * kernel for wasm (the gradient of `gather`, i.e. of embedding look-ups), which
 * the wasm backend does not implement.
 */
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { PrecisError } from './errors';

interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let kernelRegistered = false;

/**
 * Register the scatter-add (`UnsortedSegmentSum`) kernel for the wasm backend.
 * Idempotent.
 *
 * @example
 * registerScatterAddKernel();
 * tf.unsortedSegmentSum(tf.ones([3, 2]), tf.tensor1d([0, 2, 0], 'int32'), 3); // [[2,2],[0,0],[1,1]]
 */
export function registerScatterAddKernel(): void {
  if (kernelRegistered) return;
  kernelRegistered = true;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const be = backend as unknown as WasmBackendLike;
      const x = inputs.x as tf.TensorInfo;
      const ids = inputs.segmentIds as tf.TensorInfo;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      if (x.dtype !== 'float32') throw new Error('UnsortedSegmentSum(wasm): only float32 supported');
      const rows = ids.shape.reduce((a, b) => a * b, 1);
      const inner = x.shape.slice(ids.shape.length).reduce((a, b) => a * b, 1);
      const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
      const out = be.makeOutput(outShape, 'float32');
      // Views must be taken after makeOutput (it may grow the heap).
      const src = be.typedArrayFromHeap(x) as Float32Array;
      const seg = be.typedArrayFromHeap(ids) as Int32Array;
      const dst = be.typedArrayFromHeap(out) as Float32Array;
      dst.fill(0);
      for (let r = 0; r < rows; r++) {
        const s = seg[r]!;
        if (s < 0 || s >= numSegments) continue;
        const so = r * inner;
        const dofs = s * inner;
        for (let k = 0; k < inner; k++) dst[dofs + k]! += src[so + k]!;
      }
      return out;
    },
  });
}

/**
 * Select the wasm backend (SIMD when available), register the custom kernel and
 * report what was enabled. Throws PrecisError E_BACKEND if wasm cannot be set.
 *
 * @example
 * const info = await initWasmBackend();
 * console.error(info); // { backend: 'wasm', simd: true, threads: 1 }
 */
export async function initWasmBackend(threads = 2): Promise<{ backend: string; simd: boolean; threads: number }> {
  registerScatterAddKernel();
  // Multi-threading needs SharedArrayBuffer + workers; in Node the wasm backend
  // reports no thread support, so this only matters where it is supported.
  wasm.setThreadsCount(threads);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new PrecisError('E_BACKEND', 'could not initialise the tfjs wasm backend');
  await tf.ready();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const mt = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return { backend: tf.getBackend(), simd, threads: mt ? wasm.getThreadsCount() : 1 };
}
