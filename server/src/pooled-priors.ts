import { ALL } from './cells.js';
import { ratioVariance } from './estimates.js';
import { SITE_PRIOR_STRENGTH, type SiteCatalog } from './site-catalog.js';
import type { Total } from './store.js';

/** The most pseudo-impressions a pooled prior is worth: devices keep learning, and fake reports move it only so far. */
export const DEFAULT_MAX_PRIOR_STRENGTH = 1000;

/** A pooled prior: a CTR and how many impressions it counts as. */
export interface Prior {
  priorCtr: number;
  priorStrength: number;
}

/** Per creative id: its pooled prior overall and per interest. */
export type PooledPriors = Map<string, Prior & { priorsByInterest: Record<string, Prior> }>;

type Sums = Pick<Total, 'reports' | 'impressions' | 'clicks' | 'impressionsSq' | 'clicksSq' | 'impressionsClicks' | 'noiseVar'>;

/**
 * Shrinks `base` (a CTR worth SITE_PRIOR_STRENGTH impressions) toward the pooled counts,
 * each worth its effective number of impressions: the binomial variance of the rate over
 * its estimated variance (so noisy counts are worth fewer impressions than exact ones).
 *
 * @example
 * shrink(0.02, { reports: 100, impressions: 5000, clicks: 200, … }, 1000); // { priorCtr: 0.038…, priorStrength: 1000 }
 */
export function shrink(base: number, sums: Sums, maxStrength: number): Prior | null {
  if (!(sums.impressions > 0) || sums.reports === 0) return null;
  const rate = Math.min(Math.max(sums.clicks / sums.impressions, 0), 1);
  // A stable rate for the binomial variance: with no clicks yet, the pooled counts still say "low".
  const stable = (base * SITE_PRIOR_STRENGTH + Math.max(sums.clicks, 0)) / (SITE_PRIOR_STRENGTH + sums.impressions);
  const variance = ratioVariance({
    n: sums.reports, x: sums.impressions, y: sums.clicks, xx: sums.impressionsSq, yy: sums.clicksSq, xy: sums.impressionsClicks,
    noiseVar: sums.noiseVar,
  }, stable);
  const effective = variance > 0 ? (stable * (1 - stable)) / variance : sums.impressions;
  const weight = Math.min(effective, sums.impressions);
  const priorCtr = (base * SITE_PRIOR_STRENGTH + rate * weight) / (SITE_PRIOR_STRENGTH + weight);
  return { priorCtr: clampCtr(priorCtr), priorStrength: Math.min(SITE_PRIOR_STRENGTH + weight, maxStrength) };
}

// The SDK accepts a priorCtr strictly inside (0, 1).
const clampCtr = (ctr: number): number => Math.min(Math.max(ctr, 1e-6), 1 - 1e-6);

/**
 * The pooled priors of every catalog creative with reports: overall (both arms, every
 * interest) shrunk toward the site's own priorCtr, and per interest (and for '', the
 * visitors without one) shrunk toward the creative's pooled overall prior.
 *
 * @example
 * poolPriors(catalog, await store.readTotals(), 1000).get('welcome-sale');
 */
export function poolPriors(catalog: SiteCatalog, totals: Total[], maxStrength = DEFAULT_MAX_PRIOR_STRENGTH): PooledPriors {
  const sums = new Map<string, Sums>();
  for (const total of totals) {
    const key = `${total.creative}\u0000${total.interest}`;
    const sum = sums.get(key) ?? { reports: 0, impressions: 0, clicks: 0, impressionsSq: 0, clicksSq: 0, impressionsClicks: 0, noiseVar: 0 };
    for (const column of Object.keys(sum) as Array<keyof Sums>) sum[column] += total[column];
    sums.set(key, sum);
  }
  const priors: PooledPriors = new Map();
  for (const [creative, sitePrior] of catalog.priors) {
    const overallSums = sums.get(`${creative}\u0000${ALL}`);
    const overall = overallSums && shrink(sitePrior, overallSums, maxStrength);
    if (!overall) continue;
    const priorsByInterest: Record<string, Prior> = {};
    // '' too: visitors without a listed main interest, who the SDK gives priorsByInterest[''].
    for (const interest of ['', ...catalog.interests]) {
      const interestSums = sums.get(`${creative}\u0000${interest}`);
      const prior = interestSums && shrink(overall.priorCtr, interestSums, maxStrength);
      if (prior) priorsByInterest[interest] = prior;
    }
    priors.set(creative, { ...overall, priorsByInterest });
  }
  return priors;
}
