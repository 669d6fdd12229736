import { describe, expect, it } from 'vitest';
import type { PrecisEvent } from '../../src/capture/event';
import { DAY_MS } from '../../src/core/clock';
import {
  buildItemIndex,
  createVocabulary,
  encodeHistory,
  encodeInputs,
  featureSource,
  FEATURES,
  vocabularyProblems,
  type FeatureSource,
  type InputSpec,
} from '../../src/features';

const MIN = 60_000;
const NOW = Date.UTC(2026, 0, 15, 12);
const at = (minutesAgo: number, type: string, item?: string): PrecisEvent => ({ type, time: NOW - minutesAgo * MIN, ...(item ? { item } : {}) });

/** A source with only the parts a test sets. */
const source = (patch: Partial<FeatureSource> = {}): FeatureSource => ({
  history: [],
  categories: {},
  counters: { historyLength: 0, sessionEvents: 0, sessions: 0, daysSinceLastVisit: 0, views7d: 0, carts7d: 0, purchases: 0 },
  ...patch,
});

describe('featureSource counters', () => {
  it('counts nothing for a first visit without events', () => {
    expect(featureSource([], new Map(), NOW)).toEqual(source());
  });

  it('splits sessions at pauses over 30 minutes and counts the current session', () => {
    const events = [
      at(10 * 24 * 60, 'view', 'a'), // 10 days ago: session 1
      at(10 * 24 * 60 - 30, 'view', 'b'), // 30 min later: still session 1 (not over 30)
      at(3 * 24 * 60, 'view', 'c'), // 3 days ago: session 2 (a view within 7 days, as is d's)
      at(3 * 24 * 60 - 5, 'add_to_cart', 'c'),
      at(3 * 24 * 60 - 10, 'purchase', 'c'), // session 2 ends here
      at(20, 'page_view'), // 20 min ago: session 3, the current one
      at(1, 'view', 'd'),
    ];
    const { counters, history } = featureSource(events, new Map(), NOW);
    expect(history).toEqual(['a', 'b', 'c', 'd']);
    expect(counters).toEqual({
      historyLength: 4,
      sessions: 3,
      sessionEvents: 2,
      daysSinceLastVisit: (3 * 24 * 60 - 10) / (24 * 60),
      views7d: 2,
      carts7d: 1,
      purchases: 1,
    });
  });

  it('a pause of 30 minutes and 1 ms starts a session', () => {
    const events = [{ type: 'view', item: 'a', time: NOW - 100 * MIN }, { type: 'view', item: 'b', time: NOW - 70 * MIN }];
    expect(featureSource(events, new Map(), NOW).counters.sessions).toBe(1);
    events[1]!.time += 1;
    expect(featureSource(events, new Map(), NOW).counters.sessions).toBe(2);
  });

  it('with no event in the last 30 minutes the session is over: 0 session events, days since its end', () => {
    const events = [at(2 * 24 * 60, 'view', 'a'), at(2 * 24 * 60 - 10, 'view', 'b')];
    const { counters } = featureSource(events, new Map(), NOW);
    expect(counters.sessionEvents).toBe(0);
    expect(counters.sessions).toBe(1);
    expect(counters.daysSinceLastVisit).toBeCloseTo(2 - 10 / (24 * 60), 10);
  });

  it('a visitor whose only session is the current one has 0 days since the last visit', () => {
    const { counters } = featureSource([at(5, 'view', 'a'), at(2, 'view', 'b'), at(1, 'click', 'b')], new Map(), NOW);
    expect(counters).toMatchObject({ sessions: 1, sessionEvents: 3, daysSinceLastVisit: 0, historyLength: 2 });
  });

  it('views and carts count only the last 7 days; purchases all of them', () => {
    const events = [
      at(8 * 24 * 60, 'view', 'old'),
      at(8 * 24 * 60, 'add_to_cart', 'old'),
      at(8 * 24 * 60, 'purchase', 'old'),
      at(6 * 24 * 60, 'view', 'a'),
      at(6 * 24 * 60, 'view', 'b'),
      at(6 * 24 * 60, 'add_to_cart', 'b'),
      at(60, 'purchase', 'b'),
    ];
    expect(featureSource(events, new Map(), NOW).counters).toMatchObject({ views7d: 2, carts7d: 1, purchases: 2 });
  });

  it('orders events by time whatever order they come in (the history oldest first)', () => {
    const events = [at(1, 'view', 'c'), at(30, 'view', 'a'), at(10, 'view', 'b'), at(20, 'view', 'a')];
    expect(featureSource(events, new Map(), NOW).history).toEqual(['a', 'b', 'c']);
  });

  it('copies the profile categories into a plain object (it crosses postMessage)', () => {
    expect(featureSource([], new Map([['games', 2], ['consoles', 1]]), NOW).categories).toEqual({ games: 2, consoles: 1 });
  });
});

describe('createVocabulary', () => {
  it('with padIndex 0 is buildItemIndex (the v1 items.json)', () => {
    const ids = ['', 'a', 'b', 'c'];
    expect(createVocabulary(ids).index).toEqual(buildItemIndex(ids));
  });
  it('with padIndex null every position is an id; with another padIndex that one is not', () => {
    expect([...createVocabulary(['a', 'b'], null).index]).toEqual([['a', 0], ['b', 1]]);
    expect([...createVocabulary(['a', 'PAD', 'b'], 1).index]).toEqual([['a', 0], ['b', 2]]);
  });
  it('rejects a repeated or a non-string id with model-manifest', () => {
    expect(() => createVocabulary(['', 'a', 'a'], 0, 'pages')).toThrow(expect.objectContaining({ code: 'model-manifest', details: { reason: 'vocabulary pages: "a" appears twice' } }));
    expect(() => createVocabulary(['', 3])).toThrow(expect.objectContaining({ code: 'model-manifest' }));
  });
});

describe('encodeInputs', () => {
  const items = createVocabulary(['', 'a', 'b', 'c', 'd', 'e']);
  const pages = createVocabulary(['home', 'a', 'b', 'c'], null);
  const categories = createVocabulary(['', 'games', 'consoles', 'toString'], 0);
  const vocabularies = new Map([['items', items], ['pages', pages], ['categories', categories]]);
  const one = (spec: Omit<InputSpec, 'name'>, from: FeatureSource) => {
    const [input] = encodeInputs([{ name: 'x', ...spec }], from, vocabularies);
    return { shape: input!.shape, dtype: input!.dtype, values: [...input!.values], typed: input!.values.constructor.name };
  };

  it('itemHistory: known ids, the latest `length`, left-padded with padIndex', () => {
    const from = source({ history: ['a', 'zzz', 'b', 'c', 'd'] });
    expect(one({ feature: 'itemHistory', dtype: 'int32', shape: [null, 3], vocabulary: 'items' }, from)).toEqual({ shape: [1, 3], dtype: 'int32', values: [2, 3, 4], typed: 'Int32Array' });
    expect(one({ feature: 'itemHistory', dtype: 'float32', shape: [1, 6], vocabulary: 'items' }, from)).toEqual({ shape: [1, 6], dtype: 'float32', values: [0, 0, 1, 2, 3, 4], typed: 'Float32Array' });
  });

  it('itemHistory without a pad index pads with 0 and encodes position 0 as an id', () => {
    expect(one({ feature: 'itemHistory', dtype: 'int32', shape: [null, 4], vocabulary: 'pages' }, source({ history: ['home', 'c'] })).values).toEqual([0, 0, 0, 3]);
  });

  it('itemHistory equals encodeHistory for padIndex 0 (the v1 path), unknown and pad ids included', () => {
    const index = buildItemIndex(items.ids);
    for (const history of [[], ['a'], ['', 'a', 'b'], ['x', 'e', 'y', 'd', 'c', 'b', 'a'], ['a', 'b', 'c', 'd', 'e']]) {
      for (const length of [1, 3, 5, 8]) {
        const [input] = encodeInputs([{ name: 'h', feature: 'itemHistory', dtype: 'int32', shape: [null, length], vocabulary: 'items' }], source({ history }), vocabularies);
        expect(input!.values).toEqual(encodeHistory(history, index, length));
      }
    }
  });

  it('lastItem: the latest known id; padIndex (or 0 without one) when none is known', () => {
    expect(one({ feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'items' }, source({ history: ['b', 'c', 'zzz'] }))).toMatchObject({ shape: [1], values: [3] });
    expect(one({ feature: 'lastItem', dtype: 'int32', shape: [null, 1], vocabulary: 'items' }, source({ history: ['zzz'] }))).toMatchObject({ shape: [1, 1], values: [0] });
    expect(one({ feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'pages' }, source({ history: [] })).values).toEqual([0]);
    expect(one({ feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'pages' }, source({ history: ['c', 'home'] })).values).toEqual([0]);
    const padded = new Map([['p', createVocabulary(['x', 'y', '<pad>'], 2)]]);
    expect([...encodeInputs([{ name: 'l', feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'p' }], source({ history: ['zzz'] }), padded)[0]!.values]).toEqual([2]);
  });

  it('recentItems: 1 for each known id among the latest `window` items (default 20)', () => {
    const from = source({ history: ['a', 'b', 'zzz', 'c'] });
    expect(one({ feature: 'recentItems', dtype: 'float32', shape: [null, 6], vocabulary: 'items' }, from).values).toEqual([0, 1, 1, 1, 0, 0]);
    expect(one({ feature: 'recentItems', dtype: 'float32', shape: [null, 6], vocabulary: 'items', window: 2 }, from).values).toEqual([0, 0, 0, 1, 0, 0]);
    const long = source({ history: ['a', ...Array.from({ length: 20 }, (_, k) => `n${k}`)] });
    expect(one({ feature: 'recentItems', dtype: 'float32', shape: [null, 6], vocabulary: 'items' }, long).values).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("categoryAffinity: each vocabulary category's share of the total interest", () => {
    const from = source({ categories: { games: 3, consoles: 1, books: 4 } });
    expect(one({ feature: 'categoryAffinity', dtype: 'float32', shape: [null, 4], vocabulary: 'categories' }, from).values).toEqual([0, 3 / 8, 1 / 8, 0]);
    expect(one({ feature: 'categoryAffinity', dtype: 'float32', shape: [null, 4], vocabulary: 'categories' }, source()).values).toEqual([0, 0, 0, 0]);
  });

  it('categoryAffinity ignores inherited keys and values that are not positive numbers', () => {
    const from = source({ categories: { games: 1, consoles: -5, books: Number.NaN } });
    expect(one({ feature: 'categoryAffinity', dtype: 'float32', shape: [null, 4], vocabulary: 'categories' }, from).values).toEqual([0, 1, 0, 0]);
  });

  it('counters: one value, in the dtype asked for (int32 truncates)', () => {
    const from = source({ counters: { ...source().counters, daysSinceLastVisit: 2.75, sessionEvents: 4 } });
    expect(one({ feature: 'daysSinceLastVisit', dtype: 'float32', shape: [null], vocabulary: undefined }, from).values).toEqual([2.75]);
    expect(one({ feature: 'daysSinceLastVisit', dtype: 'int32', shape: [null, 1] }, from)).toMatchObject({ shape: [1, 1], values: [2] });
    expect(one({ feature: 'sessionEvents', dtype: 'int32', shape: [null] }, from).values).toEqual([4]);
  });

  it('every counter is read from its own field', () => {
    const counterNames = Object.keys(FEATURES).filter((name) => !FEATURES[name as keyof typeof FEATURES].vocabulary);
    const counters = Object.fromEntries(counterNames.map((name, k) => [name, k + 1])) as FeatureSource['counters'];
    const specs = counterNames.map((name) => ({ name, feature: name, dtype: 'int32', shape: [null] }) as InputSpec);
    expect(encodeInputs(specs, source({ counters }), vocabularies).map((i) => i.values[0])).toEqual(counterNames.map((_, k) => k + 1));
  });

  it('keeps the spec order and names; a missing vocabulary is model-manifest', () => {
    const specs: InputSpec[] = [
      { name: 'cur_page:0', feature: 'lastItem', dtype: 'int32', shape: [null], vocabulary: 'pages' },
      { name: 'session_index:0', feature: 'sessionEvents', dtype: 'int32', shape: [null] },
    ];
    expect(encodeInputs(specs, source({ history: ['b'] }), vocabularies).map((i) => i.name)).toEqual(['cur_page:0', 'session_index:0']);
    expect(() => encodeInputs([{ ...specs[0]!, vocabulary: 'nope' }], source(), vocabularies)).toThrow(expect.objectContaining({ code: 'model-manifest' }));
  });
});

describe('vocabularyProblems', () => {
  const vocabularies = new Map([['items', createVocabulary(['', 'a', 'b'])]]);
  it('wide inputs must be as wide as their vocabulary; narrow ones need only be loaded', () => {
    expect(vocabularyProblems([{ name: 'bag', feature: 'recentItems', dtype: 'float32', shape: [null, 3], vocabulary: 'items' }], vocabularies)).toEqual([]);
    expect(vocabularyProblems([{ name: 'bag', feature: 'recentItems', dtype: 'float32', shape: [null, 4], vocabulary: 'items' }], vocabularies)).toEqual([
      'input bag: recentItems is 3 wide (vocabulary items), the shape says 4',
    ]);
    expect(vocabularyProblems([{ name: 'h', feature: 'itemHistory', dtype: 'int32', shape: [null, 50], vocabulary: 'items' }], vocabularies)).toEqual([]);
    expect(vocabularyProblems([{ name: 'h', feature: 'itemHistory', dtype: 'int32', shape: [null, 50], vocabulary: 'pages' }], vocabularies)).toEqual(['input h: vocabulary pages is not loaded']);
  });
});

describe('DAY_MS', () => {
  it('is the unit of daysSinceLastVisit', () => {
    expect(featureSource([{ type: 'view', item: 'a', time: NOW - DAY_MS }], new Map(), NOW).counters.daysSinceLastVisit).toBe(1);
  });
});
