import { describe, expect, it } from 'vitest';
import { fromV1, type PrecisManifest } from '../../src/model/manifest';
import { outputLabels, readVocabularies, sizedManifest } from '../../src/model/model-vocabularies';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const PAGES = ['home', ...Array.from({ length: 100 }, (_, k) => `p${k + 1}`)];
const manifest = (output: PrecisManifest['output'] = { kind: 'item-scores', size: 101, vocabulary: 'pages' }): PrecisManifest => ({
  format: 'precis-manifest@2', name: 'm', version: '1', model: { url: 'model.json', format: 'graph' }, files: {},
  vocabularies: { pages: { url: 'pages.json', padIndex: null } },
  inputs: [
    { name: 'cur_page:0', feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'pages' },
    { name: 'session_index', feature: 'sessionEvents', dtype: 'int32', shape: [null] },
  ],
  output,
});
/** The reason readVocabularies throws model-manifest with. */
function reason(m: PrecisManifest, read: (url: string) => Uint8Array | undefined): string {
  try {
    readVocabularies(m, read);
  } catch (e) {
    expect(e).toMatchObject({ code: 'model-manifest' });
    return String((e as { details: { reason: string } }).details.reason);
  }
  throw new Error('readVocabularies accepted bad vocabularies');
}

describe('readVocabularies', () => {
  it('reads each vocabulary from its file with its padIndex (default 0)', () => {
    const m = manifest();
    m.vocabularies.other = { url: 'other.json' };
    const vocabularies = readVocabularies(m, (url) => bytes(url === 'pages.json' ? PAGES : ['', 'a']));
    expect(vocabularies.get('pages')!.index.get('home')).toBe(0);
    expect(vocabularies.get('other')!.index.has('')).toBe(false);
    expect(vocabularies.get('other')!.index.get('a')).toBe(1);
  });

  it('rejects a file that is not a JSON array of distinct string ids', () => {
    expect(reason(manifest(), () => bytes({ home: 0 }))).toBe('vocabulary pages (pages.json) must be a JSON array of ids');
    expect(reason(manifest(), () => new TextEncoder().encode('[oops'))).toBe('vocabulary pages (pages.json) must be a JSON array of ids');
    expect(reason(manifest(), () => undefined)).toBe('vocabulary pages (pages.json) must be a JSON array of ids');
    expect(reason(manifest(), () => bytes(['a', 'b', 'a']))).toBe('vocabulary pages: "a" appears twice');
    expect(reason(manifest(), () => bytes(['a', 7]))).toBe('vocabulary pages: id 1 is not a string');
  });

  it('item scores must be one per vocabulary id; wide inputs as wide as their vocabulary', () => {
    const m = manifest();
    m.inputs.push({ name: 'bag', feature: 'recentItems', dtype: 'float32', shape: [null, 50], vocabulary: 'pages' });
    expect(reason(m, () => bytes(PAGES.slice(0, 100)))).toBe('input bag: recentItems is 100 wide (vocabulary pages), the shape says 50; output.size is 101, vocabulary pages has 100 ids');
  });

  it('a v1 manifest without a count takes its items file as its output size', () => {
    const m = fromV1({
      format: 'precis-manifest@1', name: 'm', version: '1', model: { url: 'model.json', format: 'layers' }, files: {},
      input: { maxLength: 50, padding: 'left', padIndex: 0, dtype: 'int32' }, items: { url: 'items.json' }, output: { kind: 'scores' },
    });
    const vocabularies = readVocabularies(m, () => bytes(['', 'a', 'b']));
    expect(sizedManifest(m, vocabularies).output).toEqual({ kind: 'item-scores', size: 3, vocabulary: 'items' });
    const v2 = manifest();
    expect(sizedManifest(v2, readVocabularies(v2, () => bytes(PAGES)))).toBe(v2);
  });
});

describe('outputLabels', () => {
  const vocabularies = readVocabularies(manifest({ kind: 'propensity', size: 2 }), () => bytes(['home', 'cart', 'faq']));

  it('labels each column, and finds the propensity column', () => {
    expect(outputLabels(manifest({ kind: 'item-scores', size: 3, vocabulary: 'pages' }), vocabularies)).toEqual({ labels: ['home', 'cart', 'faq'], column: 0 });
    expect(outputLabels(manifest({ kind: 'propensity', size: 2 }), vocabularies)).toEqual({ labels: ['propensity'], column: 1 });
    expect(outputLabels(manifest({ kind: 'propensity', size: 2, index: 0 }), vocabularies).column).toBe(0);
    expect(outputLabels(manifest({ kind: 'creative-scores', size: 2, creatives: ['a', 'b'] }), vocabularies).labels).toEqual(['a', 'b']);
  });
});
