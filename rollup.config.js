import { copyFile, mkdir } from 'node:fs/promises';
import commonjs from '@rollup/plugin-commonjs';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// Only the SDK is compiled here; tests, train/ and the demo are type-checked by `tsc`.
const compile = () =>
  typescript({
    tsconfig: './tsconfig.json',
    include: ['src/**/*.ts'],
    compilerOptions: { noEmit: false, declaration: false, sourceMap: true, types: [] },
  });

// The core never bundles tfjs: the model runs from the separate ML chunk.
const external = (id) => id === 'idb' || id.startsWith('@tensorflow/');

/** The WASM backend's binaries sit next to the ML chunk, which points tfjs at them. */
const copyWasmBinaries = () => ({
  name: 'copy-wasm-binaries',
  async writeBundle() {
    await mkdir('dist', { recursive: true });
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      await copyFile(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${file}`, `dist/${file}`);
    }
  },
});

export default [
  // npm: ES module, dependencies left to the app's bundler.
  {
    input: 'src/index.ts',
    external,
    plugins: [compile()],
    output: { file: 'dist/index.js', format: 'es', sourcemap: true },
  },
  // Script tag: one self-contained, minified file.
  {
    input: 'src/loader/loader.ts',
    plugins: [nodeResolve({ browser: true }), compile(), terser()],
    output: { file: 'dist/precis.js', format: 'iife', sourcemap: true },
  },
  // The ML chunk: tfjs (only the kernels Precis models use), four backends, the engine.
  // Self-contained, so it runs as a module worker or through import().
  {
    input: 'src/ml.ts',
    plugins: [nodeResolve({ browser: true }), commonjs(), compile(), terser(), copyWasmBinaries()],
    output: { file: 'dist/precis-ml.js', format: 'es', sourcemap: true },
    onwarn(warning, warn) {
      // tfjs's own modules use `this` at top level and circular imports; both are harmless.
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
      warn(warning);
    },
  },
  // Types for the npm entry.
  {
    input: 'src/index.ts',
    external,
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: { file: 'dist/index.d.ts', format: 'es' },
  },
];
