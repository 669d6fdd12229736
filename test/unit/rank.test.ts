import { describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import type { Creative } from '../../src/decide/catalog';
import { buildProfile } from '../../src/decide/profile';
import { isActive, rankSlots, scoreCreative } from '../../src/decide/rank';

const NOW = 1_700_000_000_000;

function creative(id: string, extra: Partial<Creative> = {}): Creative {
  return { id, slots: ['hero', 'side'], title: id, targets: { items: [], categories: [] }, weight: 1, ...extra };
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

describe('scoreCreative', () => {
  it('is weight × (1 + matched affinity), with the matches as reasons, strongest first', () => {
    const profile = { items: new Map([['a', 2]]), categories: new Map([['rpg', 3]]) };
    const { score, contributions } = scoreCreative(
      creative('c', { weight: 2, targets: { items: ['a', 'zzz'], categories: ['rpg'] } }),
      profile,
    );
    expect(score).toBe(2 * (1 + 5));
    expect(contributions).toEqual([
      { kind: 'category', id: 'rpg', affinity: 3 },
      { kind: 'item', id: 'a', affinity: 2 },
    ]);
  });
});

describe('rankSlots', () => {
  const empty = { items: new Map<string, number>(), categories: new Map<string, number>() };

  it('with no history, the catalog weight decides, and ties go to the smaller id', () => {
    const creatives = [creative('b'), creative('a'), creative('heavy', { weight: 3 })];
    expect(rankSlots(['hero', 'side', 'side'], creatives, empty, NOW).map((d) => d.creative?.id)).toEqual([
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
      creative('racing-week', { targets: { items: [], categories: ['racing'] } }),
      creative('r1-pick', { weight: 0.9, targets: { items: ['r1'], categories: ['racing'] } }),
      creative('rpg-week', { targets: { items: [], categories: ['rpg'] } }),
    ];
    const decisions = rankSlots(['hero', 'side'], creatives, profile, NOW);
    expect(decisions.map((d) => d.creative?.id)).toEqual(['r1-pick', 'racing-week']);
    expect(decisions[0]!.contributions.map((c) => c.id)).toEqual(['racing', 'r1']);
  });

  it('leaves a slot empty (default content) when nothing fits, and respects slots and taken ids', () => {
    const creatives = [creative('a', { slots: ['hero'] }), creative('b', { slots: ['hero'] })];
    const decisions = rankSlots(['side', 'hero', 'hero'], creatives, empty, NOW, new Set(['a']));
    expect(decisions.map((d) => d.creative?.id ?? null)).toEqual([null, 'b', null]);
  });

  it('skips creatives outside their campaign dates', () => {
    const future = creative('future', { weight: 9, start: NOW + 1 });
    const over = creative('over', { weight: 9, end: NOW });
    const live = creative('live', { start: NOW, end: NOW + 1 });
    expect(isActive(future, NOW)).toBe(false);
    expect(isActive(over, NOW)).toBe(false);
    expect(rankSlots(['hero'], [future, over, live], empty, NOW)[0]!.creative?.id).toBe('live');
  });

  it('gives the same answer whatever order the catalog is in', () => {
    const creatives = ['d', 'b', 'c', 'a'].map((id) => creative(id));
    const reversed = [...creatives].reverse();
    expect(rankSlots(['hero', 'side'], creatives, empty, NOW)).toEqual(rankSlots(['hero', 'side'], reversed, empty, NOW));
  });
});

describe('custom event types', () => {
  it('count as custom even when named like an Object property', () => {
    const profile = buildProfile([{ type: 'constructor', item: 'a', time: NOW }, { type: 'to_string', item: 'a', time: NOW }], NOW, DAY_MS);
    expect(profile.items.get('a')).toBe(2);
  });
});
