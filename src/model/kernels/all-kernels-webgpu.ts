// A lazy chunk of its own: every webgpu kernel, registered as it loads (see full-kernels.ts).
import '@tensorflow/tfjs-backend-webgpu/dist/register_all_kernels';
