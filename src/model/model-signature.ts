/**
 * The manifest's inputs and output against what a loaded TensorFlow.js model declares:
 * one definition for the browser runtime (`tfjs-models.ts`) and Node (`train/`), so both
 * give the same `model-manifest` reasons for the same mistake.
 */
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { InputSpec, PrecisManifest } from './manifest';
import { widthProblem } from './output-width';

/** One input or output as the model declares it (`null` or -1: any size). */
export interface TensorSignature {
  /**
   * The names it answers to, the first one the model file's: a Graph model's `cur_page:0`
   * (or its signature key and tensor), a Layers tensor's model.json name, its name in this
   * process (`x_1` when the model loads twice) and its layer's name.
   */
  names: string[];
  /** The dtype the model takes (`int32` for a graph's int32 or int64), when declared. */
  dtype?: string;
  shape?: Array<number | null>;
}

/** What a loaded model declares, read by `modelSignature`. */
export interface ModelSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

/** A graph's declared dtypes, as the tensors JS passes for them. */
const GRAPH_DTYPES: Readonly<Record<string, string>> = { DT_INT32: 'int32', DT_INT64: 'int32', DT_FLOAT: 'float32', DT_BOOL: 'bool' };

interface GraphSignatureJson {
  outputs?: Record<string, { name?: string; dtype?: string; tensorShape?: { dim?: Array<{ size?: string }> } }>;
}

function layersTensor(t: SymbolicTensor): TensorSignature {
  // tfjs-layers renames a tensor whose name is taken in the process; originalName keeps the file's.
  const names = [...new Set([t.originalName ?? t.name, t.name, t.sourceLayer.name])];
  return { names, dtype: t.dtype, shape: t.shape };
}

/**
 * What a loaded Layers or Graph model declares. A Graph model's outputs come from its
 * signature when it has one (its `outputs` give no shape).
 *
 * @example
 * modelSignature(await loadGraphModel(handler), 'graph').inputs; // [{ names: ['cur_page:0'], dtype: 'int32', shape: [-1] }, …]
 */
export function modelSignature(model: LayersModel | GraphModel, format: 'layers' | 'graph'): ModelSignature {
  if (format === 'layers') {
    const layers = model as LayersModel;
    return { inputs: layers.inputs.map(layersTensor), outputs: layers.outputs.map(layersTensor) };
  }
  const graph = model as GraphModel;
  const inputs = graph.inputs.map((t) => ({ names: [t.name], dtype: t.dtype, shape: t.shape }));
  const declared = Object.entries((graph.modelSignature as GraphSignatureJson | undefined)?.outputs ?? {});
  const outputs = declared.length > 0
    ? declared.map(([key, o]) => ({ names: [key, o.name ?? key], dtype: GRAPH_DTYPES[o.dtype ?? ''], shape: o.tensorShape?.dim?.map((d) => Number(d.size ?? -1)) }))
    : graph.outputs.map((t) => ({ names: [t.name], dtype: t.dtype, shape: t.shape }));
  return { inputs, outputs };
}

/** A name with the `:0` of a graph's first output tensor removed. */
const bare = (name: string): string => name.replace(/:0$/, '');

/**
 * Whether the manifest's `name` names this tensor (with or without a graph's `:0`).
 *
 * @example
 * answersTo({ names: ['cur_page:0'] }, 'cur_page'); // true
 */
export function answersTo(tensor: TensorSignature, name: string): boolean {
  return tensor.names.some((own) => bare(own) === bare(name));
}

const fixed = (d: number | null | undefined): d is number => typeof d === 'number' && d >= 0;

function shapeProblem(spec: InputSpec, declared: TensorSignature['shape']): string | undefined {
  if (!declared) return undefined;
  const wanted = JSON.stringify(declared.map((d) => (fixed(d) ? d : null)));
  if (declared.length !== spec.shape.length) return `input ${spec.name}: shape ${JSON.stringify(spec.shape)}, the model takes ${wanted} (rank ${declared.length})`;
  // The batch is the run's; the other sizes must match the model's fixed ones.
  const differs = declared.some((d, k) => k > 0 && fixed(d) && d !== spec.shape[k]);
  return differs ? `input ${spec.name}: shape ${JSON.stringify(spec.shape)}, the model takes ${wanted}` : undefined;
}

/**
 * The output the manifest means: the one named `output.name`, or the only one.
 *
 * @example
 * chooseOutput(signature, manifest.output.name); // { names: ['Identity:0'], shape: [-1, 101] }
 */
export function chooseOutput(signature: ModelSignature, name: string | undefined): TensorSignature | undefined {
  if (name === undefined) return signature.outputs.length === 1 ? signature.outputs[0] : undefined;
  return signature.outputs.find((output) => answersTo(output, name));
}

/**
 * What is wrong with the manifest's inputs and output given what the model declares:
 * inputs the model lacks or the manifest leaves empty, dtypes, shapes, the output's size.
 * Empty when they fit.
 *
 * @example
 * signatureProblems(manifest, { inputs: [{ names: ['cur_page:0'], dtype: 'int32', shape: [-1] }], outputs });
 * // ['the model has no input session_index (it has cur_page:0)']
 */
export function signatureProblems(manifest: Pick<PrecisManifest, 'inputs' | 'output'>, signature: ModelSignature): string[] {
  const problems: string[] = [];
  const known = signature.inputs.map((input) => input.names[0]).join(', ');
  for (const spec of manifest.inputs) {
    const input = signature.inputs.find((candidate) => answersTo(candidate, spec.name));
    if (!input) {
      problems.push(`the model has no input ${spec.name} (it has ${known})`);
      continue;
    }
    if (input.dtype !== undefined && input.dtype !== spec.dtype) problems.push(`input ${spec.name}: dtype ${spec.dtype}, the model takes ${input.dtype}`);
    const shape = shapeProblem(spec, input.shape);
    if (shape) problems.push(shape);
  }
  for (const input of signature.inputs) {
    if (!manifest.inputs.some((spec) => answersTo(input, spec.name))) problems.push(`the manifest does not fill the model's input ${input.names[0]}`);
  }
  const output = chooseOutput(signature, manifest.output.name);
  if (!output) {
    const outputs = signature.outputs.map((o) => o.names[0]).join(', ');
    problems.push(manifest.output.name === undefined ? `the model has ${signature.outputs.length} outputs (${outputs}): output.name must pick one` : `the model has no output ${manifest.output.name} (it has ${outputs})`);
  } else {
    const size = output.shape?.at(-1);
    const problem = fixed(size) ? widthProblem(size, manifest.output.size) : undefined;
    if (problem) problems.push(problem);
  }
  return problems;
}
