/**
 * Vocabulary: external item ids ↔ model indices. Index 0 is the padding slot
 * (empty string in `items.json`).
 */
import { buildItemIndex } from '../src/features';

/** The `items.json` array plus its lookup map. */
export interface Vocabulary {
  items: string[];
  index: Map<string, number>;
}

/**
 * Build the vocabulary from sequences. If every id is a decimal integer the ids
 * are sorted numerically (so `Video.txt` item k gets index k), otherwise by string.
 *
 * @example
 * buildVocabulary([['10', '2'], ['2', '7']]).items; // ['', '2', '7', '10']
 */
export function buildVocabulary(sequences: readonly (readonly string[])[]): Vocabulary {
  const ids = new Set<string>();
  for (const s of sequences) for (const id of s) ids.add(id);
  const list = [...ids];
  if (list.every((id) => /^\d+$/.test(id))) list.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1));
  else list.sort();
  const items = ['', ...list];
  return { items, index: buildItemIndex(items) };
}

/**
 * Map external-id sequences to model-index sequences, dropping unknown ids.
 *
 * @example
 * indexSequences([['a', 'b']], new Map([['a', 1], ['b', 2]])); // [Int32Array [1, 2]]
 */
export function indexSequences(sequences: readonly (readonly string[])[], index: ReadonlyMap<string, number>): Int32Array[] {
  return sequences.map((s) => {
    const out: number[] = [];
    for (const id of s) {
      const k = index.get(id);
      if (k !== undefined) out.push(k);
    }
    return Int32Array.from(out);
  });
}
