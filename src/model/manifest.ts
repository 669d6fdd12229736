import { PrecisError } from '../core/errors';
import type { InputSpec } from '../features/feature-spec';
import { manifestProblems } from './manifest-checks';

export { manifestProblems };

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

/**
 * What a v1 manifest means in v2 terms: its one input is the item history, its items file
 * the vocabulary `items` (padding at 0), its scores `item-scores`. A v1 manifest that gives
 * neither `items.count` nor `output.shape` gets `size: 0`, which `sizedManifest` turns into
 * the items file's length once it is read.
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
    output: { kind: 'item-scores', ...(output.name === undefined ? {} : { name: output.name }), size: items.count ?? Number(output.shape?.[1] ?? 0), vocabulary: 'items' },
  };
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
