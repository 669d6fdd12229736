import { describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import { buildProfile } from '../../src/decide/profile';
import { describeVisitor, PROPENSITY_WEIGHTS } from '../../src/decide/segments';

const NOW = Date.UTC(2030, 0, 6, 12);
const MINUTE = 60_000;
const HALF_LIFE = 7 * DAY_MS;

function describe_(events: PrecisEvent[], now = NOW) {
  return describeVisitor(events, buildProfile(events, now, HALF_LIFE), now);
}

function views(category: string, count: number, start = NOW - 10 * MINUTE): PrecisEvent[] {
  return Array.from({ length: count }, (_, i) => ({ type: 'view', item: `${category}-${i}`, category, time: start + i * MINUTE }));
}

function logistic(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

describe('describeVisitor: interests', () => {
  it('names categories holding at least 25% of the category affinity, largest first', () => {
    // racing 5, rpg 3, sports 2 (all in the same minutes, so no decay differences to speak of)
    const events = [...views('sports', 2), ...views('racing', 5), ...views('rpg', 3)];
    const { segments } = describe_(events);
    expect(segments.filter((s) => s.startsWith('interest:'))).toEqual(['interest:racing', 'interest:rpg']);
  });

  it('is at most three interests, even when four categories hold 25% each', () => {
    const events = ['a', 'b', 'c', 'd'].flatMap((c) => views(c, 2));
    const interests = describe_(events).segments.filter((s) => s.startsWith('interest:'));
    expect(interests).toHaveLength(3);
  });

  it('uses the profile’s decayed affinity, not raw counts', () => {
    // Four old racing views count less than two fresh rpg views after two half-lives.
    const old = views('racing', 4, NOW - 14 * DAY_MS);
    const fresh = views('rpg', 2);
    const interests = describe_([...old, ...fresh]).segments.filter((s) => s.startsWith('interest:'));
    expect(interests).toEqual(['interest:rpg', 'interest:racing']); // 2 vs 4/4 = 1: 67% and 33%
    const ancient = views('racing', 4, NOW - 28 * DAY_MS); // 4/16 = 0.25 vs 2: 11%
    expect(describe_([...ancient, ...fresh]).segments.filter((s) => s.startsWith('interest:'))).toEqual(['interest:rpg']);
  });

  it('has no interests without category affinity (page views and items without category say nothing)', () => {
    const events: PrecisEvent[] = [{ type: 'page_view', url: '/', time: NOW }, { type: 'view', item: 'x', time: NOW }];
    expect(describe_(events).segments.some((s) => s.startsWith('interest:'))).toBe(false);
  });
});

describe('describeVisitor: funnel segments', () => {
  it('cart-abandoner: an add-to-cart in the last 7 days with no purchase after it', () => {
    const cart: PrecisEvent = { type: 'add_to_cart', item: 'x', category: 'rpg', time: NOW - DAY_MS };
    expect(describe_([cart]).segments).toContain('cart-abandoner');
    expect(describe_([cart]).segments).not.toContain('buyer');
    const bought = [cart, { type: 'purchase', item: 'x', time: NOW - DAY_MS + MINUTE }];
    expect(describe_(bought).segments).not.toContain('cart-abandoner');
    expect(describe_(bought).segments).toContain('buyer');
    // A purchase before the cart does not clear it.
    const again = [{ type: 'purchase', item: 'y', time: NOW - 2 * DAY_MS }, cart];
    expect(describe_(again).segments).toEqual(expect.arrayContaining(['cart-abandoner', 'buyer']));
    // A cart older than a week is forgotten.
    expect(describe_([{ ...cart, time: NOW - 8 * DAY_MS }]).segments).not.toContain('cart-abandoner');
  });

  it('new-visitor for one session (or none), returning after a pause of more than 30 minutes', () => {
    expect(describe_([]).segments).toContain('new-visitor');
    const oneSession = views('rpg', 3, NOW - 60 * MINUTE).map((e, i) => ({ ...e, time: NOW - 60 * MINUTE + i * 29 * MINUTE }));
    expect(describe_(oneSession).segments).toContain('new-visitor');
    const twoSessions = [...views('rpg', 1, NOW - 2 * DAY_MS), ...views('rpg', 1)];
    expect(describe_(twoSessions).segments).toContain('returning');
    expect(describe_(twoSessions).segments).not.toContain('new-visitor');
  });

  it('lists segments in a fixed order: interests, cart, buyer, visits, propensity', () => {
    const events: PrecisEvent[] = [
      ...views('rpg', 2, NOW - 3 * DAY_MS),
      { type: 'purchase', item: 'rpg-0', category: 'rpg', time: NOW - 3 * DAY_MS + 5 * MINUTE },
      { type: 'add_to_cart', item: 'rpg-1', category: 'rpg', time: NOW - 10 * MINUTE },
    ];
    const { segments } = describe_(events);
    expect(segments.slice(0, 4)).toEqual(['interest:rpg', 'cart-abandoner', 'buyer', 'returning']);
    expect(segments[4]).toMatch(/^propensity:(low|medium|high)$/);
    expect(segments).toHaveLength(5);
  });
});

describe('describeVisitor: propensity', () => {
  const w = PROPENSITY_WEIGHTS;

  it('is the logistic of the documented weights (no events: the bias alone, low)', () => {
    const none = describe_([]);
    expect(none.propensity).toBeCloseTo(logistic(w.bias), 12);
    expect(none.segments).toEqual(['new-visitor', 'propensity:low']);
  });

  it('adds carts, views, sessions and a past purchase, and fades with the days since the last activity', () => {
    const events: PrecisEvent[] = [
      ...views('rpg', 3, NOW - 2 * DAY_MS - 20 * MINUTE), // 3 views this week, session 1
      { type: 'add_to_cart', item: 'rpg-0', category: 'rpg', time: NOW - 2 * DAY_MS }, // session 1
      { type: 'purchase', item: 'old', time: NOW - 20 * DAY_MS }, // session 2
    ];
    const z = w.bias + w.cartsThisWeek * 1 + w.viewsThisWeek * Math.log1p(3) + w.sessions * Math.log1p(2) + w.boughtBefore +
      w.daysSinceLast * 2;
    expect(describe_(events).propensity).toBeCloseTo(logistic(z), 12);
  });

  it('counts at most 5 carts and at most 30 days since the last activity', () => {
    const carts = (n: number): PrecisEvent[] =>
      Array.from({ length: n }, (_, i) => ({ type: 'add_to_cart', item: `i${i}`, time: NOW - (n - i) * MINUTE }));
    expect(describe_(carts(8)).propensity).toBeCloseTo(describe_(carts(5)).propensity, 12);
    expect(describe_(carts(4)).propensity).toBeLessThan(describe_(carts(5)).propensity);
    const purchaseAt = (days: number) => describe_([{ type: 'purchase', item: 'x', time: NOW - days * DAY_MS }]).propensity;
    expect(purchaseAt(40)).toBeCloseTo(purchaseAt(30), 12);
    expect(purchaseAt(20)).toBeGreaterThan(purchaseAt(30));
  });

  it('bands: high ≥ 0.5, medium ≥ 0.2, else low', () => {
    const band = (events: PrecisEvent[]) => {
      const { segments, propensity } = describe_(events);
      return { band: segments.at(-1), propensity };
    };
    const eager = [
      ...views('rpg', 6, NOW - 30 * MINUTE),
      ...Array.from({ length: 3 }, (_, i): PrecisEvent => ({ type: 'add_to_cart', item: `rpg-${i}`, category: 'rpg', time: NOW - (3 - i) * MINUTE })),
    ];
    const high = band(eager);
    expect(high.propensity).toBeGreaterThanOrEqual(0.5);
    expect(high.band).toBe('propensity:high');
    const medium = band(eager.slice(0, 8)); // two carts
    expect(medium.propensity).toBeGreaterThanOrEqual(0.2);
    expect(medium.propensity).toBeLessThan(0.5);
    expect(medium.band).toBe('propensity:medium');
    const low = band(views('rpg', 2));
    expect(low.propensity).toBeLessThan(0.2);
    expect(low.band).toBe('propensity:low');
  });
});
