import type { InputSpec, PrecisManifest } from './manifest';

/** One input or output as the model declares it (`null` or -1: any size). */
export interface TensorSignature {
  /** The names it answers to: a Graph model's `cur_page:0` and `cur_page`, a layer's tensor and layer names. */
  names: string[];
  /** The dtype the model takes (`int32` for a graph's int32 or int64), when declared. */
  dtype?: string;
  shape?: Array<number | null>;
}

/** What a loaded model declares, read by the loader of its format. */
export interface ModelSignature {
  inputs: TensorSignature[];
  outputs: TensorSignature[];
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
  // The batch is 1 whatever the manifest says; the other sizes must match the model's fixed ones.
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
    if (fixed(size) && size !== manifest.output.size) problems.push(`output: the model gives ${size} columns, output.size says ${manifest.output.size}`);
  }
  return problems;
}
