import type { PrecisEvent } from '../capture/event';
import { DAY_MS, SESSION_GAP_MS } from '../core/clock';
import type { ModelRef } from './model-view';
import type { Profile } from './profile';

/** Who the visitor is, in terms a campaign (or the site's ad server) can target. */
export interface VisitorSegments {
  /** e.g. `interest:racing`, `cart-abandoner`, `returning`, `propensity:high`. */
  segments: string[];
  /** The estimated probability of a purchase in the coming week, in [0, 1]. */
  propensity: number;
  /** The propensity model that estimated `propensity`; absent when the hand-set formula did. */
  propensityModel?: ModelRef;
}

/** A propensity model's estimate for this visitor. */
export interface ModelPropensity {
  model: ModelRef;
  /** P(purchase in the coming week). */
  propensity: number;
}

/** A category is an interest when it holds at least this share of the visitor's category affinity. */
const INTEREST_SHARE = 0.25;
const MAX_INTERESTS = 3;
const WEEK_MS = 7 * DAY_MS;

/**
 * The weights of the purchase-propensity score, a logistic function of recency,
 * frequency and intent. They are set by hand from the usual e-commerce funnel, not
 * trained: carts and past purchases count most, browsing less, and the score fades
 * with the days since the last visit.
 */
export const PROPENSITY_WEIGHTS = {
  bias: -4,
  /** Per add-to-cart in the last 7 days (at most 5 count). */
  cartsThisWeek: 0.9,
  /** Per ln(1 + product views in the last 7 days). */
  viewsThisWeek: 0.5,
  /** Per ln(1 + sessions in the retention window). */
  sessions: 0.7,
  /** When the visitor bought before. */
  boughtBefore: 1.2,
  /** Per day since the last activity (at most 30 count). */
  daysSinceLast: -0.08,
} as const;

/**
 * The visitor's segments and purchase propensity from their events:
 * - `interest:<category>` for up to three categories holding ≥ 25% of their category affinity;
 * - `cart-abandoner` (an add-to-cart in the last 7 days with no purchase after it), `buyer`;
 * - `new-visitor` (one session) or `returning`;
 * - `propensity:high` (≥ 0.5), `propensity:medium` (≥ 0.2) or `propensity:low`, from the
 *   propensity model's estimate (`model`) when there is one, else from PROPENSITY_WEIGHTS.
 *
 * @example
 * describeVisitor(events, buildProfile(events, now, halfLife), now);
 * // { segments: ['interest:racing', 'returning', 'propensity:low'], propensity: 0.06 }
 * describeVisitor(events, profile, now, { model: { name: 'buyers', version: '3', job: 'propensity' }, propensity: 0.7 });
 * // { segments: ['interest:racing', 'returning', 'propensity:high'], propensity: 0.7, propensityModel: {…} }
 */
export function describeVisitor(events: readonly PrecisEvent[], profile: Profile, now: number, model?: ModelPropensity): VisitorSegments {
  const segments: string[] = [];
  const total = [...profile.categories.values()].reduce((sum, value) => sum + value, 0);
  [...profile.categories]
    .filter(([, value]) => total > 0 && value / total >= INTEREST_SHARE)
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_INTERESTS)
    .forEach(([category]) => segments.push(`interest:${category}`));

  const lastPurchase = Math.max(-Infinity, ...events.filter((e) => e.type === 'purchase').map((e) => e.time));
  const carts = events.filter((e) => e.type === 'add_to_cart' && e.time > now - WEEK_MS);
  if (carts.some((cart) => cart.time > lastPurchase)) segments.push('cart-abandoner');
  if (lastPurchase > -Infinity) segments.push('buyer');
  const sessions = countSessions(events.map((e) => e.time));
  segments.push(sessions > 1 ? 'returning' : 'new-visitor');

  const propensity = model
    ? Math.min(1, Math.max(0, model.propensity))
    : formulaPropensity(events, now, { carts: carts.length, sessions, bought: lastPurchase > -Infinity });
  segments.push(propensity >= 0.5 ? 'propensity:high' : propensity >= 0.2 ? 'propensity:medium' : 'propensity:low');
  return model ? { segments, propensity, propensityModel: model.model } : { segments, propensity };
}

/** The hand-set logistic score of PROPENSITY_WEIGHTS. */
function formulaPropensity(events: readonly PrecisEvent[], now: number, seen: { carts: number; sessions: number; bought: boolean }): number {
  const w = PROPENSITY_WEIGHTS;
  const views = events.filter((e) => e.type === 'view' && e.time > now - WEEK_MS).length;
  const last = events.reduce((latest, e) => Math.max(latest, e.time), events.length > 0 ? -Infinity : now);
  const z = w.bias + w.cartsThisWeek * Math.min(seen.carts, 5) + w.viewsThisWeek * Math.log1p(views) +
    w.sessions * Math.log1p(seen.sessions) + (seen.bought ? w.boughtBefore : 0) +
    w.daysSinceLast * Math.min(30, Math.max(0, now - last) / DAY_MS);
  return 1 / (1 + Math.exp(-z));
}

/**
 * The visitor's main interest for pooled priors and reports: of the catalog's `interests`,
 * the category with the most affinity, provided it holds at least 25% of the visitor's
 * category affinity (as an `interest:` segment does); '' when none does.
 *
 * @example
 * mainInterest(buildProfile(events, now, halfLife), catalog.interests); // 'racing'
 */
export function mainInterest(profile: Profile, interests: readonly string[]): string {
  const total = [...profile.categories.values()].reduce((sum, value) => sum + value, 0);
  let best = '';
  let bestValue = 0;
  for (const interest of interests) {
    const value = profile.categories.get(interest) ?? 0;
    if (total > 0 && value / total >= INTEREST_SHARE && value > bestValue) {
      best = interest;
      bestValue = value;
    }
  }
  return best;
}

/** Sessions among these activity times: runs without a pause longer than SESSION_GAP_MS. */
function countSessions(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let sessions = 0;
  sorted.forEach((time, index) => {
    if (index === 0 || time - sorted[index - 1]! > SESSION_GAP_MS) sessions += 1;
  });
  return sessions;
}
