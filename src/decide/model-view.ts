import type { PrecisEvent } from '../capture/event';
import type { Creative } from './catalog';

/** A model that contributed to a decision or to the visitor's segments, as `why()` and `profile()` name it. */
export interface ModelRef {
  name: string;
  version: string;
  /** Its job (the manifest's `output.kind`). */
  job: 'item-scores' | 'creative-scores' | 'propensity';
}

/**
 * The model's opinion of the items a catalog targets, as a number in [0, 1] per item:
 * 1 for the candidate the model ranks highest for this visitor, 0 for the lowest. Ranking
 * among the candidates (not all items) keeps it telling even when every candidate is a
 * popular item. A category's items are those the visitor's events and the catalog put
 * in it.
 */
export interface ModelView {
  /** The item-scores model that gave the scores. */
  readonly model: ModelRef;
  affinity(item: string): number | undefined;
  itemsIn(category: string): readonly string[];
}

/**
 * Which items belong to which category, as far as this page knows: from the visitor's
 * events (item + category) and from creatives that target both items and categories.
 *
 * @example
 * categoryItems(events, catalog.creatives).get('racing'); // ['8595', '3980']
 */
export function categoryItems(events: readonly PrecisEvent[], creatives: readonly Creative[]): Map<string, string[]> {
  const sets = new Map<string, Set<string>>();
  const add = (category: string, item: string): void => {
    let set = sets.get(category);
    if (!set) sets.set(category, (set = new Set()));
    set.add(item);
  };
  for (const { item, category } of events) if (item !== undefined && category !== undefined) add(category, item);
  for (const { targets } of creatives) for (const category of targets.categories) for (const item of targets.items) add(category, item);
  return new Map([...sets].map(([category, items]) => [category, [...items]]));
}

/**
 * Ranks the candidate items (those targeted, and those of targeted categories) by their
 * model scores.
 *
 * @example
 * const view = createModelView(ref, scores, indexOf, ['sku-1', 'sku-2'], new Map([['rpg', ['sku-2']]]));
 * view.affinity('sku-1'); // 1 if the model prefers it, else 0
 */
export function createModelView(
  model: ModelRef,
  scores: ArrayLike<number>,
  indexOf: ReadonlyMap<string, number>,
  targetedItems: Iterable<string>,
  itemsByCategory: ReadonlyMap<string, readonly string[]> = new Map(),
): ModelView {
  const candidates = [...targetedItems, ...[...itemsByCategory.values()].flat()];
  const scored = [...new Set(candidates)]
    .flatMap((item) => {
      const index = indexOf.get(item);
      return index === undefined ? [] : [{ item, score: scores[index]! }];
    })
    .sort((a, b) => a.score - b.score);
  const affinity = new Map<string, number>();
  scored.forEach(({ item }, rank) => affinity.set(item, scored.length === 1 ? 1 : rank / (scored.length - 1)));
  return { model, affinity: (item) => affinity.get(item), itemsIn: (category) => itemsByCategory.get(category) ?? [] };
}
