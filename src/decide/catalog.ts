import { PrecisError, toPrecisError } from '../core/errors';

/**
 * One creative of the site's catalog, as validated: an ad, a promotion or a product
 * recommendation that may fill the named slots.
 */
export interface Creative {
  id: string;
  slots: string[];
  title: string;
  image?: string;
  url?: string;
  targets: { items: string[]; categories: string[] };
  /** The prior: a multiplier on the score. Default 1. */
  weight: number;
  /** Active from this time (ms since the epoch), inclusive. */
  start?: number;
  /** Active until this time (ms since the epoch), exclusive. */
  end?: number;
}

export interface Catalog {
  creatives: Creative[];
}

const MAX_ID = 128;
const MAX_TITLE = 300;
const MAX_URL = 2048;

/**
 * True for URLs Precis will put in a page: http(s) or relative. Parsed the way a browser
 * parses them, so `java\tscript:` and ` javascript:` are caught too.
 *
 * @example
 * isSafeUrl('/p/7'); // true
 * isSafeUrl('javascript:alert(1)'); // false
 */
export function isSafeUrl(value: string): boolean {
  if (value.length > MAX_URL) return false;
  try {
    const { protocol } = new URL(value, 'https://relative.invalid/');
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function fail(index: number, reason: string): PrecisError {
  return new PrecisError('invalid-catalog', { index, reason });
}

function readString(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.trim() !== '' && value.length <= max ? value : undefined;
}

function readIdList(value: unknown, index: number, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw fail(index, `${field} must be an array`);
  return value.map((entry) => {
    const id = typeof entry === 'number' && Number.isFinite(entry) ? String(entry) : readString(entry, MAX_ID);
    if (id === undefined) throw fail(index, `${field} must hold ids`);
    return id;
  });
}

function readTime(value: unknown, index: number, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const time = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(time)) throw fail(index, `${field} must be a date`);
  return time;
}

function parseCreative(raw: unknown, index: number): Creative {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail(index, 'not an object');
  const entry = raw as Record<string, unknown>;
  const id = readString(entry.id, MAX_ID);
  if (id === undefined) throw fail(index, `id must be 1-${MAX_ID} characters`);
  const title = readString(entry.title, MAX_TITLE);
  if (title === undefined) throw fail(index, `title must be 1-${MAX_TITLE} characters`);
  const slots = readIdList(entry.slots, index, 'slots');
  if (slots.length === 0) throw fail(index, 'slots must name at least one slot');
  const creative: Creative = { id, slots, title, targets: { items: [], categories: [] }, weight: 1 };
  for (const field of ['image', 'url'] as const) {
    if (entry[field] === undefined) continue;
    const url = entry[field];
    if (typeof url !== 'string' || !isSafeUrl(url)) throw fail(index, `${field} must be an http(s) or relative URL`);
    creative[field] = url;
  }
  if (entry.targets !== undefined) {
    if (typeof entry.targets !== 'object' || entry.targets === null) throw fail(index, 'targets must be an object');
    const targets = entry.targets as Record<string, unknown>;
    creative.targets = {
      items: readIdList(targets.items, index, 'targets.items'),
      categories: readIdList(targets.categories, index, 'targets.categories'),
    };
  }
  if (entry.weight !== undefined) {
    if (typeof entry.weight !== 'number' || !Number.isFinite(entry.weight) || entry.weight <= 0) {
      throw fail(index, 'weight must be a positive number');
    }
    creative.weight = entry.weight;
  }
  const start = readTime(entry.start, index, 'start');
  const end = readTime(entry.end, index, 'end');
  if (start !== undefined) creative.start = start;
  if (end !== undefined) creative.end = end;
  return creative;
}

/**
 * Validates a catalog. A bad creative is left out and reported through `onError`; the
 * rest are kept. A catalog that is not `{creatives: [...]}` throws `invalid-catalog`.
 * Duplicate ids keep the first.
 *
 * @example
 * const catalog = parseCatalog(await (await fetch('/catalog.json')).json(), reportError);
 */
export function parseCatalog(raw: unknown, onError: (error: PrecisError) => void): Catalog {
  if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { creatives?: unknown }).creatives)) {
    throw new PrecisError('invalid-catalog', { reason: 'expected {"creatives": [...]}' });
  }
  const seen = new Set<string>();
  const creatives: Creative[] = [];
  (raw as { creatives: unknown[] }).creatives.forEach((entry, index) => {
    try {
      const creative = parseCreative(entry, index);
      if (seen.has(creative.id)) throw fail(index, `duplicate id ${creative.id}`);
      seen.add(creative.id);
      creatives.push(creative);
    } catch (error) {
      onError(toPrecisError(error, 'invalid-catalog'));
    }
  });
  return { creatives };
}
