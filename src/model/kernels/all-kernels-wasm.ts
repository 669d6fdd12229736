// A lazy chunk of its own: every wasm kernel, registered as it loads (see full-kernels.ts).
import '@tensorflow/tfjs-backend-wasm/dist/register_all_kernels';
