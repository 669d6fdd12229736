import { describe, expect, it } from 'vitest';
import { categoryItems, createModelView } from '../../src/decide/model-view';
import { buildProfile } from '../../src/decide/profile';
import { createRandom } from '../../src/decide/bandit';
import { decideSlots, relevanceOf } from '../../src/decide/rank';
import { topItems } from '../../src/decide/top-items';
import { itemSequence } from '../../src/features';
import { manifestProblems, parseManifest } from '../../src/model/manifest';

const HASH = 'a'.repeat(64);
const manifest = () => ({
  format: 'precis-manifest@1', name: 'm', version: '1',
  model: { url: 'model.json', format: 'layers' },
  files: { 'model.json': HASH, 'items.json': HASH, 'w.bin': HASH },
  input: { maxLength: 50, padding: 'left', padIndex: 0, dtype: 'int32' },
  items: { url: 'items.json' }, output: { kind: 'scores' },
});

describe('manifest', () => {
  it('accepts a valid manifest', () => {
    expect(manifestProblems(manifest())).toEqual([]);
    expect(parseManifest(manifest()).version).toBe('1');
  });
  it.each([
    ['format', { format: 'v2' }],
    ['sha256', { files: { 'model.json': 'nothex', 'items.json': HASH } }],
    ['model file', { files: { 'items.json': HASH } }],
    ['input', { input: { maxLength: 50, padding: 'right', padIndex: 0, dtype: 'int32' } }],
    ['output', { output: { kind: 'embeddings' } }],
    ['version', { version: '' }],
  ])('names a bad %s', (word, patch) => {
    const problems = manifestProblems({ ...manifest(), ...patch });
    expect(problems.join(' ')).toContain(word);
    expect(() => parseManifest({ ...manifest(), ...patch })).toThrow(expect.objectContaining({ code: 'model-manifest' }));
  });
});

describe('itemSequence', () => {
  it('keeps first occurrences in order and skips events without items', () => {
    expect(itemSequence([{ item: 'a' }, {}, { item: 'b' }, { item: 'a' }, { item: 'c' }])).toEqual(['a', 'b', 'c']);
  });
});

describe('topItems', () => {
  const items = ['', 'a', 'b', 'c', 'd'];
  const scores = [99, 0.1, 0.9, 0.5, 0.9];
  it('ranks by score, never returns padding, breaks ties by index', () => {
    expect(topItems(scores, items, new Set(), 3)).toEqual([
      { item: 'b', score: 0.9 }, { item: 'd', score: 0.9 }, { item: 'c', score: 0.5 },
    ]);
  });
  it('excludes the history and honours among', () => {
    expect(topItems(scores, items, new Set(['b']), 2).map((x) => x.item)).toEqual(['d', 'c']);
    expect(topItems(scores, items, new Set(), 5, new Set(['a', 'c'])).map((x) => x.item)).toEqual(['c', 'a']);
  });
  it('skips the vocabulary\'s own padding index, and none when it has none', () => {
    const pages = ['home', 'cart', 'pad'];
    expect(topItems([0.9, 0.5, 0.99], pages, new Set(), 3, undefined, 2).map((x) => x.item)).toEqual(['home', 'cart']);
    expect(topItems([0.9, 0.5, 0.1], pages, new Set(), 1, undefined, null)).toEqual([{ item: 'home', score: 0.9 }]);
  });
});

const GAMES = { name: 'games', version: '1', job: 'item-scores' } as const;

describe('createModelView', () => {
  it('ranks candidates against each other: 1 for the best, 0 for the worst', () => {
    const index = new Map([['a', 1], ['b', 2], ['c', 3]]);
    const view = createModelView(GAMES, [0, 5, 1, 3], index, ['a', 'b', 'c', 'unknown']);
    expect([view.affinity('a'), view.affinity('c'), view.affinity('b')]).toEqual([1, 0.5, 0]);
    expect(view.affinity('unknown')).toBeUndefined();
  });
});

describe('model affinity for categories', () => {
  it('learns category membership from events and from creatives that target both', () => {
    const creatives = [{ id: 'c', slots: ['s'], title: 't', weight: 1, targets: { items: ['x'], categories: ['rpg'], segments: [] } }];
    const map = categoryItems([{ type: 'view', item: 'a', category: 'rpg', time: 1 }, { type: 'view', item: 'b', time: 1 }], creatives);
    expect(map.get('rpg')).toEqual(['a', 'x']);
    expect(map.size).toBe(1);
  });

  it('scores a category-only creative by the model’s best item of that category', () => {
    const index = new Map([['a', 1], ['b', 2], ['c', 3]]);
    const view = createModelView(GAMES, [0, 9, 1, 5], index, ['c'], new Map([['rpg', ['a', 'b']]]));
    expect(view.itemsIn('rpg')).toEqual(['a', 'b']);
    const profile = buildProfile([], 0, 1);
    const rpgWeek = { id: 'rpg-week', slots: ['s'], title: 't', weight: 1, targets: { items: [], categories: ['rpg'], segments: [] } };
    const { relevance, contributions } = relevanceOf(rpgWeek, profile, new Set(), view);
    expect(contributions).toEqual([{ kind: 'model', id: 'a', affinity: 3 }]);
    expect(relevance).toBe(4);
    // Without the model, nothing is known about the visitor: relevance 1.
    expect(relevanceOf(rpgWeek, profile, new Set())).toEqual({ relevance: 1, contributions: [] });
  });

  it('lets the model’s affinity decide between creatives the visitor’s events do not separate', () => {
    const index = new Map([['a', 1], ['b', 2]]);
    const byCategory = new Map([['rpg', ['a']], ['racing', ['b']]]);
    const profile = buildProfile([], 0, 1);
    const week = (id: string, category: string) =>
      ({ id, slots: ['s'], title: id, weight: 1, targets: { items: [], categories: [category], segments: [] } });
    const creatives = [week('racing-week', 'racing'), week('rpg-week', 'rpg')];
    const decide = (scores: number[]) => decideSlots(['s'], creatives, {
      now: 0, arm: 'personalized', profile, segments: new Set(), purchased: new Set(), stats: new Map(),
      policy: { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 1 }, random: createRandom(1),
      model: createModelView(GAMES, scores, index, [], byCategory),
    })[0]!;
    expect(decide([0, 9, 1]).creative!.id).toBe('rpg-week');
    expect(decide([0, 9, 1]).contributions).toEqual([{ kind: 'model', id: 'a', affinity: 3 }]);
    expect(decide([0, 9, 1]).models).toEqual([GAMES]);
    expect(decide([0, 1, 9]).creative!.id).toBe('racing-week');
    // Without a model the two tie, and the smaller id wins.
    expect(decideSlots(['s'], creatives, {
      now: 0, arm: 'personalized', profile, segments: new Set(), purchased: new Set(), stats: new Map(),
      policy: { explore: false, priorStrength: 100, caps: {}, maxPerCategory: 1 }, random: createRandom(1),
    })[0]!.creative!.id).toBe('racing-week');
  });
});
