import { registerBackend, findBackendFactory } from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu/dist/backend_cpu';
import { addConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Add';
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/BatchMatMul';
import { castConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Cast';
import { expandDimsConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/ExpandDims';
import { gatherV2Config } from '@tensorflow/tfjs-backend-cpu/dist/kernels/GatherV2';
import { identityConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Identity';
import { meanConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Mean';
import { multiplyConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Multiply';
import { notEqualConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/NotEqual';
import { reluConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Relu';
import { reshapeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Reshape';
import { rsqrtConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Rsqrt';
import { sliceConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Slice';
import { softmaxConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Softmax';
import { squareConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Square';
import { subConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Sub';
import { transposeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Transpose';
import { addBackendPlugin, registerKernelsOnce } from '../backend-registry';

// Plain JavaScript: always there, the last resort.
addBackendPlugin({
  name: 'cpu',
  isSupported: async () => true,
  register() {
    if (!findBackendFactory('cpu')) registerBackend('cpu', () => new MathBackendCPU(), 1);
    registerKernelsOnce([
      addConfig, batchMatMulConfig, castConfig, expandDimsConfig, gatherV2Config, identityConfig, meanConfig,
      multiplyConfig, notEqualConfig, reluConfig, reshapeConfig, rsqrtConfig, sliceConfig, softmaxConfig,
      squareConfig, subConfig, transposeConfig,
    ]);
  },
});
