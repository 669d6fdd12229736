import { PrecisError } from '../core/errors';
import { isAudienceId } from './audience-taxonomy';

/**
 * How the site's words translate into IAB Audience Taxonomy 1.1 ids, the taxonomy buyers
 * read: the catalog's `audience` field, validated.
 */
export interface AudienceMapping {
  /** Site category → ids, for visitors with the segment `interest:<category>`. */
  categories: ReadonlyMap<string, readonly string[]>;
  /** Precis segment (`cart-abandoner`, `buyer`, `returning`, `propensity:high`, …) → ids. */
  segments: ReadonlyMap<string, readonly string[]>;
}

const MAX_KEY = 128;
const MAX_IDS = 20;

function fail(reason: string): PrecisError {
  return new PrecisError('invalid-catalog', { field: 'audience', reason });
}

function readTable(raw: unknown, field: string, onError: (error: PrecisError) => void): Map<string, string[]> {
  const table = new Map<string, string[]>();
  if (raw === undefined) return table;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    onError(fail(`audience.${field} must be an object`));
    return table;
  }
  // Object.entries reads own properties only: a polluted prototype adds nothing.
  for (const [key, value] of Object.entries(raw)) {
    const list: unknown[] = Array.isArray(value) ? value : [value];
    if (key === '' || key.length > MAX_KEY || list.length > MAX_IDS) {
      onError(fail(`audience.${field}: "${key.slice(0, 40)}" must be 1-${MAX_KEY} characters with at most ${MAX_IDS} ids`));
      continue;
    }
    const ids: string[] = [];
    for (const entry of list) {
      const id = typeof entry === 'number' ? String(entry) : entry;
      if (typeof id === 'string' && isAudienceId(id)) {
        if (!ids.includes(id)) ids.push(id);
      } else {
        onError(fail(`audience.${field}.${key}: ${String(entry).slice(0, 40)} is not an IAB Audience Taxonomy 1.1 id`));
      }
    }
    if (ids.length > 0) table.set(key, ids);
  }
  return table;
}

/**
 * Validates the catalog's `audience` field, `{categories: {racing: ['742']}, segments:
 * {'cart-abandoner': ['971']}}`. Every id must be a Unique ID of IAB Audience Taxonomy
 * 1.1 (a string or a number); a bad id or entry is reported through `onError`
 * (`invalid-catalog`) and left out, the rest are kept. Undefined without a mapping.
 *
 * @example
 * const mapping = parseAudienceMapping({ categories: { racing: ['742'] } }, reportError);
 * mapping?.categories.get('racing'); // ['742']
 */
export function parseAudienceMapping(raw: unknown, onError: (error: PrecisError) => void): AudienceMapping | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    onError(fail('audience must be {categories, segments}'));
    return undefined;
  }
  const own = (key: string): unknown => (Object.prototype.hasOwnProperty.call(raw, key) ? (raw as Record<string, unknown>)[key] : undefined);
  return { categories: readTable(own('categories'), 'categories', onError), segments: readTable(own('segments'), 'segments', onError) };
}

/**
 * The IAB Audience Taxonomy 1.1 ids for a visitor's segments, each once, in the order
 * of the segments (so the strongest interest comes first).
 *
 * @example
 * mapToAudience(['interest:racing', 'cart-abandoner'], mapping); // ['742', '971']
 */
export function mapToAudience(segments: readonly string[], mapping: AudienceMapping | undefined): string[] {
  if (!mapping) return [];
  const ids = segments.flatMap((segment) =>
    segment.startsWith('interest:')
      ? mapping.categories.get(segment.slice('interest:'.length)) ?? []
      : mapping.segments.get(segment) ?? []);
  return [...new Set(ids)];
}
