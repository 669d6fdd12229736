import { findBackend, findBackendFactory, registerBackend } from '@tensorflow/tfjs-core';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl/dist/backend_webgl';
import { addConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Add';
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/BatchMatMul';
import { castConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Cast';
import { expandDimsConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/ExpandDims';
import { gatherV2Config } from '@tensorflow/tfjs-backend-webgl/dist/kernels/GatherV2';
import { identityConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Identity';
import { meanConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Mean';
import { multiplyConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Multiply';
import { notEqualConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/NotEqual';
import { reluConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Relu';
import { reshapeConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Reshape';
import { rsqrtConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Rsqrt';
import { sliceConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Slice';
import { softmaxConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Softmax';
import { squareConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Square';
import { subConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Sub';
import { transposeConfig } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Transpose';
import { addBackendPlugin, registerKernelsOnce } from '../backend-registry';

/** The GL context of the live webgl backend, if there is one. */
const activeContext = (): WebGL2RenderingContext | undefined =>
  (findBackend('webgl') as MathBackendWebGL | null)?.gpgpu?.gl as WebGL2RenderingContext | undefined;

function createCanvas(): OffscreenCanvas | HTMLCanvasElement | undefined {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  return typeof document === 'undefined' ? undefined : document.createElement('canvas');
}

// WebGL 2, in a worker through OffscreenCanvas.
addBackendPlugin({
  name: 'webgl',
  async isSupported() {
    return createCanvas()?.getContext('webgl2') != null;
  },
  async describeDevice() {
    const gl = createCanvas()?.getContext('webgl2') as WebGL2RenderingContext | null | undefined;
    if (!gl) return '';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = info ? `${gl.getParameter(info.UNMASKED_VENDOR_WEBGL)} ${gl.getParameter(info.UNMASKED_RENDERER_WEBGL)}` : gl.getParameter(gl.RENDERER);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return String(renderer);
  },
  isLost: () => activeContext()?.isContextLost() ?? false,
  loseContext() {
    const lose = activeContext()?.getExtension('WEBGL_lose_context');
    lose?.loseContext();
    return lose !== undefined && lose !== null;
  },
  register() {
    if (!findBackendFactory('webgl')) registerBackend('webgl', () => new MathBackendWebGL(), 2);
    registerKernelsOnce([
      addConfig, batchMatMulConfig, castConfig, expandDimsConfig, gatherV2Config, identityConfig, meanConfig,
      multiplyConfig, notEqualConfig, reluConfig, reshapeConfig, rsqrtConfig, sliceConfig, softmaxConfig,
      squareConfig, subConfig, transposeConfig,
    ]);
  },
});
