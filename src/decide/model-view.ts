/**
 * The model's opinion of the items a catalog targets, as a number in [0, 1] per item:
 * 1 for the candidate the model ranks highest for this visitor, 0 for the lowest. Ranking
 * among the candidates (not all items) keeps it telling even when every candidate is a
 * popular item.
 */
export interface ModelView {
  affinity(item: string): number | undefined;
}

/**
 * Ranks the candidate items by their model scores.
 *
 * @example
 * const view = createModelView(scores, indexOf, ['sku-1', 'sku-2']);
 * view.affinity('sku-1'); // 1 if the model prefers it, else 0
 */
export function createModelView(
  scores: ArrayLike<number>,
  indexOf: ReadonlyMap<string, number>,
  candidates: Iterable<string>,
): ModelView {
  const scored = [...new Set(candidates)]
    .flatMap((item) => {
      const index = indexOf.get(item);
      return index === undefined ? [] : [{ item, score: scores[index]! }];
    })
    .sort((a, b) => a.score - b.score);
  const affinity = new Map<string, number>();
  scored.forEach(({ item }, rank) => affinity.set(item, scored.length === 1 ? 1 : rank / (scored.length - 1)));
  return { affinity: (item) => affinity.get(item) };
}
