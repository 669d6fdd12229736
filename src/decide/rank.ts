import type { Creative } from './catalog';
import type { ModelView } from './model-view';
import type { Profile } from './profile';

/** How much the model's opinion counts against the visitor's recorded affinity. */
export const MODEL_WEIGHT = 3;

/** Why a creative scored as it did: its targets that the visitor showed interest in. */
export interface Contribution {
  /** `model`: the model's affinity for a targeted item (`id`), weighted by MODEL_WEIGHT. */
  kind: 'item' | 'category' | 'model';
  id: string;
  affinity: number;
}

/** The creative chosen for one slot, or `null` when none fits (the default content stays). */
export interface Decision {
  slot: string;
  creative: Creative | null;
  score: number;
  contributions: Contribution[];
}

/**
 * A creative's score: `weight × (1 + Σ affinity of its targeted items and categories
 * + MODEL_WEIGHT × the model's best affinity among its targeted items and the items of
 * its targeted categories)`. With no history
 * and no model every creative scores its weight, so the catalog's prior decides.
 *
 * @example
 * scoreCreative(creative, profile, modelView).score;
 */
export function scoreCreative(
  creative: Creative,
  profile: Profile,
  model?: ModelView,
): { score: number; contributions: Contribution[] } {
  const contributions: Contribution[] = [];
  for (const id of creative.targets.items) {
    const affinity = profile.items.get(id);
    if (affinity) contributions.push({ kind: 'item', id, affinity });
  }
  for (const id of creative.targets.categories) {
    const affinity = profile.categories.get(id);
    if (affinity) contributions.push({ kind: 'category', id, affinity });
  }
  let best: Contribution | undefined;
  const modelItems = model ? [...creative.targets.items, ...creative.targets.categories.flatMap((c) => model.itemsIn(c))] : [];
  for (const id of modelItems) {
    const affinity = model?.affinity(id);
    if (affinity !== undefined && (!best || affinity * MODEL_WEIGHT > best.affinity)) {
      best = { kind: 'model', id, affinity: affinity * MODEL_WEIGHT };
    }
  }
  if (best && best.affinity > 0) contributions.push(best);
  contributions.sort((a, b) => b.affinity - a.affinity);
  const match = contributions.reduce((sum, c) => sum + c.affinity, 0);
  return { score: creative.weight * (1 + match), contributions };
}

/**
 * True while a creative's campaign runs: `start <= now < end`.
 *
 * @example
 * isActive({ ...creative, end: Date.parse('2030-01-01') }, Date.now());
 */
export function isActive(creative: Creative, now: number): boolean {
  return (creative.start === undefined || creative.start <= now) && (creative.end === undefined || now < creative.end);
}

/**
 * Chooses a creative for each slot, in page order: the highest score among active
 * creatives that name the slot and are not yet used on this page (`taken` lists those
 * already shown); ties go to the smaller id, so the same inputs always give the same page.
 *
 * @example
 * rankSlots(['hero', 'sidebar'], catalog.creatives, profile, Date.now());
 */
export function rankSlots(
  slots: readonly string[],
  creatives: readonly Creative[],
  profile: Profile,
  now: number,
  taken: ReadonlySet<string> = new Set(),
  model?: ModelView,
): Decision[] {
  const scored = creatives
    .filter((creative) => isActive(creative, now))
    .map((creative) => ({ creative, ...scoreCreative(creative, profile, model) }))
    .sort((a, b) => b.score - a.score || (a.creative.id < b.creative.id ? -1 : a.creative.id > b.creative.id ? 1 : 0));
  const used = new Set(taken);
  return slots.map((slot) => {
    const best = scored.find((entry) => !used.has(entry.creative.id) && entry.creative.slots.includes(slot));
    if (!best) return { slot, creative: null, score: 0, contributions: [] };
    used.add(best.creative.id);
    return { slot, creative: best.creative, score: best.score, contributions: best.contributions };
  });
}
