import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fromV1,
  historyInput,
  manifestProblems,
  parseManifest,
  type ManifestV1,
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
