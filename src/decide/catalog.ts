import { PrecisError, toPrecisError } from '../core/errors';
import { readInterests, readPooledPriors, type InterestPrior } from './prior';

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
}

const MAX_ID = 128;
/**
 * The longest title a catalog may carry, in UTF-16 code units.
 *
 * @example
 * title.slice(0, MAX_TITLE_LENGTH);
 */
export const MAX_TITLE_LENGTH = 300;
const MAX_TITLE = MAX_TITLE_LENGTH;
const MAX_URL = 2048;

// A relative URL takes its host from the base, so a URL is checked against two bases
// that differ in scheme and host: relative only when it follows the base under both.
// `//host/x` and `/\\host/x` keep their own host, and `https:host` (relative on an
// https page, absolute on an http one) fails under the http base, so all of them meet
// the allowlist.
// (Plain strings, not URL objects, so importing this module does no work.)
const BASES = [
  { href: 'https://a.precis.invalid/', host: 'a.precis.invalid' },
  { href: 'http://b.precis.invalid/', host: 'b.precis.invalid' },
] as const;

function parseUrl(value: string, base: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/**
 * Lower-cases and punycodes an allowlist entry the way the URL parser does, so entries
 * compare equal to parsed hosts. An entry that is more than a host (a path, user info,
 * a query) is not one, and matches nothing.
 */
function normalizeHost(entry: string): string | undefined {
  const url = parseUrl(`https://${entry}/`, BASES[0].href);
  const plain = url !== undefined && url.pathname === '/' && url.username === '' && url.password === '' &&
    url.search === '' && url.hash === '';
  return plain ? url.host : undefined;
}

/**
 * True for URLs Precis will put in a page: http(s) or relative. Parsed the way a browser
 * parses them, so `java\tscript:`, ` javascript:` and `\u0001javascript:` are caught
 * too. URLs carrying credentials (`https://shop.example@evil.example/`) are refused:
 * they exist to make a link look like it goes somewhere else. With `allowedHosts`, an
 * absolute URL (including `//host/x`) must name one of those hosts exactly (`host` or
 * `host:port`, case-insensitive, no wildcards); relative URLs stay allowed since they
 * point at the page's own site.
 *
 * @example
 * isSafeUrl('/p/7'); // true
 * isSafeUrl('javascript:alert(1)'); // false
 * isSafeUrl('https://cdn.example/a.png', ['cdn.example']); // true
 * isSafeUrl('https://evil.example/a.png', ['cdn.example']); // false
 */
export function isSafeUrl(value: string, allowedHosts?: readonly string[]): boolean {
  if (typeof value !== 'string' || value.length > MAX_URL) return false;
  return BASES.every((base) => {
    const url = parseUrl(value, base.href);
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) return false;
    if (url.username !== '' || url.password !== '') return false;
    return allowedHosts === undefined || url.host === base.host || isAllowedHost(url, allowedHosts);
  });
}

function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((entry) => {
    if (typeof entry !== 'string' || entry === '') return false;
    const host = normalizeHost(entry);
    return host !== undefined && (host === url.host || host === url.hostname);
  });
}

// Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069) can reorder the
// rest of a title ("Trojan Source" spoofing) and leak into the text around the slot, so
// they are removed; the marks (LRM, RLM, ALM) only nudge neutral characters and stay.
// Other control characters (NUL, C0, DEL, C1) have no business in a one-line title.
const STRIPPED_FROM_TITLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const TITLE_LINE_BREAKS = /[\t\n\r\u2028\u2029]/g;

/**
 * Makes a title safe to show as one line of text: bidi embedding, override and isolate
 * controls and other control characters are removed, tabs and line breaks become
 * spaces. Everything else, `<script>` included, is kept: titles are only ever set
 * through `textContent`, where markup is inert text.
 *
 * @example
 * cleanTitle('Sale\u202Egnp.exe'); // 'Salegnp.exe'
 * cleanTitle('<b>50%</b> off'); // '<b>50%</b> off' (shown as text)
 */
export function cleanTitle(title: string): string {
  return title.replace(STRIPPED_FROM_TITLE, '').replace(TITLE_LINE_BREAKS, ' ');
}

function fail(index: number, reason: string): PrecisError {
  return new PrecisError('invalid-catalog', { index, reason });
}

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

function readTitle(value: unknown, index: number): string {
  const raw = readString(value, MAX_TITLE);
  const title = raw === undefined ? '' : cleanTitle(raw);
  if (title.trim() === '') throw fail(index, `title must be 1-${MAX_TITLE} characters of text`);
  return title;
}

function readUrl(value: unknown, index: number, field: string, allowedHosts?: readonly string[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isSafeUrl(value, allowedHosts)) {
    throw fail(index, `${field} must be an http(s) or relative URL${allowedHosts ? ' on an allowed host' : ''}`);
  }
  return value;
}

function readTargets(value: unknown, index: number): Creative['targets'] {
  if (value === undefined) return { items: [], categories: [], segments: [] };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(index, 'targets must be an object');
  return {
    items: readIdList(readOwn(value, 'items'), index, 'targets.items'),
    categories: readIdList(readOwn(value, 'categories'), index, 'targets.categories'),
    segments: readIdList(readOwn(value, 'segments'), index, 'targets.segments'),
  };
}

function readWeight(value: unknown, index: number): number {
  if (value === undefined) return 1;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw fail(index, 'weight must be a positive number');
  return value;
}

function readNumber(value: unknown, index: number, field: string, valid: (n: number) => boolean, range: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) throw fail(index, `${field} must be ${range}`);
  return value;
}

function readCaps(value: unknown, index: number): FrequencyCaps | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(index, 'caps must be an object');
  const caps: FrequencyCaps = {};
  const whole = (n: number): boolean => Number.isInteger(n) && n >= 1;
  const perDay = readNumber(readOwn(value, 'perDay'), index, 'caps.perDay', whole, 'a whole number ≥ 1');
  const perSession = readNumber(readOwn(value, 'perSession'), index, 'caps.perSession', whole, 'a whole number ≥ 1');
  if (perDay !== undefined) caps.perDay = perDay;
  if (perSession !== undefined) caps.perSession = perSession;
  return caps;
}

function parseCreative(
  raw: unknown,
  index: number,
  onError: (error: PrecisError) => void,
  allowedHosts?: readonly string[],
): Creative {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail(index, 'not an object');
  const id = readString(readOwn(raw, 'id'), MAX_ID);
  if (id === undefined) throw fail(index, `id must be 1-${MAX_ID} characters`);
  const title = readTitle(readOwn(raw, 'title'), index);
  const slots = readIdList(readOwn(raw, 'slots'), index, 'slots');
  if (slots.length === 0) throw fail(index, 'slots must name at least one slot');
  const creative: Creative = {
    id, slots, title, targets: readTargets(readOwn(raw, 'targets'), index), weight: readWeight(readOwn(raw, 'weight'), index),
  };
  const image = readUrl(readOwn(raw, 'image'), index, 'image', allowedHosts);
  const url = readUrl(readOwn(raw, 'url'), index, 'url', allowedHosts);
  if (image !== undefined) creative.image = image;
  if (url !== undefined) creative.url = url;
  const priorCtr = readNumber(readOwn(raw, 'priorCtr'), index, 'priorCtr', (n) => n > 0 && n < 1, 'between 0 and 1');
  const value = readNumber(readOwn(raw, 'value'), index, 'value', (n) => n > 0, 'a positive number');
  const caps = readCaps(readOwn(raw, 'caps'), index);
  const category = readOwn(raw, 'category');
  if (priorCtr !== undefined) creative.priorCtr = priorCtr;
  if (value !== undefined) creative.value = value;
  if (caps !== undefined) creative.caps = caps;
  if (category !== undefined) {
    const id = readString(category, MAX_ID);
    if (id === undefined) throw fail(index, `category must be 1-${MAX_ID} characters`);
    creative.category = id;
  }
  Object.assign(creative, readPooledPriors(readOwn(raw, 'priorStrength'), readOwn(raw, 'priorsByInterest'), index, onError));
  const start = readTime(readOwn(raw, 'start'), index, 'start');
  const end = readTime(readOwn(raw, 'end'), index, 'end');
  if (start !== undefined) creative.start = start;
  if (end !== undefined) creative.end = end;
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
      const creative = parseCreative(entry, index, onError, allowedHosts);
      if (seen.has(creative.id)) throw fail(index, `duplicate id ${creative.id}`);
      seen.add(creative.id);
      creatives.push(creative);
    } catch (error) {
      onError(toPrecisError(error, 'invalid-catalog'));
    }
  });
  return { creatives, interests: readInterests(readOwn(raw as object, 'interests'), creatives, onError) };
}
