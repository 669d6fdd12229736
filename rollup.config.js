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

const external = (id) => id === 'idb' || id.startsWith('@tensorflow/');

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
  // Types for the npm entry.
  {
    input: 'src/index.ts',
    external,
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: { file: 'dist/index.d.ts', format: 'es' },
  },
];
