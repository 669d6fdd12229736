import { PrecisError, toPrecisError } from '../core/errors';
import { readInterests, readPooledPriors, type InterestPrior } from './prior';
import { parseAudienceMapping, type AudienceMapping } from './audience-mapping';
import { cleanTitle, isSafeUrl, MAX_TITLE_LENGTH } from './safe-content';

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
  /** Whom it is for: items and categories the visitor showed interest in, and their segments. */
  targets: { items: string[]; categories: string[]; segments: string[] };
  /** The prior: a multiplier on the score. Default 1. */
  weight: number;
  /**
   * The expected click-through rate, in (0, 1): where the bandit starts. Set by hand, or
   * pooled over every visitor by the collector. Default 0.02.
   */
  priorCtr?: number;
  /** How many impressions `priorCtr` counts as (the collector sets it from the pooled counts). Default: the `priorStrength` option. */
  priorStrength?: number;
  /** Pooled priors per main interest (a category in the catalog's `interests`), used for visitors of that interest. */
  priorsByInterest?: Record<string, InterestPrior>;
  /** What a click is worth (e.g. the margin), a multiplier on the score. Default 1. */
  value?: number;
  /** Most viewable impressions per visitor per day and per session; the options give the default. */
  caps?: FrequencyCaps;
  /** What the creative promotes, for the per-page limit of creatives per category. */
  category?: string;
  /** Active from this time (ms since the epoch), inclusive. */
  start?: number;
  /** Active until this time (ms since the epoch), exclusive. */
  end?: number;
}

/** A frequency cap: most viewable impressions of one creative per visitor. */
export interface FrequencyCaps {
  perDay?: number;
  perSession?: number;
}

/** A validated catalog. */
export interface Catalog {
  creatives: Creative[];
  /**
   * The interests reports count under (see `mainInterest`): the catalog's `interests`,
   * else every category its creatives target.
   */
  interests: string[];
  /** Site categories and Precis segments → IAB Audience Taxonomy 1.1 ids, for the ad stack. */
  audience?: AudienceMapping;
}

const MAX_ID = 128;
const MAX_TITLE = MAX_TITLE_LENGTH;

/** A bad field: the creative is left out, and the error names its index (added by `parseCatalog`). */
const fail = (reason: string): PrecisError => new PrecisError('invalid-catalog', { reason });

const isRecord = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads only the object's own property: a prototype polluted elsewhere on the page
 * (`Object.prototype.url = 'javascript:…'`) must not leak into every creative.
 */
function readOwn(entry: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(entry, key) ? (entry as Record<string, unknown>)[key] : undefined;
}

// The length is checked before `trim()` so a megabyte string costs no copy.
function readString(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length <= max && value.trim() !== '' ? value : undefined;
}

function readId(value: unknown, field: string): string {
  const id = readString(value, MAX_ID);
  if (id === undefined) throw fail(`${field} must be 1-${MAX_ID} characters`);
  return id;
}

function readIdList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw fail(`${field} must be an array`);
  return value.map((entry) => {
    const id = typeof entry === 'number' && Number.isFinite(entry) ? String(entry) : readString(entry, MAX_ID);
    if (id === undefined) throw fail(`${field} must hold ids`);
    return id;
  });
}

function readTime(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const time = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(time)) throw fail(`${field} must be a date`);
  return time;
}

function readTitle(value: unknown): string {
  const raw = readString(value, MAX_TITLE);
  const title = raw === undefined ? '' : cleanTitle(raw);
  if (title.trim() === '') throw fail(`title must be 1-${MAX_TITLE} characters of text`);
  return title;
}

function readUrl(value: unknown, field: string, allowedHosts?: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isSafeUrl(value, allowedHosts)) {
    throw fail(`${field} must be an http(s) or relative URL${allowedHosts ? ' on an allowed host' : ''}`);
  }
  return value;
}

function readTargets(value: unknown): Creative['targets'] {
  if (value === undefined) return { items: [], categories: [], segments: [] };
  if (!isRecord(value)) throw fail('targets must be an object');
  const [items, categories, segments] = ['items', 'categories', 'segments'].map((key) => readIdList(readOwn(value, key), `targets.${key}`));
  return { items: items!, categories: categories!, segments: segments! };
}

function readNumber(value: unknown, field: string, valid: (n: number) => boolean, range: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) throw fail(`${field} must be ${range}`);
  return value;
}

const positive = (n: number): boolean => n > 0;
const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;

/**
 * Reads frequency caps (a creative's, or the `caps` option): `{perDay, perSession}`, each
 * a whole number ≥ 1 when given. Throws `invalid-catalog` with the reason.
 *
 * @example
 * readCaps({ perDay: 3 }); // { perDay: 3 }
 */
export function readCaps(value: unknown): FrequencyCaps | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw fail('caps must be an object');
  const caps: FrequencyCaps = {};
  for (const key of ['perDay', 'perSession'] as const) {
    const cap = readNumber(readOwn(value, key), `caps.${key}`, whole, 'a whole number ≥ 1');
    if (cap !== undefined) caps[key] = cap;
  }
  return caps;
}

function parseCreative(raw: unknown, onError: (error: PrecisError) => void, index: number, allowedHosts?: readonly string[]): Creative {
  if (!isRecord(raw)) throw fail('not an object');
  const field = (key: string): unknown => readOwn(raw, key);
  const id = readId(field('id'), 'id');
  const title = readTitle(field('title'));
  const slots = readIdList(field('slots'), 'slots');
  if (slots.length === 0) throw fail('slots must name at least one slot');
  const creative: Creative = {
    id, slots, title, targets: readTargets(field('targets')), weight: readNumber(field('weight'), 'weight', positive, 'a positive number') ?? 1,
  };
  const category = field('category');
  const optional: Partial<Creative> = {
    image: readUrl(field('image'), 'image', allowedHosts),
    url: readUrl(field('url'), 'url', allowedHosts),
    priorCtr: readNumber(field('priorCtr'), 'priorCtr', (n) => n > 0 && n < 1, 'between 0 and 1'),
    value: readNumber(field('value'), 'value', positive, 'a positive number'),
    caps: readCaps(field('caps')),
    category: category === undefined ? undefined : readId(category, 'category'),
    ...readPooledPriors(field('priorStrength'), field('priorsByInterest'), index, onError),
    start: readTime(field('start'), 'start'),
    end: readTime(field('end'), 'end'),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (creative as unknown as Record<string, unknown>)[key] = value;
  }
  return creative;
}

/**
 * Validates a catalog. A bad creative is left out and reported through `onError`; the
 * rest are kept. A catalog that is not `{creatives: [...]}` throws `invalid-catalog`.
 * Malformed pooled priors (`priorStrength`, `priorsByInterest`) are reported and dropped,
 * keeping the creative; malformed `interests` are reported and the default used (see
 * `Catalog.interests`).
 * Duplicate ids keep the first. Titles come back cleaned (see `cleanTitle`); with
 * `allowedHosts`, a creative whose absolute `url` or `image` names another host is
 * left out (see `isSafeUrl`). Only own properties are read, and the input is never
 * copied key by key, so `__proto__` or `constructor` keys cannot pollute prototypes.
 * The optional `audience` mapping is validated too (see `parseAudienceMapping`).
 *
 * @example
 * const catalog = parseCatalog(await (await fetch('/catalog.json')).json(), reportError);
 * const strict = parseCatalog(json, reportError, ['cdn.shop.example', 'shop.example']);
 */
export function parseCatalog(
  raw: unknown,
  onError: (error: PrecisError) => void,
  allowedHosts?: readonly string[],
): Catalog {
  const list = typeof raw === 'object' && raw !== null ? readOwn(raw, 'creatives') : undefined;
  if (!Array.isArray(list)) {
    throw new PrecisError('invalid-catalog', { reason: 'expected {"creatives": [...]}' });
  }
  const seen = new Set<string>();
  const creatives: Creative[] = [];
  list.forEach((entry: unknown, index) => {
    try {
      const creative = parseCreative(entry, onError, index, allowedHosts);
      if (seen.has(creative.id)) throw fail(`duplicate id ${creative.id}`);
      seen.add(creative.id);
      creatives.push(creative);
    } catch (error) {
      onError(new PrecisError('invalid-catalog', { index, reason: toPrecisError(error).details.reason }));
    }
  });
  const audience = parseAudienceMapping(readOwn(raw as object, 'audience'), onError);
  const interests = readInterests(readOwn(raw as object, 'interests'), creatives, onError);
  return audience ? { creatives, interests, audience } : { creatives, interests };
}
