import { readFileSync } from 'node:fs';

/** The prior CTR of a creative whose catalog entry names none (the SDK's DEFAULT_PRIOR_CTR). */
export const SITE_DEFAULT_PRIOR_CTR = 0.02;
/** How many impressions the site's own priorCtr counts as (the SDK's DEFAULTS.priorStrength). */
export const SITE_PRIOR_STRENGTH = 100;
/** The longest creative id or interest a report may name (the SDK's catalog allows 128). */
export const MAX_ID_LENGTH = 128;
/** The most interests a catalog lists (the SDK's MAX_INTERESTS): each adds a row per creative to every report. */
export const MAX_INTERESTS = 32;

/** A UTF-16 surrogate without its pair: not well-formed Unicode. */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What the collector needs to know of the site's catalog, plus the catalog itself to republish. */
export interface SiteCatalog {
  /** The catalog as the site wrote it (its own fields are served back untouched). */
  raw: Record<string, unknown> & { creatives: Array<Record<string, unknown>> };
  /** Each creative id with the site's own priorCtr for it. */
  priors: Map<string, number>;
  /** The interests the devices report a row for (besides ""), in order. */
  interests: string[];
}

/**
 * Reads and checks the site's catalog: a file path, or the catalog object itself. Throws
 * (with a message naming the problem) when it is not `{creatives: [{id}, …]}`.
 *
 * @example
 * const catalog = loadSiteCatalog('./demo/catalog.json');
 * catalog.priors.get('welcome-sale'); // 0.03
 */
export function loadSiteCatalog(source: string | object): SiteCatalog {
  const value: unknown = typeof source === 'string' ? JSON.parse(readFileSync(source, 'utf8')) : structuredClone(source);
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { creatives?: unknown }).creatives)) {
    throw new Error('catalog: expected an object with a creatives array');
  }
  const raw = value as SiteCatalog['raw'];
  const priors = new Map<string, number>();
  const targeted: string[] = [];
  for (const [index, creative] of raw.creatives.entries()) {
    const id = creative?.id;
    // Not well-formed (a lone surrogate): the database would store U+FFFD instead, another id.
    if (typeof id !== 'string' || id === '' || id.length > MAX_ID_LENGTH || LONE_SURROGATE.test(id) || priors.has(id)) {
      throw new Error(`catalog: creatives[${index}].id must be a unique, well-formed string of 1 to ${MAX_ID_LENGTH} characters`);
    }
    const prior = creative.priorCtr;
    priors.set(id, typeof prior === 'number' && prior > 0 && prior < 1 ? prior : SITE_DEFAULT_PRIOR_CTR);
    const categories = (creative.targets as { categories?: unknown } | undefined)?.categories;
    if (Array.isArray(categories)) targeted.push(...categories.filter((c): c is string => typeof c === 'string'));
  }
  // Like the SDK: a listed `interests`, else the first 32 targeted categories.
  const interests = Array.isArray(raw.interests) ? raw.interests : [...new Set(targeted)].slice(0, MAX_INTERESTS);
  return { raw, priors, interests: readInterests(interests) };
}

function readInterests(list: unknown[]): string[] {
  const interests = [...new Set(list)];
  if (interests.length > MAX_INTERESTS) throw new Error(`catalog: at most ${MAX_INTERESTS} interests`);
  for (const interest of interests) {
    if (typeof interest !== 'string' || interest === '' || interest.length > MAX_ID_LENGTH || LONE_SURROGATE.test(interest)) {
      throw new Error(`catalog: each interest must be a well-formed string of 1 to ${MAX_ID_LENGTH} characters`);
    }
  }
  return interests as string[];
}
