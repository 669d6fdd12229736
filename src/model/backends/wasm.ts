import { findBackendFactory, registerBackend } from '@tensorflow/tfjs-core';
import { BackendWasm, init, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/backend_wasm';
import { addConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Add';
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/BatchMatMul';
import { castConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Cast';
import { expandDimsConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ExpandDims';
import { gatherV2Config } from '@tensorflow/tfjs-backend-wasm/dist/kernels/GatherV2';
import { identityConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Identity';
import { meanConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Mean';
import { multiplyConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Multiply';
import { notEqualConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/NotEqual';
import { reluConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Relu';
import { reshapeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reshape';
import { rsqrtConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Rsqrt';
import { sliceConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Slice';
import { softmaxConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Softmax';
import { squareConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Square';
import { subConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sub';
import { transposeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Transpose';
import { addBackendPlugin, registerKernelsOnce } from '../backend-registry';

/** A minimal valid module: compiling it fails where the page's CSP forbids WebAssembly. */
const EMPTY_MODULE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

// WebAssembly (SIMD where available; single-threaded, so no cross-origin isolation needed).
addBackendPlugin({
  name: 'wasm',
  async isSupported() {
    try {
      await WebAssembly.compile(EMPTY_MODULE);
      return true;
    } catch {
      return false;
    }
  },
  register({ wasmPaths }) {
    if (!findBackendFactory('wasm')) {
      setWasmPaths(wasmPaths);
      setThreadsCount(1);
      registerBackend('wasm', async () => new BackendWasm((await init()).wasm), 2);
    }
    registerKernelsOnce([
      addConfig, batchMatMulConfig, castConfig, expandDimsConfig, gatherV2Config, identityConfig, meanConfig,
      multiplyConfig, notEqualConfig, reluConfig, reshapeConfig, rsqrtConfig, sliceConfig, softmaxConfig,
      squareConfig, subConfig, transposeConfig,
    ]);
  },
});
