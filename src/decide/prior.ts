import { PrecisError } from '../core/errors';
import { DEFAULT_PRIOR_CTR } from './bandit';
import type { Creative } from './catalog';
import type { ModelRef } from './model-view';

/** A pooled prior over one creative's CTR among visitors of one interest, as the collector publishes it. */
export interface InterestPrior {
  /** The pooled CTR, in (0, 1). */
  priorCtr: number;
  /** How many impressions the prior is worth in the posterior. */
  priorStrength: number;
}

/** A creative-scores model's output for this visitor: P(click) per creative it lists. */
export interface CreativeScores {
  model: ModelRef;
  ctr: ReadonlyMap<string, number>;
}

/** The prior a decision started from, as `why()` shows it. */
export interface PriorUsed {
  /**
   * `model`: the creative-scores model's P(click) for this visitor (`CreativeScores`);
   * `interest`: pooled over visitors of the visitor's main interest (`priorsByInterest`);
   * `creative`: the creative's own `priorCtr` (pooled over all visitors, or set by hand);
   * `default`: the catalog names none, so DEFAULT_PRIOR_CTR.
   */
  source: 'model' | 'interest' | 'creative' | 'default';
  /** The interest whose prior was used (with `source: 'interest'`; '' for visitors without a main interest). */
  interest?: string;
  ctr: number;
  /** The impressions the prior counts as. */
  strength: number;
}

/** Most interests a catalog may list: each adds a row per creative to every report (64 KB at most). */
export const MAX_INTERESTS = 32;
/** The largest prior strength a catalog may give: beyond it, no device's own impressions could ever move the prior. */
export const MAX_PRIOR_STRENGTH = 1_000_000;

const MAX_ID = 128;

// A model's 0 or 1 would make a Beta prior that no impression could move.
const MODEL_CTR_MIN = 1e-4;

/**
 * The prior to start a creative's posterior from: the creative-scores model's P(click) for
 * this visitor (`modelCtr`, counted as `defaultStrength` impressions) when it scores the
 * creative; else the prior pooled over visitors of the visitor's main interest when the
 * catalog has one (`priorsByInterest['']` for visitors without a main interest; none for
 * `interest` null, the control arm), else the creative's `priorCtr` with its
 * `priorStrength` (else `defaultStrength`), else DEFAULT_PRIOR_CTR.
 *
 * @example
 * choosePrior(creative, 'racing', 100); // { source: 'interest', interest: 'racing', ctr: 0.041, strength: 800 }
 * choosePrior(creative, 'racing', 100, 0.3); // { source: 'model', ctr: 0.3, strength: 100 }
 */
export function choosePrior(creative: Creative, interest: string | null, defaultStrength: number, modelCtr?: number): PriorUsed {
  if (modelCtr !== undefined) {
    return { source: 'model', ctr: Math.min(1 - MODEL_CTR_MIN, Math.max(MODEL_CTR_MIN, modelCtr)), strength: defaultStrength };
  }
  const byInterest = creative.priorsByInterest;
  if (interest !== null && byInterest && Object.prototype.hasOwnProperty.call(byInterest, interest)) {
    const { priorCtr, priorStrength } = byInterest[interest]!;
    return { source: 'interest', interest, ctr: priorCtr, strength: priorStrength };
  }
  const strength = creative.priorStrength ?? defaultStrength;
  if (creative.priorCtr === undefined) return { source: 'default', ctr: DEFAULT_PRIOR_CTR, strength };
  return { source: 'creative', ctr: creative.priorCtr, strength };
}

const invalid = (reason: string): PrecisError => new PrecisError('invalid-catalog', { reason });

const isId = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= MAX_ID && value.trim() !== '';

/**
 * Reads a creative's pooled-prior fields (`priorStrength`, `priorsByInterest`). When one
 * is malformed, reports `invalid-catalog` (with the creative's `index`) and returns none
 * of them: pooled priors improve a creative, they are not required, so it keeps running
 * on its own `priorCtr`.
 *
 * @example
 * readPooledPriors(400, { racing: { priorCtr: 0.05, priorStrength: 120 } }, 0, reportError);
 */
export function readPooledPriors(
  priorStrength: unknown,
  priorsByInterest: unknown,
  index: number,
  onError: (error: PrecisError) => void,
): Pick<Creative, 'priorStrength' | 'priorsByInterest'> {
  const out: Pick<Creative, 'priorStrength' | 'priorsByInterest'> = {};
  try {
    if (priorStrength !== undefined) out.priorStrength = readStrength(priorStrength, 'priorStrength');
    if (priorsByInterest !== undefined) out.priorsByInterest = readInterestPriors(priorsByInterest);
    return out;
  } catch (error) {
    const reason = error instanceof PrecisError ? error.details.reason : String(error);
    onError(new PrecisError('invalid-catalog', { index, reason, kept: 'without pooled priors' }));
    return {};
  }
}

function readInterestPriors(value: unknown): Record<string, InterestPrior> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('priorsByInterest must be an object');
  // Every listed interest, and '' (visitors without one).
  if (Object.keys(value).length > MAX_INTERESTS + 1) throw invalid(`priorsByInterest may name at most ${MAX_INTERESTS} interests and ''`);
  // No prototype: an interest named `constructor` or `__proto__` is just an interest.
  const priors = Object.create(null) as Record<string, InterestPrior>;
  for (const [interest, entry] of Object.entries(value)) {
    // '' is the visitors without a main interest: their own pooled prior, when the collector has one.
    if (interest !== '' && !isId(interest)) throw invalid(`priorsByInterest keys must be '' or 1-${MAX_ID} characters`);
    if (typeof entry !== 'object' || entry === null) throw invalid(`priorsByInterest.${interest} must be {priorCtr, priorStrength}`);
    const { priorCtr, priorStrength } = entry as Record<string, unknown>;
    if (typeof priorCtr !== 'number' || !(priorCtr > 0 && priorCtr < 1)) {
      throw invalid(`priorsByInterest.${interest}.priorCtr must be between 0 and 1`);
    }
    priors[interest] = { priorCtr, priorStrength: readStrength(priorStrength, `priorsByInterest.${interest}.priorStrength`) };
  }
  return priors;
}

function readStrength(value: unknown, field: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= MAX_PRIOR_STRENGTH)) {
    throw invalid(`${field} must be a number above 0, at most ${MAX_PRIOR_STRENGTH}`);
  }
  return value;
}

/**
 * The interests devices report counts under: the catalog's `interests` when it lists
 * them, else every category its creatives target, in catalog order. Malformed
 * `interests` are reported (`invalid-catalog`) and the default used.
 *
 * @example
 * readInterests(['racing', 'rpg'], creatives, reportError); // ['racing', 'rpg']
 * readInterests(undefined, creatives, reportError); // e.g. ['racing', 'rpg', 'sports'] from the targets
 */
export function readInterests(value: unknown, creatives: readonly Creative[], onError: (error: PrecisError) => void): string[] {
  if (value !== undefined) {
    if (Array.isArray(value) && value.length <= MAX_INTERESTS && value.every(isId)) return [...new Set(value)];
    onError(invalid(`interests must be an array of at most ${MAX_INTERESTS} ids`));
  }
  return [...new Set(creatives.flatMap((creative) => creative.targets.categories))].slice(0, MAX_INTERESTS);
}
