import { findBackendFactory, registerBackend } from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu/dist/backend_webgpu';
import { addConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Add';
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/BatchMatMul';
import { castConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Cast';
import { expandDimsConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/ExpandDims';
import { gatherV2Config } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/GatherV2';
import { identityConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Identity';
import { meanConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Mean';
import { multiplyConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Multiply';
import { notEqualConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/NotEqual';
import { reluConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Relu';
import { reshapeConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Reshape';
import { rsqrtConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Rsqrt';
import { sliceConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Slice';
import { softmaxConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Softmax';
import { squareConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Square';
import { subConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Sub';
import { transposeConfig } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Transpose';
import { addBackendPlugin, registerKernelsOnce } from '../backend-registry';

/** What the runtime needs of `navigator.gpu`, typed locally to keep DOM typings optional. */
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  limits: Record<string, number>;
  requestDevice(descriptor?: object): Promise<unknown>;
}
interface GpuLike {
  requestAdapter(options?: object): Promise<GpuAdapterLike | null>;
}

/** The device the live backend runs on, and whether the browser has taken it away. */
let device: { lost: Promise<unknown>; destroy(): void } | undefined;
let deviceLost = false;

const gpu = (): GpuLike | undefined => (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;

async function requestAdapter(): Promise<GpuAdapterLike | null> {
  try {
    return (await gpu()?.requestAdapter({ powerPreference: 'high-performance' })) ?? null;
  } catch {
    return null;
  }
}

// WebGPU: the visitor's GPU through compute shaders.
addBackendPlugin({
  name: 'webgpu',
  async isSupported() {
    return (await requestAdapter()) !== null;
  },
  async describeDevice() {
    const { vendor, architecture, device: name, description } = (await requestAdapter())?.info ?? {};
    return [vendor, architecture, name, description].filter(Boolean).join(' ');
  },
  isLost: () => deviceLost,
  loseContext() {
    device?.destroy(); // `lost` resolves; the next score sees it and starts afresh
    return device !== undefined;
  },
  register() {
    if (!findBackendFactory('webgpu')) {
      registerBackend('webgpu', async () => {
        const adapter = await requestAdapter();
        if (!adapter) throw new Error('no WebGPU adapter');
        const limits = adapter.limits;
        const created = (await adapter.requestDevice({
          requiredLimits: {
            maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
            maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
            maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
            maxBufferSize: limits.maxBufferSize,
            maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
            maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
          },
        })) as NonNullable<typeof device>;
        device = created;
        deviceLost = false;
        void created.lost.then(() => {
          if (device === created) deviceLost = true;
        });
        return new WebGPUBackend(created as unknown as ConstructorParameters<typeof WebGPUBackend>[0], adapter.info as never);
      }, 3);
    }
    registerKernelsOnce([
      addConfig, batchMatMulConfig, castConfig, expandDimsConfig, gatherV2Config, identityConfig, meanConfig,
      multiplyConfig, notEqualConfig, reluConfig, reshapeConfig, rsqrtConfig, sliceConfig, softmaxConfig,
      squareConfig, subConfig, transposeConfig,
    ]);
  },
});
