import { describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import { createRandom, type Random } from '../../src/decide/bandit';
import { parseCatalog, type Creative } from '../../src/decide/catalog';
import { assignArm, type Arm } from '../../src/decide/holdout';
import { buildProfile } from '../../src/decide/profile';
import { decideSlots, type DecisionInput, type DecisionPolicy } from '../../src/decide/rank';
import { describeVisitor } from '../../src/decide/segments';
import { creativeStats, sessionStart } from '../../src/decide/visitor-stats';
import type { Exposure } from '../../src/measure/exposure';
import { computeMetrics } from '../../src/measure/metrics';
import { resolveOptions } from '../../src/client/options';

// The simulation, on the real decision code: simulated visitors with known
// preferences click with known probabilities; the bandit (Thompson sampling over the
// catalog's priors and each device's own impressions and clicks) must get close to the
// best fixed creative for each device, and the holdout must measure an uplift with the
// right sign. Everything is seeded, so each run sees the same numbers. Each decision
// costs about 1 ms (decideSlots estimates its probability from 200 extra draws), which
// sets the sizes below: about 6,200 decisions in all.

const T0 = Date.UTC(2030, 0, 6, 12);
const MINUTE = 60_000;
const SLOT = 'hero';
// The production defaults, as the client builds its policy from them: explore on, prior
// strength 100, no caps, one creative per category.
const OPTIONS = resolveOptions({}, (error) => {
  throw error;
});
const POLICY: DecisionPolicy = {
  explore: OPTIONS.explore, priorStrength: OPTIONS.priorStrength, caps: OPTIONS.caps, maxPerCategory: OPTIONS.maxPerCategory,
};
const HALF_LIFE = OPTIONS.halfLifeMs;

// The catalog as a site would ship it. The house ad claims the highest CTR, and is the
// worst creative for every visitor: a misleading prior the bandit has to unlearn.
const catalog = parseCatalog({
  creatives: [
    { id: 'house', slots: [SLOT], title: 'Our shop', priorCtr: 0.09 },
    { id: 'racing-week', slots: [SLOT], title: 'Racing week', category: 'racing', targets: { categories: ['racing'], segments: ['interest:racing'] } },
    { id: 'rpg-week', slots: [SLOT], title: 'RPG week', category: 'rpg', targets: { categories: ['rpg'], segments: ['interest:rpg'] } },
    { id: 'sports-week', slots: [SLOT], title: 'Sports week', category: 'sports', targets: { categories: ['sports'], segments: ['interest:sports'] } },
    { id: 'bestsellers', slots: [SLOT], title: 'Bestsellers', targets: { segments: ['new-visitor'] } },
    { id: 'comeback', slots: [SLOT], title: 'Your cart misses you', priorCtr: 0.03, targets: { segments: ['cart-abandoner'] } },
  ],
}, (error) => {
  throw error;
}).creatives;

type VisitorType = 'racing-fan' | 'rpg-fan' | 'racing-and-sports' | 'newcomer' | 'rpg-cart';

/** The known truth: each visitor type's click probability for each creative. */
const TRUE_CTR: Record<VisitorType, Record<string, number>> = {
  'racing-fan': { house: 0.01, 'racing-week': 0.08, 'rpg-week': 0.01, 'sports-week': 0.02, bestsellers: 0.03, comeback: 0.01 },
  'rpg-fan': { house: 0.01, 'racing-week': 0.01, 'rpg-week': 0.07, 'sports-week': 0.01, bestsellers: 0.03, comeback: 0.01 },
  // Browses racing and sports alike, but clicks sports: only the clicks can tell.
  'racing-and-sports': { house: 0.01, 'racing-week': 0.03, 'rpg-week': 0.01, 'sports-week': 0.08, bestsellers: 0.02, comeback: 0.01 },
  // No history: only the prior and the clicks can tell; the prior points at the house ad.
  newcomer: { house: 0.01, 'racing-week': 0.02, 'rpg-week': 0.02, 'sports-week': 0.02, bestsellers: 0.06, comeback: 0.01 },
  'rpg-cart': { house: 0.01, 'racing-week': 0.01, 'rpg-week': 0.07, 'sports-week': 0.01, bestsellers: 0.02, comeback: 0.05 },
};
const TYPES = Object.keys(TRUE_CTR) as VisitorType[];

/** The events that make a visitor of this type: real views and carts, over the past days. */
function historyOf(type: VisitorType): PrecisEvent[] {
  const views = (category: string, count: number, offset = 0): PrecisEvent[] =>
    Array.from({ length: count }, (_, i) => ({
      type: 'view', item: `${category}-${i}`, category, time: T0 - (i + offset) * 0.4 * DAY_MS,
    }));
  switch (type) {
    case 'racing-fan': return views('racing', 6);
    case 'rpg-fan': return [...views('rpg', 5), ...views('sports', 1, 5)];
    case 'racing-and-sports': return [...views('racing', 4), ...views('sports', 4)];
    case 'newcomer': return [];
    case 'rpg-cart': return [...views('rpg', 3), { type: 'add_to_cart', item: 'rpg-0', category: 'rpg', time: T0 - DAY_MS }];
  }
}

/** One simulated browser: its visitor's events, and its own exposure log. */
interface Device {
  type: VisitorType;
  arm: Arm;
  input: Omit<DecisionInput, 'now' | 'stats' | 'random' | 'arm'>;
  exposures: Exposure[];
  decide: Random;
  click: Random;
}

function createDevice(type: VisitorType, arm: Arm, seed: number): Device {
  const events = historyOf(type);
  const profile = buildProfile(events, T0, HALF_LIFE);
  const segments = new Set(describeVisitor(events, profile, T0).segments);
  return {
    type, arm, exposures: [], decide: createRandom(seed), click: createRandom(seed ^ 0x5eed),
    input: { profile, segments, purchased: new Set(), policy: POLICY },
  };
}

/** One page view: decide the slot from this device's log, show it, maybe click; returns the true CTR of what was shown. */
function pageView(device: Device, round: number): number {
  const now = T0 + round * MINUTE;
  const began = sessionStart(device.exposures.map((e) => e.time), now);
  const [decision] = decideSlots([SLOT], catalog, {
    ...device.input, now, arm: device.arm, stats: creativeStats(device.exposures, now, began), random: device.decide,
  });
  const creative = decision!.creative!;
  const ctr = TRUE_CTR[device.type][creative.id]!;
  const shown = { creative: creative.id, slot: SLOT, arm: device.arm, probability: decision!.probability };
  device.exposures.push({ ...shown, kind: 'impression', time: now });
  if (device.click() < ctr) device.exposures.push({ ...shown, kind: 'click', time: now + 1000 });
  return ctr;
}

function bestCtr(type: VisitorType): number {
  return Math.max(...Object.values(TRUE_CTR[type]));
}

describe('simulation: the bandit against the best fixed creative', () => {
  it('the catalog and the visitor types are what the simulation assumes', () => {
    expect(catalog.map((c: Creative) => c.id)).toEqual(['house', 'racing-week', 'rpg-week', 'sports-week', 'bestsellers', 'comeback']);
    // The misleading prior: the highest prior CTR belongs to the worst creative of every type.
    for (const type of TYPES) expect(TRUE_CTR[type].house).toBe(Math.min(...Object.values(TRUE_CTR[type])));
    const segmentsOf = (type: VisitorType) => [...createDevice(type, 'personalized', 1).input.segments];
    expect(segmentsOf('racing-fan')).toContain('interest:racing');
    expect(segmentsOf('racing-and-sports')).toEqual(expect.arrayContaining(['interest:racing', 'interest:sports']));
    expect(segmentsOf('newcomer')).toContain('new-visitor');
    expect(segmentsOf('rpg-cart')).toEqual(expect.arrayContaining(['interest:rpg', 'cart-abandoner']));
    // Without learning, the newcomer and the control arm get the house ad.
    const first = (type: VisitorType, arm: Arm) => decideSlots([SLOT], catalog, {
      ...createDevice(type, arm, 1).input, now: T0, arm, stats: new Map(), random: createRandom(1), policy: { ...POLICY, explore: false },
    })[0]!.creative!.id;
    expect(first('newcomer', 'personalized')).toBe('house');
    expect(first('racing-fan', 'control')).toBe('house');
    expect(first('racing-fan', 'personalized')).toBe('racing-week');
  });

  it('reaches ≥ 90% of the best fixed policy’s CTR over all rounds, summed over devices', () => {
    // One device per visitor type, 1,000 page views each (one a minute), each device
    // learning from its own exposure log only. Measured with these seeds:
    //   expected CTR / best fixed creative's CTR: 0.955 over all rounds, 0.992 over the second half;
    //   per type (all rounds): racing-fan 0.976, rpg-fan 0.987, racing-and-sports 0.927,
    //   newcomer 0.889, rpg-cart 0.988; realised clicks / best expected clicks 0.919;
    //   the house ad alone (what the control arm shows) would get 0.139.
    // Over 12 seed sets (this one first) the all-rounds ratio ranged 0.908-0.976 and the
    // second-half one 0.988-0.999; with 800 rounds one set fell to 0.886, hence 1,000.
    // The newcomer costs most: nothing but clicks separates its creatives, and the prior
    // points the wrong way; then the racing-and-sports visitor, whose events tie two creatives.
    const ROUNDS = 1000;
    const devices = TYPES.map((type, t) => createDevice(type, 'personalized', 1000 + 10 * t));
    let expected = 0;
    let secondHalf = 0;
    let best = 0;
    const perType: Record<string, number> = {};
    for (const device of devices) {
      let own = 0;
      for (let round = 0; round < ROUNDS; round += 1) {
        const ctr = pageView(device, round);
        own += ctr;
        if (round >= ROUNDS / 2) secondHalf += ctr;
      }
      expected += own;
      best += ROUNDS * bestCtr(device.type);
      perType[device.type] = Number((own / (ROUNDS * bestCtr(device.type))).toFixed(3));
    }
    const impressions = devices.reduce((n, d) => n + d.exposures.filter((e) => e.kind === 'impression').length, 0);
    const clicks = devices.reduce((n, d) => n + d.exposures.filter((e) => e.kind === 'click').length, 0);
    const houseOnly = devices.reduce((sum, d) => sum + ROUNDS * TRUE_CTR[d.type].house!, 0);
    const numbers = {
      allRounds: expected / best, secondHalf: secondHalf / (best / 2), realised: clicks / best, houseOnly: houseOnly / best, perType,
    };
    expect(impressions).toBe(devices.length * ROUNDS);
    // The expected CTR (the true CTR of what was shown) carries no click noise: the criterion.
    expect(numbers.allRounds).toBeGreaterThanOrEqual(0.9);
    // Once it has learned, it nearly always shows each device its best creative.
    expect(numbers.secondHalf).toBeGreaterThanOrEqual(0.95);
    // The clicks that actually happened agree (≈ 360 at best, so about ±5% of noise).
    expect(numbers.realised).toBeGreaterThanOrEqual(0.8);
    expect(numbers.allRounds).toBeGreaterThan(3 * numbers.houseOnly);
  });
});

describe('simulation: the holdout', () => {
  it('measures an uplift of the personalised arm over the control arm with the right sign', () => {
    // 20% in control, not the default 5%: with 250 visitors × 6 page views, 5% would leave
    // about 75 control impressions (under 1 click at 1%), too few to measure a CTR at all;
    // 20% gives ~300. The split itself is the production code's (assignArm); a site with
    // real traffic gets the same power from far more visitors at 5%.
    const SHARE = 0.2;
    const VISITORS = 250;
    const PAGES = 6;
    const ids = createRandom(99);
    const devices = Array.from({ length: VISITORS }, (_, i) => {
      const id = Array.from({ length: 16 }, () => Math.floor(ids() * 256).toString(16).padStart(2, '0')).join('');
      return createDevice(TYPES[i % TYPES.length]!, assignArm(id, SHARE), 5000 + i);
    });
    const control = devices.filter((d) => d.arm === 'control').length;
    expect(Math.abs(control / VISITORS - SHARE)).toBeLessThan(0.05);
    const truth = { personalized: 0, control: 0 };
    for (const device of devices) for (let page = 0; page < PAGES; page += 1) truth[device.arm] += pageView(device, page);

    const metrics = computeMetrics(devices.flatMap((d) => d.exposures), []);
    const { personalized, control: held } = metrics.arms;
    // Measured: 46 of 250 visitors in control; personalised 48 clicks / 1,224 impressions
    // (CTR 0.039, true 0.044), control 1 / 276 (CTR 0.004, true 0.010).
    expect(personalized.impressions).toBe((VISITORS - control) * PAGES);
    expect(held.impressions).toBe(control * PAGES);
    // The control arm always gets the non-personalised choice: the house ad, by its prior.
    expect(new Set(metrics.creatives.filter((c) => c.arm === 'control').map((c) => c.creative))).toEqual(new Set(['house']));
    expect(personalized.ctr).toBeGreaterThan(held.ctr);
    // And the measured sign is the true one.
    expect(truth.personalized / personalized.impressions).toBeGreaterThan(truth.control / held.impressions);
  });
});
