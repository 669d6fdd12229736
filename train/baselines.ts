/**
 * Baselines scored through the same protocol code: PopRec (global popularity)
 * and item-to-item collaborative filtering (cosine over user co-occurrence).
 */
import type { BatchScorer, EvalCase } from './protocol';

/**
 * Item popularity (interaction counts) over the given index sequences.
 *
 * @example
 * countPopularity([Int32Array.of(1, 2), Int32Array.of(2)], 3); // Float32Array [0, 1, 2]
 */
export function countPopularity(sequences: readonly Int32Array[], numItems: number): Float32Array {
  const pop = new Float32Array(numItems);
  for (const s of sequences) for (const i of s) pop[i]!++;
  return pop;
}

/**
 * PopRec scorer: the same popularity vector for every user.
 *
 * @example
 * const scorer = createPopRecScorer(countPopularity(seqs, n));
 */
export function createPopRecScorer(popularity: Float32Array): BatchScorer {
  return (cases) => cases.map(() => popularity);
}

/** Sparse item–item cosine similarity in CSR form. */
export interface ItemSimilarity {
  offsets: Int32Array;
  columns: Int32Array;
  values: Float32Array;
}

/**
 * Item–item cosine similarity from co-occurrence in users' sequences:
 * sim(a, b) = |U(a) ∩ U(b)| / sqrt(|U(a)| |U(b)|), a ≠ b.
 *
 * @example
 * const sim = buildItemSimilarity([Int32Array.of(1, 2), Int32Array.of(1, 2, 3)], 4);
 */
export function buildItemSimilarity(sequences: readonly Int32Array[], numItems: number): ItemSimilarity {
  const usersOf: number[][] = Array.from({ length: numItems }, () => []);
  sequences.forEach((s, u) => {
    for (const i of s) usersOf[i]!.push(u);
  });
  const count = new Float32Array(numItems);
  for (let i = 0; i < numItems; i++) count[i] = usersOf[i]!.length;
  const acc = new Float32Array(numItems);
  const touched: number[] = [];
  const offsets = new Int32Array(numItems + 1);
  let columns = new Int32Array(1 << 20);
  let values = new Float32Array(1 << 20);
  let nnz = 0;
  for (let a = 0; a < numItems; a++) {
    touched.length = 0;
    for (const u of usersOf[a]!) {
      for (const b of sequences[u]!) {
        if (b === a) continue;
        if (acc[b] === 0) touched.push(b);
        acc[b]!++;
      }
    }
    if (nnz + touched.length > columns.length) {
      const size = Math.max(columns.length * 2, nnz + touched.length);
      const c2 = new Int32Array(size);
      c2.set(columns.subarray(0, nnz));
      const v2 = new Float32Array(size);
      v2.set(values.subarray(0, nnz));
      columns = c2;
      values = v2;
    }
    for (const b of touched) {
      columns[nnz] = b;
      values[nnz] = acc[b]! / Math.sqrt(count[a]! * count[b]!);
      nnz++;
      acc[b] = 0;
    }
    offsets[a + 1] = nnz;
  }
  return { offsets, columns: columns.slice(0, nnz), values: values.slice(0, nnz) };
}

/**
 * Item-CF scorer: score(j) = Σ over the last `maxHistory` history items h of sim(h, j),
 * plus a tiny popularity term (≤ 1e-5) that only breaks ties.
 *
 * @example
 * const scorer = createItemCfScorer(buildItemSimilarity(seqs, n), n);
 */
export function createItemCfScorer(
  sim: ItemSimilarity,
  numItems: number,
  maxHistory = 50,
  popularity?: Float32Array,
): BatchScorer {
  // Ties (e.g. items never co-occurring with the history) are broken by popularity.
  let base = new Float32Array(numItems);
  if (popularity) {
    let max = 0;
    for (const p of popularity) max = Math.max(max, p);
    base = popularity.map((p) => (max > 0 ? (1e-5 * p) / max : 0));
  }
  return (cases: readonly EvalCase[]) =>
    cases.map((c) => {
      const scores = base.slice();
      const h = c.historyIndices;
      for (let k = Math.max(0, h.length - maxHistory); k < h.length; k++) {
        const a = h[k]!;
        for (let p = sim.offsets[a]!; p < sim.offsets[a + 1]!; p++) scores[sim.columns[p]!]! += sim.values[p]!;
      }
      return scores;
    });
}
