import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
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
    // inlineSources: src/ is not in the package, so the maps carry the sources themselves.
    compilerOptions: { noEmit: false, declaration: false, sourceMap: true, inlineSources: true, types: [] },
  });

// The core never bundles tfjs: the model runs from the separate ML chunk.
const external = (id) => id === 'idb' || id.startsWith('@tensorflow/');

const prebidExternal = (id) => id === 'prebid.js/src/hook.js';

// Three compress passes: ~45 B gzip off the loader, whose 3 KB budget is tight, ~270 B off
// the core. Both also get arrows for the function expressions terser makes as it inlines
// (~10 B off the loader, ~15 B off the core; `unsafe` only for code that uses a function's
// `prototype` or `new`s it, which Precis's own code never does and idb's wrappers, which use
// `this`, are not turned into arrows); the core, a module, gets two passes more (~50 B).
const minify = () => terser({ ecma: 2020, module: true, compress: { passes: 5, unsafe_arrows: true } });
const minifyLoader = () => terser({ ecma: 2020, compress: { passes: 3, unsafe_arrows: true } });

const gzipSize = async (file) => gzipSync(await readFile(file), { level: 9 }).length;

/**
 * long.js (tfjs-core's 64-bit hashing) compiles a small WebAssembly module when it loads, to
 * multiply faster. In the ML chunk that would run on every page that loads the model, and a
 * page whose CSP lacks 'wasm-unsafe-eval' would report a violation each time (outside the
 * WASM backend, which checks first). Precis never hashes with it on a hot path: drop the attempt.
 */
const noLongWasm = () => ({
  name: 'no-long-wasm',
  transform(code, id) {
    if (!/[\\/]long[\\/]src[\\/]long\.js$/.test(id)) return null;
    const without = code.replace(/\r?\ntry \{\r?\n\s*wasm = new WebAssembly\.Instance\([\s\S]*?\n\} catch \(e\) \{[\s\S]*?\n\}\r?\n/, '\n');
    if (without === code) this.error('long.js changed: its WebAssembly start-up is no longer where no-long-wasm looks');
    return { code: without, map: null };
  },
});

/** The WASM backend's binaries sit next to the ML chunk, which points tfjs at them. */
const copyWasmBinaries = () => ({
  name: 'copy-wasm-binaries',
  async writeBundle() {
    await mkdir('dist', { recursive: true });
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      await copyFile(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${file}`, `dist/${file}`);
    }
    const simd = await gzipSize('dist/tfjs-backend-wasm-simd.wasm');
    console.log(`size dist/tfjs-backend-wasm-simd.wasm: ${(simd / 1024).toFixed(1)} KB gzip (binary, fetched only for the WASM backend; not in the budget)`);
  },
});

/**
 * Size budgets, in gzip bytes, that fail the build when exceeded. The ML chunk holds the
 * JS of all four backends; the .wasm binaries are reported beside it, not counted. Its lazy
 * chunks load only for a model that is not the built-in architecture: tfjs-layers and
 * tfjs-converter, then the full kernel set of the one backend in use.
 */
export const BUDGETS = {
  'dist/precis.js': 3 * 1024,
  'dist/precis-core.js': 28 * 1024,
  'dist/precis-ml.js': 200 * 1024,
  'dist/precis-ml-tfjs-models.js': 120 * 1024,
  'dist/precis-ml-all-kernels-webgpu.js': 48 * 1024,
  'dist/precis-ml-all-kernels-webgl.js': 50 * 1024,
  'dist/precis-ml-all-kernels-wasm.js': 18 * 1024,
  'dist/precis-ml-all-kernels-cpu.js': 26 * 1024,
};

/** The ML build's files, each with its budget. */
const ML_CHUNKS = Object.keys(BUDGETS).filter((file) => file.startsWith('dist/precis-ml'));

/** A plugin that fails the build when `file` is over its gzip budget, and prints its size. */
export const checkSize = (file, budget = BUDGETS[file]) => ({
  name: 'check-size',
  async writeBundle() {
    const size = await gzipSize(file);
    const line = `${file}: ${(size / 1024).toFixed(1)} KB gzip (budget ${budget / 1024} KB)`;
    if (size > budget) this.error(`over budget — ${line}`);
    console.log(`size ${line}`);
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
  // Script tag, step 1: the loader, which does the first paint and imports the core.
  {
    input: 'src/loader/loader.ts',
    plugins: [nodeResolve({ browser: true }), compile(), minifyLoader(), checkSize('dist/precis.js')],
    output: { file: 'dist/precis.js', format: 'iife', sourcemap: true },
  },
  // Script tag, step 2: the core (idb included), a module the loader imports.
  {
    input: 'src/loader/core.ts',
    plugins: [nodeResolve({ browser: true }), compile(), minify(), checkSize('dist/precis-core.js')],
    output: { file: 'dist/precis-core.js', format: 'es', sourcemap: true },
  },
  // The ML chunk: tfjs (only the kernels Precis models use), four backends, the engine.
  // It runs as a module worker or through import(). One build with code splitting, so that
  // its lazy chunks (tfjs-layers and tfjs-converter for any other model; each backend's
  // full kernel set) import the entry's one tfjs-core, whose registry holds the backends.
  {
    input: 'src/model/ml-chunk.ts',
    // The lazy chunks import the entry's internals, so the entry exports more than its API.
    preserveEntrySignatures: 'allow-extension',
    plugins: [nodeResolve({ browser: true }), noLongWasm(), commonjs(), compile(), terser(), copyWasmBinaries(), ...ML_CHUNKS.map((file) => checkSize(file))],
    output: { dir: 'dist', entryFileNames: 'precis-ml.js', chunkFileNames: 'precis-ml-[name].js', format: 'es', sourcemap: true },
    onwarn(warning, warn) {
      // tfjs's own modules use `this` at top level and circular imports; both are harmless.
      if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
      warn(warning);
    },
  },
  // `precis/layers`: importing it registers the model's custom layer classes with the
  // app's own @tensorflow/tfjs, so the model also loads with plain tf.loadLayersModel.
  {
    input: 'src/model/layers/index.ts',
    external,
    plugins: [compile()],
    output: { file: 'dist/layers.js', format: 'es', sourcemap: true },
  },
  // `precis/prebid-rtd`: the Prebid.js Real-Time Data submodule, for a publisher's own
  // Prebid build, which provides Prebid's hook module.
  {
    input: 'src/measure/prebid-rtd.ts',
    external: prebidExternal,
    plugins: [nodeResolve({ browser: true }), compile(), terser()],
    output: { file: 'dist/prebid-rtd.js', format: 'es', sourcemap: true },
  },
  // Types for the npm entries.
  ...[
    ['src/index.ts', 'dist/index.d.ts'],
    ['src/model/layers/index.ts', 'dist/layers.d.ts'],
    ['src/measure/prebid-rtd.ts', 'dist/prebid-rtd.d.ts'],
  ].map(([input, file]) => ({
    input,
    external: (id) => external(id) || prebidExternal(id),
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: { file, format: 'es' },
  })),
];
