import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { PrecisManifest } from '../../src/model/manifest';
import { answersTo, chooseOutput, modelSignature, signatureProblems, type ModelSignature } from '../../src/model/model-signature';
import { widthProblem } from '../../src/model/output-width';

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
  it('fits when names match with or without :0, in any order, dtypes and fixed sizes agree', () => {
    expect(answersTo(graph.inputs[0]!, 'cur_page:0')).toBe(true);
    expect(answersTo(graph.inputs[0]!, 'cur_page')).toBe(true);
    expect(answersTo({ names: ['cur_page:0'] }, 'cur_page')).toBe(true);
    expect(answersTo(graph.inputs[0]!, 'cur_page:1')).toBe(false);
    expect(signatureProblems(manifest(), graph)).toEqual([]);
    const reversed = manifest();
    reversed.inputs.reverse();
    expect(signatureProblems(reversed, graph)).toEqual([]);
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
    expect(signatureProblems(m, graph)).toEqual([widthProblem(101, 100)]);
    expect(widthProblem(101, 100)).toBe('output: the model gives 101 columns, output.size says 100');
    expect(widthProblem(101, 101)).toBeUndefined();
    m.output = { kind: 'propensity', name: 'logits', size: 101 };
    expect(signatureProblems(m, graph)).toEqual(['the model has no output logits (it has Identity:0)']);
    const two = { ...graph, outputs: [...graph.outputs, { names: ['aux'], shape: [-1, 1] }] };
    expect(chooseOutput(two, undefined)).toBeUndefined();
    expect(chooseOutput(two, 'aux')?.names).toEqual(['aux']);
    m.output = { kind: 'propensity', size: 101 };
    expect(signatureProblems(m, two)[0]).toMatch(/2 outputs .*output.name must pick one/);
    m.output = { kind: 'propensity', name: 'aux', size: 1 };
    expect(signatureProblems(m, two)).toEqual([]);
  });

  it('leaves sizes the model does not fix to the run', () => {
    const open: ModelSignature = { inputs: [{ names: ['h'], dtype: 'int32', shape: [null, null] }], outputs: [{ names: ['Identity:0'] }] };
    const m = { inputs: [{ name: 'h', feature: 'itemHistory' as const, dtype: 'int32' as const, shape: [null, 50], vocabulary: 'pages' }], output: { kind: 'propensity' as const, size: 7 } };
    expect(signatureProblems(m, open)).toEqual([]);
  });
});

describe('modelSignature of a Layers model', () => {
  const dense = (units: number, name?: string) => tf.layers.dense({ units, name });

  it("answers to the model file's names when tfjs renames a model loaded twice, and to layer names", () => {
    const build = () => {
      const x = tf.input({ shape: [3], name: 'x' });
      return tf.model({ inputs: x, outputs: dense(2, 'scores').apply(x) as tf.SymbolicTensor });
    };
    const [first, second] = [build(), build()];
    const signature = modelSignature(second, 'layers');
    expect(second.inputs[0]!.name).not.toBe(first.inputs[0]!.name); // x_1 or the like
    expect(signature.inputs[0]!.names[0]).toBe('x');
    const m = { inputs: [{ name: 'x', feature: 'categoryAffinity' as const, dtype: 'float32' as const, shape: [null, 3], vocabulary: 'c' }], output: { kind: 'propensity' as const, name: 'scores', size: 2 } };
    expect(signatureProblems(m, signature)).toEqual([]);
    expect(signatureProblems({ ...m, output: { ...m.output, size: 3 } }, signature)).toEqual([widthProblem(2, 3)]);
    first.dispose();
    second.dispose();
  });

  it('reads a Sequential model, whose input is named after its first layer', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [10], name: 'hidden' }), dense(1)] });
    const signature = modelSignature(model, 'layers');
    expect(signature.inputs).toEqual([{ names: [model.inputs[0]!.name], dtype: 'float32', shape: [null, 10] }]);
    const m = { inputs: [{ name: model.inputs[0]!.name, feature: 'categoryAffinity' as const, dtype: 'float32' as const, shape: [null, 10], vocabulary: 'c' }], output: { kind: 'propensity' as const, size: 1 } };
    expect(signatureProblems(m, signature)).toEqual([]);
    model.dispose();
  });
});
