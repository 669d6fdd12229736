import type { PrecisEvent } from '../capture/event';

/** How strongly each event type signals interest. Page views say nothing about items. */
export const EVENT_WEIGHTS: ReadonlyMap<string, number> = new Map([
  ['page_view', 0],
  ['view', 1],
  ['click', 2],
  ['add_to_cart', 3],
  ['purchase', 4],
]);
const CUSTOM_EVENT_WEIGHT = 1;

/** The visitor's recency-decayed interest in items and categories. */
export interface Profile {
  items: Map<string, number>;
  categories: Map<string, number>;
}

/**
 * Sums each event's type weight, halved for every `halfLifeMs` of age, into interest
 * per item and per category.
 *
 * @example
 * const profile = buildProfile(await store.recent(200), Date.now(), 7 * DAY_MS);
 * profile.categories.get('consoles'); // e.g. 2.7
 */
export function buildProfile(events: readonly PrecisEvent[], now: number, halfLifeMs: number): Profile {
  const profile: Profile = { items: new Map(), categories: new Map() };
  for (const event of events) {
    // A Map, so that a custom type named `constructor` is just a custom type.
    const weight = EVENT_WEIGHTS.get(event.type) ?? CUSTOM_EVENT_WEIGHT;
    if (weight === 0) continue;
    const age = Math.max(0, now - event.time);
    const decayed = weight * Math.pow(0.5, age / halfLifeMs);
    if (event.item !== undefined) add(profile.items, event.item, decayed);
    if (event.category !== undefined) add(profile.categories, event.category, decayed);
  }
  return profile;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}
