// A lazy chunk of its own: every cpu kernel, registered as it loads (see full-kernels.ts).
import '@tensorflow/tfjs-backend-cpu/dist/register_all_kernels';
