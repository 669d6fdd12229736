import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVocabulary } from '../../src/features';
import {
  fromV1,
  historyInput,
  loadedProblems,
  manifestProblems,
  modelProblems,
  parseManifest,
  sameTensor,
  readVocabularies,
  type ManifestV1,
  type PrecisManifest,
} from '../../src/model/manifest';

const HASH = 'a'.repeat(64);

/** A valid two-input v2 manifest (item scores); each test breaks one thing. */
const v2 = (): Record<string, any> => ({
  format: 'precis-manifest@2',
  name: 'next-page',
  version: '1.0.0',
  model: { url: 'model.json', format: 'graph' },
  files: { 'model.json': HASH, 'w.bin': HASH, 'pages.json': HASH },
  vocabularies: { pages: { url: 'pages.json', padIndex: null } },
  inputs: [
    { name: 'cur_page:0', feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'pages' },
    { name: 'session_index:0', feature: 'sessionEvents', dtype: 'int32', shape: [null] },
  ],
  output: { kind: 'item-scores', size: 101, vocabulary: 'pages' },
});

const v1 = (): ManifestV1 => ({
  format: 'precis-manifest@1',
  name: 'm',
  version: '1',
  model: { url: 'model.json', format: 'layers' },
  files: { 'model.json': HASH, 'items.json': HASH },
  input: { maxLength: 50, padding: 'left', padIndex: 0, dtype: 'int32', name: 'history' },
  items: { url: 'items.json', count: 23716 },
  output: { kind: 'scores', name: 'precis_sasrec', shape: [null, 23716] },
});

/** The one reason `parseManifest` gives, after checking it throws model-manifest. */
function reason(raw: unknown): string {
  try {
    parseManifest(raw);
  } catch (e) {
    expect(e).toMatchObject({ code: 'model-manifest' });
    return String((e as { details: { reason: string } }).details.reason);
  }
  throw new Error('parseManifest accepted a bad manifest');
}

describe('precis-manifest@1 is still read, as the v2 manifest fromV1 makes', () => {
  it('parses to the same v2 manifest train writes today', () => {
    expect(parseManifest(v1())).toEqual({
      format: 'precis-manifest@2',
      name: 'm',
      version: '1',
      model: { url: 'model.json', format: 'layers' },
      files: { 'model.json': HASH, 'items.json': HASH },
      vocabularies: { items: { url: 'items.json', padIndex: 0 } },
      inputs: [{ name: 'history', feature: 'itemHistory', dtype: 'int32', shape: [null, 50], vocabulary: 'items' }],
      output: { kind: 'item-scores', name: 'precis_sasrec', size: 23716, vocabulary: 'items' },
    });
  });

  it('the shipped Games model means the same through manifest-v1.json and manifest.json', () => {
    const read = (f: string): Record<string, unknown> => JSON.parse(readFileSync(`demo/models/games/${f}`, 'utf8'));
    const [old, current] = [parseManifest(read('manifest-v1.json')), parseManifest(read('manifest.json'))];
    const { metrics: _m1, trainedOn: _t1, ...a } = old;
    const { metrics: _m2, trainedOn: _t2, ...b } = current;
    expect(a).toEqual(b);
    expect(historyInput(old)).toEqual({ name: 'history', maxLength: 50, itemsUrl: 'items.json' });
  });

  it('takes the size from output.shape without items.count, and 0 ("the items file") with neither', () => {
    const m = v1();
    delete m.items.count;
    expect(fromV1(m).output).toMatchObject({ size: 23716 });
    delete m.output.shape;
    expect(fromV1(m).output).toMatchObject({ size: 0 });
    expect(manifestProblems(m)).toEqual([]);
  });

  it('defaults the input name to "history" and rejects a v1 input that is not a left-padded int32 history', () => {
    const m = v1();
    delete m.input.name;
    expect(fromV1(m).inputs[0]!.name).toBe('history');
    expect(reason({ ...v1(), input: { ...v1().input, padding: 'right' } })).toContain('input must be');
    expect(reason({ ...v1(), items: { url: 'other.json' } })).toContain('files lacks the items file other.json');
    expect(reason({ ...v1(), items: { url: 'items.json', count: 10 } })).toContain('output.shape says 23716 items, items.count 10');
    expect(reason({ ...v1(), output: { kind: 'item-scores' } })).toContain('output.kind must be "scores"');
  });
});

describe('precis-manifest@2 checks', () => {
  it('accepts the valid manifest and returns it as is', () => {
    expect(manifestProblems(v2())).toEqual([]);
    expect(parseManifest(v2())).toEqual(v2());
  });

  it('rejects what is not a manifest, or an unknown format', () => {
    expect(reason(null)).toBe('manifest is not an object');
    expect(reason([])).toBe('manifest is not an object');
    expect(reason({ ...v2(), format: 'precis-manifest@3' })).toBe('format must be "precis-manifest@2" (or @1), got "precis-manifest@3"');
  });

  it.each([
    ['an unknown feature, named', (m: any) => (m.inputs[1].feature = 'dwellTime'), 'inputs[1].feature "dwellTime" is not a known feature (itemHistory, lastItem'],
    ['a feature name from Object.prototype', (m: any) => (m.inputs[1].feature = 'constructor'), 'inputs[1].feature "constructor" is not a known feature'],
    ['a bad dtype', (m: any) => (m.inputs[0].dtype = 'int64'), 'inputs[0].dtype must be "int32" or "float32", got "int64"'],
    ['a dtype the feature cannot carry', (m: any) => m.inputs.push({ name: 'bag', feature: 'recentItems', dtype: 'int32', shape: [null, 101], vocabulary: 'pages' }), 'inputs[2].dtype int32 does not suit recentItems (float32)'],
    ['a shape of the wrong rank', (m: any) => (m.inputs[0].shape = [null, 1, 1]), 'inputs[0].shape [null,1,1] has rank 3; lastItem takes rank 1 or 2'],
    ['an item history of rank 1', (m: any) => m.inputs.push({ name: 'h', feature: 'itemHistory', dtype: 'int32', shape: [null], vocabulary: 'pages' }), 'inputs[2].shape [null] has rank 1; itemHistory takes rank 2'],
    ['a counter wider than one value', (m: any) => (m.inputs[1].shape = [null, 3]), 'inputs[1].shape [null,3]: sessionEvents is one value per visitor'],
    ['a batch other than null or 1', (m: any) => (m.inputs[1].shape = [8]), 'inputs[1].shape must be [batch, ...sizes] with a null (or 1) batch'],
    ['a zero size', (m: any) => (m.inputs[1].shape = [null, 0]), 'inputs[1].shape must be [batch, ...sizes]'],
    ['no shape', (m: any) => delete m.inputs[1].shape, 'inputs[1].shape must be [batch, ...sizes]'],
    ['a missing vocabulary', (m: any) => delete m.inputs[0].vocabulary, 'inputs[0].vocabulary must name one of vocabularies (lastItem needs one)'],
    ['a vocabulary that is not declared', (m: any) => (m.inputs[0].vocabulary = 'items'), 'inputs[0].vocabulary must name one of vocabularies (lastItem needs one), got "items"'],
    ['a vocabulary named like an Object.prototype key', (m: any) => (m.inputs[0].vocabulary = 'toString'), 'inputs[0].vocabulary must name one of vocabularies'],
    ['a vocabulary on a counter', (m: any) => (m.inputs[1].vocabulary = 'pages'), 'inputs[1].vocabulary: sessionEvents takes no vocabulary'],
    ['a window on another feature than recentItems', (m: any) => (m.inputs[0].window = 5), 'inputs[0].window must be a positive integer, and only recentItems takes one'],
    ['a window of 0', (m: any) => m.inputs.push({ name: 'bag', feature: 'recentItems', dtype: 'float32', shape: [null, 101], vocabulary: 'pages', window: 0 }), 'inputs[2].window must be a positive integer'],
    ['an input without a name', (m: any) => delete m.inputs[1].name, 'inputs[1].name (string) is required'],
    ['an input that is not an object', (m: any) => (m.inputs[1] = 'session_index:0'), 'inputs[1] must be an object'],
    ['duplicate input names, named', (m: any) => (m.inputs[1].name = 'cur_page:0'), 'inputs name the model input "cur_page:0" twice'],
    ['no inputs', (m: any) => (m.inputs = []), 'inputs (one entry per model input) is required'],
    ['a vocabulary file not in files', (m: any) => delete m.files['pages.json'], 'files lacks the vocabulary file pages.json'],
    ['a vocabulary without url', (m: any) => (m.vocabularies.pages = { padIndex: 0 }), 'vocabularies.pages.url is required'],
    ['a bad padIndex', (m: any) => (m.vocabularies.pages.padIndex = -1), 'vocabularies.pages.padIndex must be a non-negative integer or null'],
    ['no vocabularies', (m: any) => delete m.vocabularies, 'vocabularies (name → {url, padIndex?}) is required'],
    ['a model file not in files', (m: any) => (m.model.url = 'other.json'), 'files lacks the model file other.json'],
    ['a model format other than layers or graph', (m: any) => (m.model.format = 'onnx'), 'model.url (string) and model.format ("layers"|"graph") are required'],
    ['a hash that is not sha256 hex', (m: any) => (m.files['w.bin'] = 'abc'), 'files["w.bin"] is not a sha256 hex'],
    ['no name', (m: any) => delete m.name, 'name (string) is required'],
    ['no version', (m: any) => (m.version = ''), 'version (string) is required'],
    ['bad customLayers', (m: any) => (m.customLayers = { module: 'x', classes: 'Y' }), 'customLayers must be {module: string, classes: string[]}'],
  ])('%s → model-manifest', (_, breakIt, expected) => {
    const m = v2();
    breakIt(m);
    expect(reason(m)).toContain(expected);
  });

  it('lists every problem, not only the first', () => {
    const m = v2();
    m.inputs[0].dtype = 'bool';
    m.inputs[1].feature = 'mood';
    expect(manifestProblems(m)).toEqual([
      'inputs[0].dtype must be "int32" or "float32", got "bool"',
      expect.stringContaining('inputs[1].feature "mood" is not a known feature'),
    ]);
  });
});

describe('output kinds and their fields', () => {
  const withOutput = (output: unknown): Record<string, unknown> => ({ ...v2(), output });

  it('item-scores needs a size and a declared vocabulary', () => {
    expect(reason(withOutput({ kind: 'item-scores', vocabulary: 'pages' }))).toContain('output.size (positive integer');
    expect(reason(withOutput({ kind: 'item-scores', size: 101 }))).toContain('output.vocabulary must name one of vocabularies');
    expect(reason(withOutput({ kind: 'item-scores', size: 101, vocabulary: 'constructor' }))).toContain('output.vocabulary must name one of vocabularies');
  });

  it('creative-scores needs one distinct creative id per column', () => {
    expect(manifestProblems(withOutput({ kind: 'creative-scores', size: 2, creatives: ['c1', 'c2'] }))).toEqual([]);
    expect(reason(withOutput({ kind: 'creative-scores', size: 3, creatives: ['c1', 'c2'] }))).toContain('output.creatives must list one creative id per output column');
    expect(reason(withOutput({ kind: 'creative-scores', size: 2 }))).toContain('output.creatives must list one creative id per output column');
    expect(reason(withOutput({ kind: 'creative-scores', size: 2, creatives: ['c1', 'c1'] }))).toContain('output.creatives lists a creative twice');
  });

  it('propensity takes an optional column index inside the output', () => {
    expect(manifestProblems(withOutput({ kind: 'propensity', size: 1 }))).toEqual([]);
    expect(manifestProblems(withOutput({ kind: 'propensity', size: 2, index: 1 }))).toEqual([]);
    expect(reason(withOutput({ kind: 'propensity', size: 2, index: 2 }))).toContain('output.index must be a column of the output');
    expect(reason(withOutput({ kind: 'propensity', size: 0 }))).toContain('output.size');
  });

  it('rejects another kind, naming the three', () => {
    expect(reason(withOutput({ kind: 'scores', size: 3 }))).toBe('output.kind must be one of item-scores, creative-scores, propensity');
    expect(reason(withOutput({ kind: 'propensity', size: 1, name: 3 }))).toContain('output.name must be a string');
  });
});

describe('loaded vocabularies', () => {
  const m = (): PrecisManifest => parseManifest(v2());
  const pages = ['home', ...Array.from({ length: 100 }, (_, k) => `p${k + 1}`)];

  it('reads each vocabulary with its padIndex (default 0)', () => {
    const manifest = m();
    manifest.vocabularies.other = { url: 'pages.json' };
    const vocabularies = readVocabularies(manifest, () => pages);
    expect(vocabularies.get('pages')!.index.get('home')).toBe(0);
    expect(vocabularies.get('other')!.index.has('home')).toBe(false);
    expect(loadedProblems(manifest, vocabularies)).toEqual([]);
  });

  it('rejects a vocabulary file that is not an array of distinct strings', () => {
    expect(() => readVocabularies(m(), () => ({ home: 0 }))).toThrow(expect.objectContaining({ code: 'model-manifest', details: { reason: 'vocabulary pages (pages.json) must be a JSON array of ids' } }));
    expect(() => readVocabularies(m(), () => ['a', 'b', 'a'])).toThrow(expect.objectContaining({ details: { reason: 'vocabulary pages: "a" appears twice' } }));
    expect(() => readVocabularies(m(), () => ['a', 7])).toThrow(expect.objectContaining({ details: { reason: 'vocabulary pages: id 1 is not a string' } }));
  });

  it('item scores must be one per vocabulary id; wide inputs as wide as their vocabulary', () => {
    const manifest = m();
    manifest.inputs.push({ name: 'bag', feature: 'recentItems', dtype: 'float32', shape: [null, 50], vocabulary: 'pages' });
    const vocabularies = new Map([['pages', createVocabulary(pages.slice(0, 100), null)]]);
    expect(loadedProblems(manifest, vocabularies)).toEqual([
      'input bag: recentItems is 100 wide (vocabulary pages), the shape says 50',
      'output.size is 101, vocabulary pages has 100 ids',
    ]);
    expect(loadedProblems(manifest, new Map())).toEqual([
      'input cur_page:0: vocabulary pages is not loaded',
      'input bag: vocabulary pages is not loaded',
      'vocabulary pages is not loaded',
    ]);
  });

  it('a v1 manifest without a count takes the items file as its size', () => {
    const old = v1();
    delete old.items.count;
    delete old.output.shape;
    const manifest = parseManifest(old);
    expect(loadedProblems(manifest, readVocabularies(manifest, () => ['', 'a', 'b']))).toEqual([]);
  });
});

describe('modelProblems: the manifest against the model', () => {
  const signature = () => ({
    inputs: [
      { name: 'cur_page', shape: [null], dtype: 'int32' },
      { name: 'session_index', shape: [null], dtype: 'int32' },
    ],
    outputs: [{ name: 'Identity' }],
  });

  it('matches Graph names with or without :0 and Layers output paths', () => {
    expect(sameTensor('cur_page:0', 'cur_page')).toBe(true);
    expect(sameTensor('cur_page', 'cur_page:0')).toBe(true);
    expect(sameTensor('next_page', 'next_page/next_page')).toBe(true);
    expect(sameTensor('cur_page:1', 'cur_page')).toBe(false);
    expect(sameTensor('next', 'next_page/next_page')).toBe(false);
  });

  it('accepts a manifest that fits, whatever the order of its inputs', () => {
    const m = parseManifest(v2());
    m.inputs.reverse();
    expect(modelProblems(m, signature())).toEqual([]);
  });

  it('names each input that does not fit, and each model input left out', () => {
    const m = parseManifest(v2());
    m.inputs[0] = { ...m.inputs[0]!, name: 'page:0' };
    m.inputs[1] = { ...m.inputs[1]!, dtype: 'float32' };
    expect(modelProblems(m, signature())).toEqual([
      'input page:0: the model has no such input (it has cur_page, session_index)',
      'input session_index:0: the manifest says float32, the model takes int32',
      "the model's input cur_page has no entry in inputs",
    ]);
  });

  it('checks sizes the model fixes, not the ones it leaves free', () => {
    const m = parseManifest({ ...v2(), inputs: [{ name: 'h', feature: 'itemHistory', dtype: 'int32', shape: [null, 50], vocabulary: 'pages' }] });
    expect(modelProblems(m, { inputs: [{ name: 'h', shape: [null, null], dtype: 'int32' }], outputs: [{ name: 'o', shape: [null, 101] }] })).toEqual([]);
    expect(modelProblems(m, { inputs: [{ name: 'h', shape: [null, 20], dtype: 'int32' }], outputs: [{ name: 'o', shape: [null, 100] }] })).toEqual([
      'input h: the manifest says [null,50], the model takes [null,20]',
      'output o is 100 wide, output.size says 101',
    ]);
  });

  it('finds the named output among several', () => {
    const m = parseManifest({ ...v2(), output: { kind: 'propensity', name: 'buy', size: 1 } });
    const outputs = [{ name: 'next/next', shape: [null, 101] }, { name: 'buy/buy', shape: [null, 1] }];
    expect(modelProblems(m, { inputs: signature().inputs, outputs })).toEqual([]);
    expect(modelProblems(m, { inputs: signature().inputs, outputs: outputs.slice(0, 1) })).toEqual(['output.name buy: the model has no such output (it has next/next)']);
  });
});
