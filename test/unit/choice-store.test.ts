import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedChoiceStore } from '../../src/model/choice-store';

// A Cache Storage stand-in: one Map per cache name, Responses stored as they are put.
let caches: Map<string, Map<string, Response>>;
const global = globalThis as { caches?: unknown };

beforeEach(() => {
  caches = new Map();
  global.caches = {
    async open(name: string) {
      const cache = caches.get(name) ?? new Map<string, Response>();
      caches.set(name, cache);
      return {
        match: async (url: string) => cache.get(url)?.clone(),
        put: async (url: string, response: Response) => void cache.set(url, response),
      };
    },
  };
});
afterEach(() => {
  delete global.caches;
});

const MANIFEST = 'https://shop.example/models/games/manifest.json';
const choice = { key: 'games@1.0.0 abc\nua', backend: 'wasm' as const, msPerRun: { webgl: 9.5, wasm: 2.25 }, failed: { webgpu: 'not supported here' } };

describe('cachedChoiceStore', () => {
  it('keeps one choice per manifest URL, apart from the model files', async () => {
    await cachedChoiceStore(MANIFEST).write(choice);
    expect(await cachedChoiceStore(MANIFEST).read()).toEqual(choice);
    expect(await cachedChoiceStore('https://shop.example/models/other/manifest.json').read()).toBeUndefined();
    expect([...caches.keys()]).toEqual(['precis-backend-choice']);
    await cachedChoiceStore(MANIFEST).write({ ...choice, backend: 'webgl' });
    expect((await cachedChoiceStore(MANIFEST).read())?.backend).toBe('webgl');
  });

  it.each([
    ['an unknown backend', { ...choice, backend: 'tpu' }],
    ['no key', { ...choice, key: undefined }],
    ['a time that is not a number', { ...choice, msPerRun: { wasm: '2' } }],
    ['a time for an unknown backend', { ...choice, msPerRun: { tpu: 1 } }],
    ['reasons that are not strings', { ...choice, failed: { webgpu: 1 } }],
    ['null', null],
  ])('reads %s as no choice (so the backends are measured again)', async (_, entry) => {
    caches.set('precis-backend-choice', new Map([[MANIFEST, new Response(JSON.stringify(entry))]]));
    expect(await cachedChoiceStore(MANIFEST).read()).toBeUndefined();
  });

  it('keeps nothing, and fails nothing, without Cache Storage', async () => {
    delete global.caches;
    await cachedChoiceStore(MANIFEST).write(choice);
    expect(await cachedChoiceStore(MANIFEST).read()).toBeUndefined();
  });
});
