import { describe, expect, it } from 'vitest';
import { PrecisError } from '../../src/core/errors';
import type { PrecisManifest } from '../../src/model/manifest';
import { answersTo, chooseOutput, signatureProblems, type ModelSignature } from '../../src/model/model-signature';
import { outputLabels, readVocabularies } from '../../src/model/model-vocabularies';

// The prefetch graph model's signature (test/fixtures/models/prefetch-graph), as the loader reads it.
const graph: ModelSignature = {
  inputs: [
    { names: ['cur_page'], dtype: 'int32', shape: [-1] },
    { names: ['session_index'], dtype: 'int32', shape: [-1] },
  ],
  outputs: [{ names: ['Identity:0', 'Identity:0'], dtype: 'float32', shape: [-1, 101] }],
};
const manifest = (): Pick<PrecisManifest, 'inputs' | 'output'> => ({
  inputs: [
    { name: 'cur_page:0', feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'pages' },
    { name: 'session_index', feature: 'sessionEvents', dtype: 'int32', shape: [null] },
  ],
  output: { kind: 'item-scores', name: 'Identity', size: 101, vocabulary: 'pages' },
});

describe('the manifest against the model', () => {
  it('fits when names match with or without :0, dtypes and fixed sizes agree', () => {
    expect(answersTo(graph.inputs[0]!, 'cur_page:0')).toBe(true);
    expect(answersTo(graph.inputs[0]!, 'cur_page')).toBe(true);
    expect(answersTo(graph.inputs[0]!, 'cur_page:1')).toBe(false);
    expect(signatureProblems(manifest(), graph)).toEqual([]);
  });

  it('names an input the model lacks, and the model input left empty', () => {
    const m = manifest();
    m.inputs[1]!.name = 'session';
    expect(signatureProblems(m, graph)).toEqual([
      'the model has no input session (it has cur_page, session_index)',
      "the manifest does not fill the model's input session_index",
    ]);
  });

  it('names a wrong dtype, rank or fixed size', () => {
    const m = manifest();
    m.inputs[0]!.dtype = 'float32';
    m.inputs[1]!.shape = [null, 1];
    expect(signatureProblems(m, graph)).toEqual([
      'input cur_page:0: dtype float32, the model takes int32',
      'input session_index: shape [null,1], the model takes [null] (rank 1)',
    ]);
    const layers: ModelSignature = { inputs: [{ names: ['x'], dtype: 'float32', shape: [null, 10] }], outputs: [{ names: ['y'], shape: [null, 4] }] };
    const history = { inputs: [{ name: 'x', feature: 'itemHistory' as const, dtype: 'float32' as const, shape: [1, 12], vocabulary: 'items' }], output: { kind: 'propensity' as const, size: 4 } };
    expect(signatureProblems(history, layers)).toEqual(['input x: shape [1,12], the model takes [null,10]']);
  });

  it('checks the output: its size, its name, or that there is only one', () => {
    const m = manifest();
    m.output = { kind: 'propensity', size: 100 };
    expect(signatureProblems(m, graph)).toEqual(['output: the model gives 101 columns, output.size says 100']);
    m.output = { kind: 'propensity', name: 'logits', size: 101 };
    expect(signatureProblems(m, graph)).toEqual(['the model has no output logits (it has Identity:0)']);
    const two = { ...graph, outputs: [...graph.outputs, { names: ['aux'], shape: [-1, 1] }] };
    expect(chooseOutput(two, undefined)).toBeUndefined();
    expect(chooseOutput(two, 'aux')?.names).toEqual(['aux']);
    m.output = { kind: 'propensity', size: 101 };
    expect(signatureProblems(m, two)[0]).toMatch(/2 outputs .*output.name must pick one/);
  });

  it('leaves sizes the model does not fix to the run', () => {
    const open: ModelSignature = { inputs: graph.inputs, outputs: [{ names: ['Identity:0'] }] };
    const m = manifest();
    m.output = { kind: 'propensity', size: 7 };
    expect(signatureProblems(m, open)).toEqual([]);
  });
});

describe('vocabularies', () => {
  const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer;
  const full = (output: PrecisManifest['output']): PrecisManifest => ({
    format: 'precis-manifest@2', name: 'm', version: '1', model: { url: 'model.json', format: 'graph' }, files: {},
    vocabularies: { pages: { url: 'pages.json', padIndex: null } }, inputs: manifest().inputs, output,
  });
  const files = new Map([['pages.json', bytes(['home', 'cart', 'faq'])]]);

  it('are read with their padding, and label the output', () => {
    const m = full({ kind: 'item-scores', size: 3, vocabulary: 'pages' });
    const vocabularies = readVocabularies(m, files);
    expect(vocabularies.get('pages')!.index.get('home')).toBe(0);
    expect(outputLabels(m, vocabularies)).toEqual({ labels: ['home', 'cart', 'faq'], column: 0 });
    expect(outputLabels(full({ kind: 'propensity', size: 2 }), vocabularies)).toEqual({ labels: ['propensity'], column: 1 });
    expect(outputLabels(full({ kind: 'propensity', size: 2, index: 0 }), vocabularies).column).toBe(0);
    expect(outputLabels(full({ kind: 'creative-scores', size: 2, creatives: ['a', 'b'] }), vocabularies).labels).toEqual(['a', 'b']);
  });

  it('must be as long as item scores are wide, and arrays of strings', () => {
    expect(() => readVocabularies(full({ kind: 'item-scores', size: 4, vocabulary: 'pages' }), files)).toThrow(/pages has 3 ids, output.size is 4/);
    const bad = new Map([['pages.json', bytes({ home: 0 })]]);
    const error = (() => {
      try {
        readVocabularies(full({ kind: 'propensity', size: 1 }), bad);
      } catch (e) {
        return e as PrecisError;
      }
    })();
    expect(error?.code).toBe('model-manifest');
    expect(error?.details.reason).toMatch(/vocabulary pages \(pages.json\) must be a JSON array of strings/);
  });
});
