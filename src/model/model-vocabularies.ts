import { PrecisError } from '../core/errors';
import { createVocabulary, vocabularyProblems, type Vocabulary } from '../features';
import type { PrecisManifest } from './manifest';

function parseIds(name: string, url: string, bytes: ArrayBuffer | ArrayBufferView | undefined): unknown[] {
  try {
    const ids: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (Array.isArray(ids)) return ids;
  } catch {
    // reported below
  }
  throw new PrecisError('model-manifest', { reason: `vocabulary ${name} (${url}) must be a JSON array of ids` });
}

/** A bag or an affinity input must be as wide as its vocabulary, item scores one per id. */
function loadedProblems(manifest: PrecisManifest, vocabularies: ReadonlyMap<string, Vocabulary>): string[] {
  const problems = vocabularyProblems(manifest.inputs, vocabularies);
  const { output } = manifest;
  if (output.kind === 'item-scores') {
    const { length } = vocabularies.get(output.vocabulary)!.ids;
    if (output.size !== 0 && output.size !== length) problems.push(`output.size is ${output.size}, vocabulary ${output.vocabulary} has ${length} ids`);
  }
  return problems;
}

/**
 * The manifest's vocabularies, read from their verified files (`bytes(url)`), each with its
 * `padIndex` (default 0), checked against the inputs that use them and the output they
 * label. Throws `model-manifest` when a file is not a JSON array of distinct string ids, or
 * a vocabulary does not fit.
 *
 * @example
 * const vocabularies = readVocabularies(manifest, (url) => files.get(url)); // Map { 'items' => { ids, padIndex: 0, index } }
 */
export function readVocabularies(manifest: PrecisManifest, bytes: (url: string) => ArrayBuffer | ArrayBufferView | undefined): Map<string, Vocabulary> {
  const vocabularies = new Map<string, Vocabulary>();
  for (const [name, { url, padIndex }] of Object.entries(manifest.vocabularies)) {
    vocabularies.set(name, createVocabulary(parseIds(name, url, bytes(url)), padIndex === undefined ? 0 : padIndex, name));
  }
  const problems = loadedProblems(manifest, vocabularies);
  if (problems.length > 0) throw new PrecisError('model-manifest', { reason: problems.join('; ') });
  return vocabularies;
}

/**
 * The manifest with its output's width: a v1 manifest without a count (`size: 0`) is as
 * wide as its items file.
 *
 * @example
 * sizedManifest(fromV1(v1), vocabularies).output.size; // 23716
 */
export function sizedManifest(manifest: PrecisManifest, vocabularies: ReadonlyMap<string, Vocabulary>): PrecisManifest {
  const { output } = manifest;
  if (output.size !== 0 || output.kind !== 'item-scores') return manifest;
  return { ...manifest, output: { ...output, size: vocabularies.get(output.vocabulary)!.ids.length } };
}

/**
 * What each output column is, and the column a propensity model's probability is in.
 *
 * @example
 * outputLabels(manifest, vocabularies); // { labels: ['propensity'], column: 1 }
 */
export function outputLabels(manifest: PrecisManifest, vocabularies: ReadonlyMap<string, Vocabulary>): { labels: string[]; column: number } {
  const { output } = manifest;
  if (output.kind === 'item-scores') return { labels: [...vocabularies.get(output.vocabulary)!.ids], column: 0 };
  if (output.kind === 'creative-scores') return { labels: [...output.creatives], column: 0 };
  return { labels: ['propensity'], column: output.index ?? output.size - 1 };
}
