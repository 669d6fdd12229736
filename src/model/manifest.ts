import { PrecisError } from '../core/errors';
import { FEATURES, type FeatureName, type InputSpec } from '../features/feature-spec';

/**
 * `manifest.json`: the contract between a trained model and the browser runtime.
 * `precis-manifest@2` (written by `npm run train`, and by hand for a converted Keras, PyTorch
 * or TensorFlow model) names the feature that fills each model input and the job of its
 * output. `precis-manifest@1` (one item history in, item scores out) is still read: it
 * means the same as the v2 manifest `fromV1` makes of it.
 */
export interface PrecisManifest {
  format: 'precis-manifest@2';
  name: string;
  version: string;
  model: { url: string; format: 'layers' | 'graph' };
  /** sha256 (hex) of every file the runtime downloads, by path relative to the manifest. */
  files: Record<string, string>;
  /**
   * Id mappings, by name: `url` is a JSON array of external ids where position = model index.
   * `padIndex` (default 0; null for none) is never encoded; unknown ids are skipped by
   * sequence features and encoded as `padIndex` (or 0) by `lastItem`.
   */
  vocabularies: Record<string, { url: string; padIndex?: number | null }>;
  /** One entry per model input, in any order. */
  inputs: InputSpec[];
  output: OutputSpec;
  /** Custom layer classes the model needs, and the module that registers them. */
  customLayers?: { module: string; classes: string[] };
  metrics?: Record<string, unknown>;
  trainedOn?: Record<string, unknown>;
}

export type { InputSpec };

/**
 * What the model's output means, and so which job it does:
 * - `item-scores`: a score per item of `vocabulary` (recommendations, the model view in ranking);
 * - `creative-scores`: P(click) (or conversion) per creative, `creatives[i]` being column i;
 *   it replaces the Beta prior's mean in the score of those creatives for this visitor;
 * - `propensity`: P(purchase in the coming week) in column `index` (default the last);
 *   it replaces the hand-set formula in segments and in the ad-stack export.
 */
export type OutputSpec =
  | { kind: 'item-scores'; name?: string; size: number; vocabulary: string }
  | { kind: 'creative-scores'; name?: string; size: number; creatives: string[] }
  | { kind: 'propensity'; name?: string; size: number; index?: number };

export type ModelJob = OutputSpec['kind'];

/** The v1 manifest, still accepted. */
export interface ManifestV1 {
  format: 'precis-manifest@1';
  name: string;
  version: string;
  model: { url: string; format: 'layers' | 'graph' };
  files: Record<string, string>;
  input: { maxLength: number; padding: 'left'; padIndex: 0; dtype: 'int32'; name?: string };
  items: { url: string; count?: number };
  output: { kind: 'scores'; name?: string; shape?: Array<number | null> };
  customLayers?: { module: string; classes: string[] };
  metrics?: Record<string, unknown>;
  trainedOn?: Record<string, unknown>;
}

const SHA256 = /^[0-9a-f]{64}$/;
const JOBS: readonly ModelJob[] = ['item-scores', 'creative-scores', 'propensity'];

/**
 * What a v1 manifest means in v2 terms: its one input is the item history.
 *
 * @example
 * fromV1(v1).inputs; // [{ name: 'history', feature: 'itemHistory', dtype: 'int32', shape: [null, 50], vocabulary: 'items' }]
 */
export function fromV1(m: ManifestV1): PrecisManifest {
  const { input, items, output, format: _format, ...rest } = m;
  return {
    ...rest,
    format: 'precis-manifest@2',
    vocabularies: { items: { url: items.url, padIndex: 0 } },
    inputs: [{ name: input.name ?? 'history', feature: 'itemHistory', dtype: 'int32', shape: [null, input.maxLength], vocabulary: 'items' }],
    output: { kind: 'item-scores', name: output.name, size: items.count ?? Number(output.shape?.[1] ?? 0), vocabulary: 'items' },
  };
}

function v1Problems(o: Partial<ManifestV1>): string[] {
  const problems: string[] = [];
  const i = o.input;
  if (!i || !Number.isInteger(i.maxLength) || i.maxLength <= 0 || i.padding !== 'left' || i.padIndex !== 0 || i.dtype !== 'int32') {
    problems.push('input must be {maxLength: positive int, padding: "left", padIndex: 0, dtype: "int32"}');
  }
  if (!o.items || typeof o.items.url !== 'string') problems.push('items.url is required');
  else if (o.files && !(o.items.url in o.files)) problems.push(`files lacks the items file ${o.items.url}`);
  if (!o.output || o.output.kind !== 'scores') problems.push('output.kind must be "scores"');
  return problems;
}

function inputProblems(input: Partial<InputSpec>, at: string, vocabularies: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof input.name !== 'string' || input.name === '') problems.push(`${at}.name (string) is required`);
  const feature = FEATURES[input.feature as FeatureName];
  if (!feature) {
    problems.push(`${at}.feature ${JSON.stringify(input.feature)} is not a known feature (${Object.keys(FEATURES).join(', ')})`);
    return problems;
  }
  if (input.dtype !== 'int32' && input.dtype !== 'float32') problems.push(`${at}.dtype must be "int32" or "float32"`);
  else if (feature.dtypes && !feature.dtypes.includes(input.dtype)) problems.push(`${at}.dtype ${input.dtype} does not suit ${input.feature}`);
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d, k) => (d === null && k === 0) || (Number.isInteger(d) && (d as number) > 0))) {
    problems.push(`${at}.shape must be [batch, ...sizes] with a null or positive batch and positive sizes`);
  } else if (!feature.ranks.includes(shape.length)) {
    problems.push(`${at}.shape ${JSON.stringify(shape)} has rank ${shape.length}; ${input.feature} takes rank ${feature.ranks.join(' or ')}`);
  }
  if (feature.vocabulary) {
    if (typeof input.vocabulary !== 'string' || !(input.vocabulary in vocabularies)) problems.push(`${at}.vocabulary must name one of vocabularies`);
  }
  if (input.window !== undefined && (!Number.isInteger(input.window) || input.window <= 0)) problems.push(`${at}.window must be a positive integer`);
  return problems;
}

function outputProblems(output: Partial<OutputSpec> | undefined, vocabularies: Record<string, unknown>): string[] {
  if (!output || !JOBS.includes(output.kind as ModelJob)) return [`output.kind must be one of ${JOBS.join(', ')}`];
  const problems: string[] = [];
  if (!Number.isInteger(output.size) || (output.size as number) <= 0) problems.push('output.size (positive integer) is required');
  if (output.kind === 'item-scores' && !(String(output.vocabulary) in vocabularies)) problems.push('output.vocabulary must name one of vocabularies');
  if (output.kind === 'creative-scores') {
    const { creatives } = output;
    if (!Array.isArray(creatives) || !creatives.every((c) => typeof c === 'string') || creatives.length !== output.size) {
      problems.push('output.creatives must list one creative id per output column');
    }
  }
  if (output.kind === 'propensity' && output.index !== undefined && !(Number.isInteger(output.index) && output.index >= 0 && output.index < (output.size ?? 0))) {
    problems.push('output.index must be a column of the output');
  }
  return problems;
}

function v2Problems(o: Partial<PrecisManifest>): string[] {
  const problems: string[] = [];
  const vocabularies = o.vocabularies && typeof o.vocabularies === 'object' ? o.vocabularies : {};
  if (!o.vocabularies || typeof o.vocabularies !== 'object') problems.push('vocabularies (name → {url}) is required');
  for (const [name, vocabulary] of Object.entries(vocabularies)) {
    if (!vocabulary || typeof vocabulary.url !== 'string') problems.push(`vocabularies.${name}.url is required`);
    else if (o.files && !(vocabulary.url in o.files)) problems.push(`files lacks the vocabulary file ${vocabulary.url}`);
  }
  if (!Array.isArray(o.inputs) || o.inputs.length === 0) problems.push('inputs (one entry per model input) is required');
  else {
    o.inputs.forEach((input, k) => problems.push(...inputProblems(input ?? {}, `inputs[${k}]`, vocabularies)));
    const names = o.inputs.map((input) => input?.name);
    if (new Set(names).size !== names.length) problems.push('inputs name a model input twice');
  }
  problems.push(...outputProblems(o.output, vocabularies));
  return problems;
}

/**
 * Lists what is wrong with a parsed manifest of either version (empty when it is valid).
 * It checks the manifest alone; `modelProblems` checks it against the model.
 *
 * @example
 * manifestProblems(JSON.parse(text)); // []
 */
export function manifestProblems(m: unknown): string[] {
  const problems: string[] = [];
  const o = m as Partial<PrecisManifest | ManifestV1> | null;
  if (!o || typeof o !== 'object') return ['manifest is not an object'];
  if (o.format !== 'precis-manifest@1' && o.format !== 'precis-manifest@2') {
    return [`format must be "precis-manifest@2" (or @1), got ${JSON.stringify(o.format)}`];
  }
  if (typeof o.version !== 'string' || o.version === '') problems.push('version (string) is required');
  if (!o.model || typeof o.model.url !== 'string' || (o.model.format !== 'layers' && o.model.format !== 'graph')) {
    problems.push('model.url (string) and model.format ("layers"|"graph") are required');
  }
  if (!o.files || typeof o.files !== 'object') problems.push('files (path → sha256) is required');
  else {
    for (const [k, v] of Object.entries(o.files)) if (!SHA256.test(String(v))) problems.push(`files["${k}"] is not a sha256 hex`);
    if (o.model && !(o.model.url in o.files)) problems.push(`files lacks the model file ${o.model.url}`);
  }
  problems.push(...(o.format === 'precis-manifest@1' ? v1Problems(o as Partial<ManifestV1>) : v2Problems(o as Partial<PrecisManifest>)));
  return problems;
}

/**
 * Returns the manifest as v2 when it is valid (a v1 manifest through `fromV1`); throws
 * `model-manifest` listing the problems.
 *
 * @example
 * const manifest = parseManifest(await response.json());
 */
export function parseManifest(raw: unknown): PrecisManifest {
  const problems = manifestProblems(raw);
  if (problems.length > 0) throw new PrecisError('model-manifest', { reason: problems.join('; ') });
  const m = raw as ManifestV1 | PrecisManifest;
  return m.format === 'precis-manifest@1' ? fromV1(m) : m;
}

/**
 * The item-history input and its vocabulary file, when the manifest has one (the built-in
 * SASRec model has exactly this one input).
 *
 * @example
 * historyInput(manifest); // { name: 'history', maxLength: 50, itemsUrl: 'items.json' }
 */
export function historyInput(m: PrecisManifest): { name: string; maxLength: number; itemsUrl: string } | undefined {
  const input = m.inputs.find((spec) => spec.feature === 'itemHistory');
  const vocabulary = input?.vocabulary === undefined ? undefined : m.vocabularies[input.vocabulary];
  return input && vocabulary ? { name: input.name, maxLength: Number(input.shape[1]), itemsUrl: vocabulary.url } : undefined;
}
