import { describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import { createRandom } from '../../src/decide/bandit';
import type { Creative } from '../../src/decide/catalog';
import { explain } from '../../src/decide/explain';
import { buildProfile } from '../../src/decide/profile';
import { decideSlots, type Decision } from '../../src/decide/rank';

const NOW = Date.UTC(2030, 0, 6, 12);
const HALF_LIFE = 7 * DAY_MS;

const racingWeek: Creative = {
  id: 'racing-week', slots: ['hero'], title: 'Racing week', weight: 1,
  targets: { items: ['r9'], categories: ['racing'], segments: ['interest:racing'] },
};

function decisionFor(events: PrecisEvent[], creatives: Creative[] = [racingWeek]): Decision {
  return decideSlots(['hero'], creatives, {
    now: NOW, arm: 'personalized', profile: buildProfile(events, NOW, HALF_LIFE), segments: new Set(['interest:racing']),
    purchased: new Set(), stats: new Map(), policy: { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 1 },
    random: createRandom(1),
  })[0]!;
}

describe('explain', () => {
  it('copies the decision: creative, arm, probability, score, CTR, reasons, rules, exclusions', () => {
    const events: PrecisEvent[] = [{ type: 'view', item: 'r1', category: 'racing', time: NOW }];
    const decision = decisionFor(events);
    const why = explain(decision, events, NOW, HALF_LIFE, 'live');
    expect(why).toMatchObject({
      slot: 'hero', creative: 'racing-week', title: 'Racing week', arm: 'personalized', probability: 1,
      score: decision.score, ctr: decision.ctr, reasons: decision.contributions, rules: decision.rules,
      excluded: decision.excluded, decidedAt: NOW, source: 'live',
    });
    expect(why.reasons.map((r) => [r.kind, r.id])).toEqual([['category', 'racing'], ['segment', 'interest:racing']]);
  });

  it('lists the visitor’s events on contributing items and categories, strongest (type weight × recency) first, at most 5', () => {
    const events: PrecisEvent[] = [
      { type: 'view', item: 'r1', category: 'racing', time: NOW - 14 * DAY_MS }, // 1/4
      { type: 'add_to_cart', item: 'r2', category: 'racing', time: NOW - 7 * DAY_MS }, // 3/2
      { type: 'purchase', item: 'r9', time: NOW - 7 * DAY_MS }, // 2, via the targeted item
      { type: 'view', item: 'p1', category: 'puzzle', time: NOW }, // unrelated
      { type: 'page_view', url: '/racing', category: 'racing', time: NOW }, // weight 0
      { type: 'click', item: 'r3', category: 'racing', time: NOW }, // 2
      { type: 'wishlist', item: 'r4', category: 'racing', time: NOW }, // custom: 1
      { type: 'view', item: 'r5', category: 'racing', time: NOW - 1 }, // ≈ 1
    ];
    const decision = decisionFor(events);
    expect(decision.contributions.map((c) => c.id)).toEqual(['racing', 'r9', 'interest:racing']);
    const why = explain(decision, events, NOW, HALF_LIFE, 'live');
    expect(why.events.map((e) => [e.type, e.item])).toEqual([
      ['purchase', 'r9'], ['click', 'r3'], ['add_to_cart', 'r2'], ['wishlist', 'r4'], ['view', 'r5'],
    ]);
    expect(why.events[0]).toEqual({ type: 'purchase', item: 'r9', time: NOW - 7 * DAY_MS, weight: 2 });
    expect(why.events[2]!.weight).toBeCloseTo(1.5, 12);
    expect(why.events[1]).toEqual({ type: 'click', item: 'r3', category: 'racing', time: NOW, weight: 2 });
  });

  it('counts events on the model’s item among the reasons, but not segments (which are not events)', () => {
    const decision: Decision = {
      slot: 'hero', creative: racingWeek, arm: 'personalized', score: 0.1, ctr: 0.02, probability: 0.4, interest: 'racing',
      prior: { source: 'default', ctr: 0.02, strength: 100 },
      contributions: [{ kind: 'model', id: 'm1', affinity: 3 }, { kind: 'segment', id: 'racing', affinity: 1 }],
      rules: [], excluded: [], models: [{ name: 'games', version: '1', job: 'item-scores' }],
    };
    const events: PrecisEvent[] = [
      { type: 'view', item: 'm1', time: NOW },
      { type: 'view', item: 'x', category: 'racing', time: NOW },
    ];
    const why = explain(decision, events, NOW, HALF_LIFE, 'cache');
    expect(why.events.map((e) => e.item)).toEqual(['m1']);
    expect(why).toMatchObject({ probability: 0.4, source: 'cache', models: [{ name: 'games', version: '1', job: 'item-scores' }] });
  });

  it('explains an empty slot: no creative, no title, and the exclusions', () => {
    const ended = { ...racingWeek, end: NOW };
    const decision = decisionFor([], [ended]);
    const why = explain(decision, [], NOW, HALF_LIFE, 'live');
    expect(why).toMatchObject({ creative: null, title: null, events: [], reasons: [] });
    expect(why.excluded).toEqual([{ creative: 'racing-week', rule: 'schedule' }]);
  });
});
