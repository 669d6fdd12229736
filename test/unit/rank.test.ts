import { describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import type { Creative } from '../../src/decide/catalog';
import { createRandom } from '../../src/decide/bandit';
import { buildProfile, type Profile } from '../../src/decide/profile';
import { decideSlots, relevanceOf, type DecisionInput, type DecisionPolicy } from '../../src/decide/rank';
import { isActive } from '../../src/decide/rules';

const NOW = 1_700_000_000_000;

function creative(id: string, extra: Partial<Creative> = {}): Creative {
  return { id, slots: ['hero', 'side'], title: id, targets: { items: [], categories: [], segments: [] }, weight: 1, ...extra };
}

function targets(items: string[], categories: string[], segments: string[] = []): Creative['targets'] {
  return { items, categories, segments };
}

// No exploration and no device history: the posterior mean is the catalog's prior CTR
// (0.02 by default for every creative here), so relevance × weight decides, as the
// recency-weighted ranker did before the bandit.
const POLICY: DecisionPolicy = { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 1 };

function input(profile: Profile, extra: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now: NOW, arm: 'personalized', profile, segments: new Set(), purchased: new Set(), stats: new Map(),
    policy: POLICY, random: createRandom(1), ...extra,
  };
}

function rankSlots(slots: string[], creatives: Creative[], profile: Profile, taken?: ReadonlySet<string>) {
  return decideSlots(slots, creatives, input(profile, taken ? { taken } : {}));
}

describe('buildProfile', () => {
  it('weights event types and halves every half-life', () => {
    const events: PrecisEvent[] = [
      { type: 'view', item: 'a', category: 'rpg', time: NOW },
      { type: 'add_to_cart', item: 'a', category: 'rpg', time: NOW - 7 * DAY_MS },
      { type: 'page_view', url: '/', time: NOW },
      { type: 'wishlist', item: 'b', time: NOW - 14 * DAY_MS },
    ];
    const profile = buildProfile(events, NOW, 7 * DAY_MS);
    expect(profile.items.get('a')).toBeCloseTo(1 + 3 / 2);
    expect(profile.categories.get('rpg')).toBeCloseTo(1 + 3 / 2);
    expect(profile.items.get('b')).toBeCloseTo(1 / 4);
    expect(profile.items.size).toBe(2);
  });
});

describe('relevanceOf', () => {
  it('is 1 + matched affinity, with the matches as reasons, strongest first; the score is weight × value × CTR × relevance', () => {
    const profile = { items: new Map([['a', 2]]), categories: new Map([['rpg', 3]]) };
    const c = creative('c', { weight: 2, targets: targets(['a', 'zzz'], ['rpg']) });
    const { relevance, contributions } = relevanceOf(c, profile, new Set());
    expect(relevance).toBe(1 + 5);
    expect(contributions).toEqual([
      { kind: 'category', id: 'rpg', affinity: 3 },
      { kind: 'item', id: 'a', affinity: 2 },
    ]);
    const [decision] = decideSlots(['hero'], [c], input(profile));
    expect(decision!.ctr).toBeCloseTo(0.02, 12);
    expect(decision!.score).toBeCloseTo(2 * 0.02 * 6, 12);
    expect(decision!.contributions).toEqual(contributions);
    const [worth] = decideSlots(['hero'], [{ ...c, value: 5 }], input(profile));
    expect(worth!.score).toBeCloseTo(5 * 2 * 0.02 * 6, 12);
  });

  it('adds SEGMENT_WEIGHT for each targeted segment the visitor is in', () => {
    const empty = { items: new Map<string, number>(), categories: new Map<string, number>() };
    const c = creative('c', { targets: targets([], [], ['buyer', 'interest:rpg', 'returning']) });
    expect(relevanceOf(c, empty, new Set(['buyer', 'returning', 'new-visitor']))).toEqual({
      relevance: 3,
      contributions: [{ kind: 'segment', id: 'buyer', affinity: 1 }, { kind: 'segment', id: 'returning', affinity: 1 }],
    });
  });
});

describe('decideSlots without exploration (the former rankSlots)', () => {
  const empty = { items: new Map<string, number>(), categories: new Map<string, number>() };

  it('with no history, the catalog weight decides, and ties go to the smaller id', () => {
    const creatives = [creative('b'), creative('a'), creative('heavy', { weight: 3 })];
    expect(rankSlots(['hero', 'side', 'side'], creatives, empty).map((d) => d.creative?.id)).toEqual([
      'heavy', 'a', 'b',
    ]);
  });

  it('puts the creatives targeting the visitor’s interests first, never one twice on a page', () => {
    const profile = buildProfile(
      [1, 2, 3].map((i) => ({ type: 'view', item: `r${i}`, category: 'racing', time: NOW - i })),
      NOW, 7 * DAY_MS,
    );
    const creatives = [
      creative('house', { weight: 1.5 }),
      creative('racing-week', { targets: targets([], ['racing']) }),
      creative('r1-pick', { weight: 0.9, targets: targets(['r1'], ['racing']) }),
      creative('rpg-week', { targets: targets([], ['rpg']) }),
    ];
    const decisions = rankSlots(['hero', 'side'], creatives, profile);
    expect(decisions.map((d) => d.creative?.id)).toEqual(['r1-pick', 'racing-week']);
    expect(decisions[0]!.contributions.map((c) => c.id)).toEqual(['racing', 'r1']);
  });

  it('leaves a slot empty (default content) when nothing fits, and respects slots and taken ids', () => {
    const creatives = [creative('a', { slots: ['hero'] }), creative('b', { slots: ['hero'] })];
    const decisions = rankSlots(['side', 'hero', 'hero'], creatives, empty, new Set(['a']));
    expect(decisions.map((d) => d.creative?.id ?? null)).toEqual([null, 'b', null]);
    expect(decisions[1]!.excluded).toEqual([{ creative: 'a', rule: 'duplicate' }]);
    expect(decisions[0]!.excluded).toEqual([]);
  });

  it('skips creatives outside their campaign dates', () => {
    const future = creative('future', { weight: 9, start: NOW + 1 });
    const over = creative('over', { weight: 9, end: NOW });
    const live = creative('live', { start: NOW, end: NOW + 1 });
    expect(isActive(future, NOW)).toBe(false);
    expect(isActive(over, NOW)).toBe(false);
    const [decision] = rankSlots(['hero'], [future, over, live], empty);
    expect(decision!.creative?.id).toBe('live');
    expect(decision!.excluded).toEqual([{ creative: 'future', rule: 'schedule' }, { creative: 'over', rule: 'schedule' }]);
  });

  it('gives the same answer whatever order the catalog is in', () => {
    const creatives = ['d', 'b', 'c', 'a'].map((id) => creative(id));
    const reversed = [...creatives].reverse();
    expect(rankSlots(['hero', 'side'], creatives, empty)).toEqual(rankSlots(['hero', 'side'], reversed, empty));
    expect(rankSlots(['hero', 'side'], creatives, empty).map((d) => d.creative?.id)).toEqual(['a', 'b']);
  });
});

describe('custom event types', () => {
  it('count as custom even when named like an Object property', () => {
    const profile = buildProfile([{ type: 'constructor', item: 'a', time: NOW }, { type: 'to_string', item: 'a', time: NOW }], NOW, DAY_MS);
    expect(profile.items.get('a')).toBe(2);
  });
});

describe('decideSlots: Thompson sampling and the control arm', () => {
  const empty = { items: new Map<string, number>(), categories: new Map<string, number>() };
  const exploring: DecisionPolicy = { ...POLICY, explore: true, priorStrength: 20 };
  const seen = (impressions: number, clicks: number) => ({ impressions, clicks, today: 0, session: 0, dismissed: false });

  it('is reproducible with a seeded random, and logs the probability of its choice as (wins + 1) / 201', () => {
    const creatives = [creative('a'), creative('b'), creative('c')];
    const stats = new Map([['a', seen(40, 2)], ['b', seen(40, 1)]]);
    const run = (seed: number) => decideSlots(['hero', 'side'], creatives, input(empty, { policy: exploring, stats, random: createRandom(seed) }));
    expect(run(9)).toEqual(run(9));
    const picks = new Set<string>();
    for (let seed = 0; seed < 40; seed += 1) {
      for (const decision of run(seed)) {
        picks.add(decision.creative!.id);
        const wins = decision.probability * 201 - 1;
        expect(Math.abs(wins - Math.round(wins))).toBeLessThan(1e-9);
        expect(decision.probability).toBeGreaterThan(0);
        expect(decision.probability).toBeLessThanOrEqual(1);
        // The logged CTR is the posterior mean, whatever the draw was.
        const mean = { a: 2.4 / 60, b: 1.4 / 60, c: 0.02 }[decision.creative!.id as 'a' | 'b' | 'c'];
        expect(decision.ctr).toBeCloseTo(mean, 12);
      }
    }
    expect(picks).toEqual(new Set(['a', 'b', 'c']));
  });

  it('logs probabilities that match how often each creative is actually chosen', () => {
    const creatives = [creative('a'), creative('b')];
    const stats = new Map([['a', seen(100, 4)], ['b', seen(100, 2)]]);
    let chosenA = 0;
    let estimateA = 0;
    const runs = 1000;
    for (let seed = 0; seed < runs; seed += 1) {
      const [decision] = decideSlots(['hero'], creatives, input(empty, { policy: exploring, stats, random: createRandom(seed) }));
      const p = decision!.probability;
      if (decision!.creative!.id === 'a') {
        chosenA += 1;
        estimateA += p;
      } else {
        estimateA += 1 - p;
      }
    }
    const frequency = chosenA / runs;
    expect(frequency).toBeGreaterThan(0.6); // a has the better posterior…
    expect(frequency).toBeLessThan(0.95); // …but b still gets explored
    // Standard error of the frequency ≈ 0.013; of the mean estimate much less.
    expect(Math.abs(frequency - estimateA / runs)).toBeLessThan(0.05);
  });

  it('stops exploring a creative the evidence has ruled out: probability 1', () => {
    const creatives = [creative('good'), creative('bad')];
    const stats = new Map([['good', seen(2000, 200)], ['bad', seen(2000, 10)]]);
    for (let seed = 0; seed < 20; seed += 1) {
      const [decision] = decideSlots(['hero'], creatives, input(empty, { policy: exploring, stats, random: createRandom(seed) }));
      expect(decision!.creative!.id).toBe('good');
      expect(decision!.probability).toBe(1);
    }
  });

  it('without explore, uses the posterior mean, draws nothing and logs probability 1', () => {
    const creatives = [creative('a'), creative('b')];
    const stats = new Map([['a', seen(100, 1)], ['b', seen(100, 4)]]);
    const never = () => {
      throw new Error('no draw expected');
    };
    const [decision] = decideSlots(['hero'], creatives, input(empty, { stats, random: never }));
    expect(decision!.creative!.id).toBe('b');
    expect(decision!.probability).toBe(1);
    expect(decision!.ctr).toBeCloseTo((2 + 4) / 200, 12);
    expect(decision!.score).toBeCloseTo((2 + 4) / 200, 12);
  });

  it('the control arm ignores the visitor and this device’s history: relevance 1, the catalog’s prior CTR, probability 1', () => {
    const profile = buildProfile([1, 2, 3].map((i) => ({ type: 'view', item: `r${i}`, category: 'racing', time: NOW - i })), NOW, 7 * DAY_MS);
    const creatives = [
      creative('house', { priorCtr: 0.05 }),
      creative('racing-week', { priorCtr: 0.02, targets: targets([], ['racing'], ['interest:racing']) }),
    ];
    const stats = new Map([['house', seen(500, 0)], ['racing-week', seen(500, 100)]]);
    const base = { stats, segments: new Set(['interest:racing']), random: createRandom(3) };
    const personal = decideSlots(['hero'], creatives, input(profile, { ...base, policy: exploring }))[0]!;
    expect(personal.creative!.id).toBe('racing-week');
    expect(personal.arm).toBe('personalized');
    const control = decideSlots(['hero'], creatives, input(profile, { ...base, arm: 'control', policy: exploring }))[0]!;
    expect(control).toMatchObject({ arm: 'control', probability: 1, contributions: [], ctr: 0.05, score: 0.05 });
    expect(control.creative!.id).toBe('house');
    // Rules still apply to the control arm; a segment-targeted creative is never for it.
    const capped = decideSlots(['hero'], [{ ...creatives[0]!, caps: { perDay: 1 } }, creatives[1]!],
      input(profile, { ...base, arm: 'control', stats: new Map([['house', { ...seen(1, 0), today: 1 }]]) }))[0]!;
    expect(capped.creative).toBeNull();
    expect(capped.excluded).toEqual([{ creative: 'house', rule: 'cap-day' }, { creative: 'racing-week', rule: 'segment' }]);
  });
});
