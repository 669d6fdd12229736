import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
// @ts-expect-error -- the build config is plain JavaScript, without types
import { BUDGETS, checkSize } from '../../rollup.config.js';

const dir = await mkdtemp(join(tmpdir(), 'precis-size-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs the plugin as rollup would, with `this.error` failing the build. */
async function run(file: string, budget: number): Promise<void> {
  const plugin = checkSize(file, budget) as { writeBundle(this: { error(message: string): never }): Promise<void> };
  await plugin.writeBundle.call({ error: (message: string) => { throw new Error(message); } });
}

describe('size budgets', () => {
  it('are loader 3 KB (the issue’s, never raised), core 28 KB, ML chunk 200 KB, and the lazy model and kernel chunks (gzip)', () => {
    expect(BUDGETS).toEqual({
      'dist/precis.js': 3 * 1024,
      'dist/precis-core.js': 28 * 1024,
      'dist/precis-ml.js': 200 * 1024,
      'dist/precis-ml-tfjs-models.js': 120 * 1024,
      'dist/precis-ml-all-kernels-webgpu.js': 48 * 1024,
      'dist/precis-ml-all-kernels-webgl.js': 50 * 1024,
      'dist/precis-ml-all-kernels-wasm.js': 18 * 1024,
      'dist/precis-ml-all-kernels-cpu.js': 26 * 1024,
    });
  });

  it('fail the build when a file is over its budget, and pass it otherwise', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const file = join(dir, 'bundle.js');
    await writeFile(file, randomBytes(4096)); // incompressible: ~4 KB gzip
    await expect(run(file, 3 * 1024)).rejects.toThrow(/over budget/);
    await expect(run(file, 8 * 1024)).resolves.toBeUndefined();
  });
});
