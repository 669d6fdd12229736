// A lazy chunk of its own: every webgl kernel, registered as it loads (see full-kernels.ts).
import '@tensorflow/tfjs-backend-webgl/dist/register_all_kernels';
