// The simulated shop: its catalog as the site ships it, and the truth no one in the loop
// knows — each kind of visitor's click probability for each creative.
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import type { Random } from '../../src/decide/bandit';

export const SLOT = 'hero';
export const INTERESTS = ['racing', 'rpg', 'sports'] as const;

/** A visitor's kind: one of the catalog's interests, or none (browses what no interest covers). */
export type VisitorKind = (typeof INTERESTS)[number] | 'none';
export const KINDS: readonly VisitorKind[] = ['racing', 'rpg', 'sports', 'none'];
/** How many visitors of each kind come, in shares. */
const MIX: Record<VisitorKind, number> = { racing: 0.3, rpg: 0.25, sports: 0.2, none: 0.25 };

/**
 * The truth: each kind's click probability per creative. The creatives target nothing, so
 * only learned CTRs separate them; the site's hand-set priors point at the house ad, the
 * worst creative for everyone, so a device alone keeps showing it.
 */
export const TRUE_CTR: Record<VisitorKind, Record<string, number>> = {
  racing: { house: 0.01, 'racing-week': 0.06, 'rpg-week': 0.01, 'sports-week': 0.03, bestsellers: 0.03 },
  rpg: { house: 0.01, 'racing-week': 0.01, 'rpg-week': 0.07, 'sports-week': 0.01, bestsellers: 0.03 },
  sports: { house: 0.01, 'racing-week': 0.03, 'rpg-week': 0.01, 'sports-week': 0.06, bestsellers: 0.03 },
  none: { house: 0.01, 'racing-week': 0.02, 'rpg-week': 0.02, 'sports-week': 0.02, bestsellers: 0.04 },
};

/** The catalog as the site writes it: the collector serves it back with pooled priors. */
export const SITE_CATALOG = {
  interests: [...INTERESTS],
  creatives: [
    { id: 'house', slots: [SLOT], title: 'Our shop', priorCtr: 0.05 },
    { id: 'racing-week', slots: [SLOT], title: 'Racing week', priorCtr: 0.02 },
    { id: 'rpg-week', slots: [SLOT], title: 'RPG week', priorCtr: 0.02 },
    { id: 'sports-week', slots: [SLOT], title: 'Sports week', priorCtr: 0.02 },
    { id: 'bestsellers', slots: [SLOT], title: 'Bestsellers', priorCtr: 0.02 },
  ],
};

/**
 * A visitor's kind, drawn from the mix.
 *
 * @example
 * drawKind(createRandom(1)); // 'racing'
 */
export function drawKind(random: Random): VisitorKind {
  let u = random();
  for (const kind of KINDS) {
    u -= MIX[kind];
    if (u < 0) return kind;
  }
  return 'none';
}

/**
 * The browsing that makes a visitor of this kind, before `start`: real product views, so
 * the SDK's own profile finds the main interest (none for `none`: it browses a category
 * the catalog does not list).
 *
 * @example
 * historyOf('racing', Date.UTC(2030, 0, 1)); // six views of racing items
 */
export function historyOf(kind: VisitorKind, start: number): PrecisEvent[] {
  const category = kind === 'none' ? 'misc' : kind;
  return Array.from({ length: 6 }, (_, i) => ({ type: 'view', item: `${category}-${i}`, category, time: start - (i + 1) * 0.2 * DAY_MS }));
}

/**
 * The best click probability any creative has for this kind: what an oracle would get.
 *
 * @example
 * oracleCtr('rpg'); // 0.07
 */
export function oracleCtr(kind: VisitorKind): number {
  return Math.max(...Object.values(TRUE_CTR[kind]));
}
