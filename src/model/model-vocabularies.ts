import { PrecisError } from '../core/errors';
import { createVocabulary, vocabularyProblems, type Vocabulary } from '../features';
import type { PrecisManifest } from './manifest';

function parseIds(name: string, url: string, bytes: ArrayBuffer | undefined): string[] {
  try {
    const ids: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (Array.isArray(ids) && ids.every((id) => typeof id === 'string')) return ids as string[];
  } catch {
    // reported below
  }
  throw new PrecisError('model-manifest', { reason: `vocabulary ${name} (${url}) must be a JSON array of strings` });
}

/**
 * The manifest's vocabularies, read from their verified files, checked against the inputs
 * that use them and the output they label (`model-manifest` when they do not fit).
 *
 * @example
 * const vocabularies = readVocabularies(manifest, files); // Map { 'items' => { ids, padIndex: 0, index } }
 */
export function readVocabularies(manifest: PrecisManifest, files: ReadonlyMap<string, ArrayBuffer>): Map<string, Vocabulary> {
  const vocabularies = new Map<string, Vocabulary>();
  for (const [name, { url, padIndex }] of Object.entries(manifest.vocabularies)) {
    vocabularies.set(name, createVocabulary(parseIds(name, url, files.get(url)), padIndex === undefined ? 0 : padIndex));
  }
  const problems = vocabularyProblems(manifest.inputs, vocabularies);
  const { output } = manifest;
  if (output.kind === 'item-scores') {
    const size = vocabularies.get(output.vocabulary)?.ids.length;
    if (size !== output.size) problems.push(`output: vocabulary ${output.vocabulary} has ${size} ids, output.size is ${output.size}`);
  }
  if (problems.length > 0) throw new PrecisError('model-manifest', { reason: problems.join('; ') });
  return vocabularies;
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
