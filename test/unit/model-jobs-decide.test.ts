import { describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import { createRandom } from '../../src/decide/bandit';
import type { Creative } from '../../src/decide/catalog';
import { explain } from '../../src/decide/explain';
import type { ModelRef } from '../../src/decide/model-view';
import { choosePrior } from '../../src/decide/prior';
import { buildProfile } from '../../src/decide/profile';
import { decideSlots, type DecisionInput } from '../../src/decide/rank';
import { describeVisitor } from '../../src/decide/segments';
import { describe as describeWhy } from '../../src/render/why-panel';

// How the creative-scores and propensity models enter the decisions and the segments.

const NOW = Date.UTC(2030, 0, 6, 12);
const CLICKS: ModelRef = { name: 'clicks', version: '4', job: 'creative-scores' };
const BUYERS: ModelRef = { name: 'buyers', version: '2', job: 'propensity' };

const creative = (id: string, extra: Partial<Creative> = {}): Creative =>
  ({ id, slots: ['hero'], title: id, targets: { items: [], categories: [], segments: [] }, weight: 1, ...extra });
// The catalog's priors favour `known` three to one; the model thinks `sleeper` is the one.
const CREATIVES = [creative('known', { priorCtr: 0.06 }), creative('sleeper', { priorCtr: 0.02 }), creative('unscored', { priorCtr: 0.03 })];
const SCORES = { model: CLICKS, ctr: new Map([['known', 0.01], ['sleeper', 0.2]]) };

function input(extra: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now: NOW, arm: 'personalized', profile: buildProfile([], NOW, DAY_MS), segments: new Set(), purchased: new Set(), stats: new Map(),
    policy: { explore: false, priorStrength: 50, caps: {}, maxPerCategory: 1 }, random: createRandom(7), ...extra,
  };
}

describe('a creative-scores model in the decision', () => {
  it('its P(click) for this visitor is the prior of the creatives it scores: the one it scores high wins where the catalog prior would not', () => {
    expect(decideSlots(['hero'], CREATIVES, input())[0]!.creative!.id).toBe('known');
    const [decision] = decideSlots(['hero'], CREATIVES, input({ creativeScores: SCORES }));
    expect(decision!.creative!.id).toBe('sleeper');
    expect(decision!.prior).toEqual({ source: 'model', ctr: 0.2, strength: 50 });
    expect(decision!.ctr).toBeCloseTo(0.2, 12);
    expect(decision!.models).toEqual([CLICKS]);
  });

  it('creatives the model does not list keep the catalog prior', () => {
    const [decision] = decideSlots(['hero'], CREATIVES.filter((c) => c.id !== 'sleeper'), input({ creativeScores: SCORES }));
    expect(decision!.creative!.id).toBe('unscored');
    expect(decision!.prior).toEqual({ source: 'creative', ctr: 0.03, strength: 50 });
    expect(decision!.models).toEqual([]);
  });

  it("this device's impressions and clicks still move the posterior from the model's prior", () => {
    const unclicked = (impressions: number) =>
      new Map([['sleeper', { impressions, clicks: 0, dismissed: false, today: 0, session: 0 }]]) as DecisionInput['stats'];
    // 0.2 × 50 prior clicks over 50 + 150 impressions: 0.05, still above the unscored creative's 0.03.
    const [after150] = decideSlots(['hero'], CREATIVES, input({ creativeScores: SCORES, stats: unclicked(150) }));
    expect(after150!.creative!.id).toBe('sleeper');
    expect(after150!.ctr).toBeCloseTo(10 / 200, 12);
    // 10 over 450: 0.022, now below it.
    expect(decideSlots(['hero'], CREATIVES, input({ creativeScores: SCORES, stats: unclicked(400) }))[0]!.creative!.id).toBe('unscored');
  });

  it('the control arm never uses it', () => {
    const [decision] = decideSlots(['hero'], CREATIVES, input({ arm: 'control', creativeScores: SCORES }));
    expect(decision!.creative!.id).toBe('known');
    expect(decision!.prior).toEqual({ source: 'creative', ctr: 0.06, strength: 50 });
    expect(decision!.models).toEqual([]);
  });

  it('a score of 0 or 1 still makes a prior that impressions can move', () => {
    expect(choosePrior(CREATIVES[0]!, null, 50, 0).ctr).toBeGreaterThan(0);
    expect(choosePrior(CREATIVES[0]!, null, 50, 1).ctr).toBeLessThan(1);
  });

  it('why() names the model, and the panel says the click rate came from it', () => {
    const [decision] = decideSlots(['hero'], CREATIVES, input({ creativeScores: SCORES }));
    const why = explain(decision!, [], NOW, DAY_MS, 'live');
    expect(why.models).toEqual([CLICKS]);
    const lines = describeWhy(why);
    expect(lines).toContain('Its expected click rate for you comes from an on-device model.');
    expect(lines).toContain('Models used: clicks 4 (click rates for you).');
    // Without a model the explanation carries no `models` at all.
    expect(explain(decideSlots(['hero'], CREATIVES, input())[0]!, [], NOW, DAY_MS, 'live')).not.toHaveProperty('models');
  });
});

describe('a propensity model in the segments', () => {
  // Three carts this week: the formula's propensity is medium.
  const events: PrecisEvent[] = ['a', 'b', 'c'].map((item, k) => ({ type: 'add_to_cart', item, time: NOW - (k + 1) * 60_000 }));
  const profile = buildProfile(events, NOW, 7 * DAY_MS);

  it("replaces the formula: the propensity and its segment follow the model's number", () => {
    const formula = describeVisitor(events, profile, NOW);
    expect(formula.segments.at(-1)).toBe('propensity:medium');
    expect(formula).not.toHaveProperty('propensityModel');
    const low = describeVisitor(events, profile, NOW, { model: BUYERS, propensity: 0.05 });
    expect(low).toEqual({ segments: [...formula.segments.slice(0, -1), 'propensity:low'], propensity: 0.05, propensityModel: BUYERS });
    const high = describeVisitor(events, profile, NOW, { model: BUYERS, propensity: 0.8 });
    expect(high.segments.at(-1)).toBe('propensity:high');
    expect(high.propensity).toBe(0.8);
  });

  it('keeps the propensity a probability', () => {
    expect(describeVisitor(events, profile, NOW, { model: BUYERS, propensity: 1.3 }).propensity).toBe(1);
    expect(describeVisitor(events, profile, NOW, { model: BUYERS, propensity: -0.1 }).propensity).toBe(0);
  });

  it('a decision names the propensity model when the creative won through its propensity segment', () => {
    const forBuyers = creative('for-buyers', { targets: { items: [], categories: [], segments: ['propensity:high'] } });
    const plain = creative('plain', { weight: 1.5 });
    const segments = new Set(describeVisitor(events, profile, NOW, { model: BUYERS, propensity: 0.8 }).segments);
    const [decision] = decideSlots(['hero'], [forBuyers, plain], input({ segments, propensityModel: BUYERS }));
    expect(decision!.creative!.id).toBe('for-buyers');
    expect(decision!.models).toEqual([BUYERS]);
    // The plain creative owes nothing to the model.
    expect(decideSlots(['hero'], [plain], input({ segments, propensityModel: BUYERS }))[0]!.models).toEqual([]);
  });
});
