/** One recommended item and its model score. */
export interface ScoredItem {
  item: string;
  score: number;
}

/**
 * The k best-scoring items, skipping `exclude` and the padding index `padIndex` (0, as a
 * vocabulary's default; null when every index is an item); when `among` is given, only
 * those ids compete. Ties go to the smaller model index.
 *
 * @example
 * topItems(scores, items, new Set(['seen']), 10);
 */
export function topItems(
  scores: ArrayLike<number>,
  items: readonly string[],
  exclude: ReadonlySet<string>,
  k: number,
  among?: ReadonlySet<string>,
  padIndex: number | null = 0,
): ScoredItem[] {
  const best: Array<{ index: number; score: number }> = [];
  for (let index = 0; index < items.length; index += 1) {
    const id = items[index]!;
    if (index === padIndex || exclude.has(id) || (among && !among.has(id))) continue;
    const score = scores[index]!;
    if (best.length === k && score <= best[k - 1]!.score) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.score < score) at -= 1;
    best.splice(at, 0, { index, score });
    if (best.length > k) best.pop();
  }
  return best.map(({ index, score }) => ({ item: items[index]!, score }));
}
