import { mapToAudience, type AudienceMapping } from '../decide/audience-mapping';
import { AUDIENCE_SEGTAX } from '../decide/audience-taxonomy';
import type { VisitorSegments } from '../decide/segments';

/** Page-level settings for Google Publisher Tag, in the form `googletag.setConfig` takes; null clears. */
export interface GptSignals {
  /** Key-values: `precis_seg` (the segments) and `precis_pb` (the propensity band). */
  targeting: Record<string, string | string[] | null>;
  /** Publisher Provided Signals: IAB Audience Taxonomy 1.1 ids. */
  pps: { taxonomies: { IAB_AUDIENCE_1_1: { values: string[] } } } | null;
}

/** One entry of OpenRTB 2.x `user.data`. */
export interface UserDataEntry {
  name: string;
  ext?: { segtax: number };
  segment: Array<{ id: string }>;
}

/**
 * What Precis hands the page's ad stack, in the forms GPT and Prebid.js take. The core
 * builds it from the profile and keeps it in localStorage, so the next page's script tag
 * passes it on before the first ad request without any work of its own.
 */
export interface AdSignals {
  /** The `name` of Precis's entries in OpenRTB `user.data` (the site chooses it). */
  name: string;
  gpt: GptSignals;
  /** Precis's entries for OpenRTB `user.data` (see `toUserData`). */
  data: UserDataEntry[];
}

/**
 * The page-level key-value names Precis sets in Google Publisher Tag (at most 10
 * characters, as Ad Manager allows): the segments, and the propensity band.
 *
 * @example
 * googletag.getConfig('targeting').targeting[TARGETING_KEYS.segments]; // ['interest:racing', 'returning', …]
 */
export const TARGETING_KEYS = { segments: 'precis_seg', band: 'precis_pb' } as const;

/**
 * What withdraws Precis's key-values and signals from GPT.
 *
 * @example
 * sendToGpt(window, CLEARED_GPT);
 */
export const CLEARED_GPT: GptSignals = { targeting: { [TARGETING_KEYS.segments]: null, [TARGETING_KEYS.band]: null }, pps: null };

const MAX_VALUE = 40;

/**
 * Turns a segment into a value Ad Manager accepts: lower case, at most 40 characters,
 * letters, digits, `_`, `-` and `:` only (anything else becomes `_`).
 *
 * @example
 * toTargetingValue('interest:Racing Games'); // 'interest:racing_games'
 */
export function toTargetingValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_:-]/g, '_').slice(0, MAX_VALUE);
}

/**
 * Precis's entries for OpenRTB `user.data`: the IAB Audience Taxonomy 1.1 ids (segtax
 * 4) and, when the site chose so, its own segments in a second entry without segtax.
 *
 * @example
 * toUserData('shop.example', ['742'], []); // [{ name: 'shop.example', ext: { segtax: 4 }, segment: [{ id: '742' }] }]
 */
export function toUserData(name: string, audience: readonly string[], siteSegments: readonly string[]): UserDataEntry[] {
  const entries: UserDataEntry[] = [];
  const segment = (ids: readonly string[]): Array<{ id: string }> => ids.map((id) => ({ id }));
  if (audience.length > 0) entries.push({ name, ext: { segtax: AUDIENCE_SEGTAX }, segment: segment(audience) });
  if (siteSegments.length > 0) entries.push({ name, segment: segment(siteSegments) });
  return entries;
}

/**
 * The ad signals for a visitor: their segments and propensity band as safe key-values,
 * the IAB Audience Taxonomy 1.1 ids the catalog's mapping gives them (as PPS and as
 * `user.data` with segtax 4), and, with `siteSegments`, their segments for bidders too.
 *
 * @example
 * buildAdSignals({ segments: ['interest:racing'], propensity: 0.6 }, catalog.audience, { name: 'shop.example', siteSegments: false });
 * // { name: 'shop.example', gpt: { targeting: { precis_seg: ['interest:racing'], precis_pb: 'high' }, pps: {…['742']} }, data: [{…segtax 4…}] }
 */
export function buildAdSignals(
  visitor: VisitorSegments,
  mapping: AudienceMapping | undefined,
  settings: { name: string; siteSegments: boolean },
): AdSignals {
  const band = visitor.propensity >= 0.5 ? 'high' : visitor.propensity >= 0.2 ? 'medium' : 'low';
  const segments = [...new Set(visitor.segments.map(toTargetingValue))];
  const audience = mapToAudience(visitor.segments, mapping);
  return {
    name: settings.name,
    gpt: {
      targeting: { [TARGETING_KEYS.segments]: segments, [TARGETING_KEYS.band]: band },
      pps: audience.length > 0 ? { taxonomies: { IAB_AUDIENCE_1_1: { values: audience } } } : null,
    },
    data: toUserData(settings.name, audience, settings.siteSegments ? segments : []),
  };
}

/**
 * Reads signals back from localStorage: undefined unless they have the shape
 * `buildAdSignals` gives. (Kept small: the script tag runs it before the first paint.
 * Only the site's own scripts can write there, and they can call GPT themselves.)
 *
 * @example
 * parseAdSignals(JSON.parse(localStorage.getItem('precis:precis')!).ads);
 */
export function parseAdSignals(raw: unknown): AdSignals | undefined {
  const ads = raw as AdSignals | undefined;
  return typeof ads?.name === 'string' && ads.gpt?.targeting && Array.isArray(ads.data) ? ads : undefined;
}
