import { DAY_MS } from '../core/clock';
import type { Creative } from './catalog';
import { isSafeUrl } from './safe-content';
import type { Explanation } from './explain';
import { isActive } from './rules';

/** A decision made ahead for a slot, shown from the first frame of the next page view. */
export interface CachedDecision {
  creative: Creative;
  explanation: Explanation;
}

/** What Precis keeps in localStorage: read synchronously before the first paint. */
export interface VisitorState {
  /** The anonymous id that places the visitor in an arm; `forget()` replaces it. */
  visitor: string;
  /** Per slot name. */
  decisions: Record<string, CachedDecision>;
  /** Exposures and purchases up to this time have been reported. */
  reportedUntil: number;
}

/** A cached decision older than this is not shown: the next page decides afresh. */
export const CACHED_DECISION_MAX_AGE_MS = DAY_MS;

/**
 * Reads the saved state back, trusting nothing: a cached creative keeps only what
 * rendering needs (id, slots, title, url, image, start, end), each of the right type, with
 * URLs that pass `isSafeUrl` (and `linkHosts`), so a tampered cache cannot inject a
 * `javascript:` link; rendering checks them again. Decisions older than a day or whose
 * campaign has ended are dropped. Undefined when there is no usable state.
 *
 * @example
 * const state = parseVisitorState(readLocalState('precis'), Date.now());
 * state?.decisions.hero?.creative.title;
 */
export function parseVisitorState(raw: unknown, now: number, linkHosts?: readonly string[]): VisitorState | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { visitor, decisions, reportedUntil } = raw as Record<string, unknown>;
  if (typeof visitor !== 'string' || visitor === '' || visitor.length > 64) return undefined;
  const state: VisitorState = {
    visitor,
    decisions: {},
    reportedUntil: typeof reportedUntil === 'number' && Number.isFinite(reportedUntil) ? reportedUntil : 0,
  };
  if (typeof decisions !== 'object' || decisions === null) return state;
  for (const entry of Object.values(decisions as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { creative: rawCreative, explanation } = entry as Record<string, unknown>;
    const creative = readCachedCreative(rawCreative, linkHosts);
    if (!creative || !isExplanation(explanation) || explanation.creative !== creative.id) continue;
    if (now - explanation.decidedAt > CACHED_DECISION_MAX_AGE_MS || explanation.decidedAt > now || !isActive(creative, now)) continue;
    if (!creative.slots.includes(explanation.slot)) continue;
    state.decisions[explanation.slot] = { creative, explanation: { ...explanation, source: 'cache' } };
  }
  return state;
}

// Kept small: this runs in the script-tag loader, before the first paint.
function readCachedCreative(raw: unknown, linkHosts?: readonly string[]): Creative | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { id, slots, title, url, image, start, end } = raw as Record<string, unknown>;
  const text = (value: unknown, max: number): value is string => typeof value === 'string' && value !== '' && value.length <= max;
  if (!text(id, 128) || !text(title, 300) || !Array.isArray(slots) || !slots.every((slot) => text(slot, 128))) return undefined;
  const creative: Creative = { id, slots, title, targets: { items: [], categories: [], segments: [] }, weight: 1 };
  for (const [field, value] of [['url', url], ['image', image]] as const) {
    if (value === undefined) continue;
    if (!text(value, 2048) || !isSafeUrl(value, linkHosts)) return undefined;
    creative[field] = value;
  }
  if (typeof start === 'number') creative.start = start;
  if (typeof end === 'number') creative.end = end;
  return creative;
}

function isExplanation(value: unknown): value is Explanation {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Partial<Explanation>;
  return typeof e.slot === 'string' && (e.arm === 'personalized' || e.arm === 'control') &&
    typeof e.probability === 'number' && e.probability > 0 && e.probability <= 1 &&
    typeof e.decidedAt === 'number' && typeof e.interest === 'string' && e.interest.length <= 128 &&
    Array.isArray(e.reasons) && Array.isArray(e.rules) &&
    Array.isArray(e.events) && Array.isArray(e.excluded);
}

/**
 * A fresh anonymous id: random, meaningless outside this device.
 *
 * @example
 * newVisitorId(); // 'c1f0…' (32 hex digits)
 */
export function newVisitorId(): string {
  const bytes = new Uint8Array(16);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
